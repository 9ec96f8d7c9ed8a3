"""The lockout page names the wait as a clerk says it (issue 18, item 10)."""

import pytest
from django.urls import reverse


def fail_five_times(client, **headers):
    for attempt in range(5):
        client.post(reverse("login"), {"username": "caseworker_a", "password": f"wrong-{attempt}"}, headers=headers)
    return client.post(reverse("login"), {"username": "caseworker_a", "password": "wrong"}, headers=headers)


@pytest.mark.parametrize(("language", "wait"), [("zh-hans", "请 15 分钟 后再试"), ("en", "try again in 15 minutes")])
def test_lockout_page_says_fifteen_minutes_not_iso_8601(client, caseworker_a, language, wait):
    response = fail_five_times(client, accept_language=language)
    assert response.status_code == 429
    assert wait in response.text
    assert "PT15M" not in response.text
