"""An oversized form gets the application's own 400 page, which says what was too large (issue 18, item 7)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_three_megabyte_field_gets_a_page_saying_the_form_was_too_large(client, caseworker_a, language):
    client.force_login(caseworker_a)
    response = client.post(
        reverse("children:create"), {"note": "x" * (3 * 1024 * 1024)}, headers={"accept-language": language}
    )
    assert response.status_code == 400
    assert "<nav" in response.text  # the application's page, with its menu
    if language == "en":
        assert "The form was too large" in response.text and "2 MB" in response.text
    else:
        assert "提交的表单内容太大" in response.text and "2 MB" in response.text


def test_too_many_fields_are_named_as_such(client, caseworker_a, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client.force_login(caseworker_a)
    response = client.post(reverse("children:create"), {f"f{n}": "1" for n in range(20)})
    assert response.status_code == 400
    assert "提交的表单字段太多（超过 10 个）" in response.text
