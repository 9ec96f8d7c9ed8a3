"""Visit drafts kept on the server: the user's own, in scope, cleaned, removed once the visit is saved."""

import json

from django.urls import reverse

from visits.models import Visit, VisitDraft
from visits.services import record_visit, review_visit

from .support import form_data, visit_data


def post_draft(client, child, payload, visit=None):
    address = (
        reverse("visits:draft_edit", args=[child.pk, visit.pk]) if visit else reverse("visits:draft", args=[child.pk])
    )
    return client.post(address, json.dumps(payload), content_type="application/json")


def test_a_draft_is_saved_cleaned_and_shown_on_another_device(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    response = post_draft(
        client,
        child_a,
        {"values": {"problems": "屋顶漏雨", "present": ["child"], "csrfmiddlewaretoken": "x", "unknown": 1}},
    )
    assert response.status_code == 200
    draft = VisitDraft.objects.get(user=caseworker_a, child=child_a, visit=None)
    assert draft.values == {"problems": "屋顶漏雨", "present": ["child"]}
    assert response.json()["at"] == int(draft.updated_at.timestamp() * 1000)
    post_draft(client, child_a, {"values": {"problems": "屋顶漏雨，墙裂"}})
    assert VisitDraft.objects.get().values == {"problems": "屋顶漏雨，墙裂"}
    page = client.get(reverse("visits:create", args=[child_a.pk]))
    assert '<script id="server-draft" type="application/json">' in page.text
    embedded = json.loads(
        page.text.split('<script id="server-draft" type="application/json">')[1].split("</script>")[0]
    )
    assert embedded["values"] == {"problems": "屋顶漏雨，墙裂"}
    assert f'data-draft-url="{reverse("visits:draft", args=[child_a.pk])}"' in page.text


def test_a_bad_draft_is_refused_with_a_reason(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    response = post_draft(client, child_a, {"values": {"problems": {"nested": "x"}}})
    assert response.status_code == 400
    assert "problems" in response.json()["error"]
    assert post_draft(client, child_a, {"values": "text"}).status_code == 400
    assert not VisitDraft.objects.exists()


def test_drafts_are_kept_to_the_users_scope_and_role(client, caseworker_b, leader, child_a):
    client.force_login(caseworker_b)
    assert post_draft(client, child_a, {"values": {"problems": "x"}}).status_code == 404
    client.force_login(leader)  # reads, never records a visit
    assert post_draft(client, child_a, {"values": {"problems": "x"}}).status_code == 404
    assert client.get(reverse("visits:draft", args=[child_a.pk])).status_code == 405
    assert not VisitDraft.objects.exists()


def test_saving_the_visit_removes_its_draft_and_discard_removes_it_too(client, caseworker_a, child_a, child_a2):
    client.force_login(caseworker_a)
    post_draft(client, child_a, {"values": {"problems": "x"}})
    post_draft(client, child_a2, {"values": {"problems": "y"}})
    response = client.post(reverse("visits:create", args=[child_a.pk]), form_data())
    assert response.status_code == 302
    assert list(VisitDraft.objects.values_list("child", flat=True)) == [child_a2.pk]
    assert post_draft(client, child_a2, {"discard": True}).json() == {"at": None}
    assert not VisitDraft.objects.exists()


def test_a_returned_visit_has_its_own_draft(client, caseworker_a, supervisor_a, child_a):
    visit = record_visit(actor=caseworker_a, child=child_a, data=visit_data())
    client.force_login(caseworker_a)
    assert post_draft(client, child_a, {"values": {"problems": "x"}}, visit=visit).status_code == 404  # not returned
    review_visit(actor=supervisor_a, visit=visit, accept=False, comment="请补充。")
    assert post_draft(client, child_a, {"values": {"problems": "补充"}}, visit=visit).status_code == 200
    assert VisitDraft.objects.get().visit == visit
    data = form_data(problems="补充")
    assert client.post(reverse("visits:edit", args=[visit.pk]), data).status_code == 302
    assert Visit.objects.get().status == "submitted"
    assert not VisitDraft.objects.exists()
