"""The PDFs' running header reads a name as typed, whatever characters it holds (issue 18, item 9)."""

from django.urls import reverse

from children.models import Child
from tests.pdf_support import pdf_text

NAME = "<script>\"x\"='1'&\\</script>"


def test_the_running_header_shows_a_name_with_markup_characters_as_typed(client, world, caseworker_a):
    child = world["a1"]
    Child.objects.filter(pk=child.pk).update(name=NAME)
    client.force_login(caseworker_a)
    response = client.get(reverse("reports:case_file", args=[child.pk]))
    assert response.status_code == 200
    lines = [line.replace(" ", "") for line in pdf_text(response.content).splitlines()]
    header = lines[0]  # the bureau on the left, the document on the right
    assert header == f"定州市民政局一人一档·{NAME}·{child.township.name}"
    assert "u003C" not in "".join(lines)
