"""The caseworker's home is their own work; the county report is for the other roles."""

from django.urls import reverse

from visits.models import VisitDraft
from visits.services import record_visit, review_visit

from ..visits.support import visit_data


def test_the_caseworkers_home_lists_their_own_work(client, caseworker_a, supervisor_a, child_a, child_a2, child_b):
    visit = record_visit(actor=caseworker_a, child=child_a2, data=visit_data())
    review_visit(actor=supervisor_a, visit=visit, accept=False, comment="请补充说明。")
    VisitDraft.objects.create(user=caseworker_a, child=child_a, values={"problems": "x"})
    VisitDraft.objects.create(user=caseworker_a, child=child_b, values={"problems": "out of scope now"})
    client.force_login(caseworker_a)
    response = client.get(reverse("dashboard"))
    work = response.context["work"]
    assert work["returned_count"] == 1 and work["returned"] == [visit]
    assert work["drafts_count"] == 1 and work["drafts"][0].child == child_a
    text = response.text
    assert reverse("visits:edit", args=[visit.pk]) in text
    assert reverse("visits:create", args=[child_a.pk]) in text
    assert 'id="report-figures"' not in text and 'id="programmes"' not in text
    for section in ("my-due", "my-drafts", "my-returned", "my-agreements", "my-reviews"):
        assert f'id="{section}"' in text


def test_a_caseworker_sees_their_report_without_a_link_they_cannot_open(client, caseworker_a, supervisor_a, child_a):
    record_visit(
        actor=caseworker_a,
        child=child_a,
        data=visit_data(suspected_harm=True, harm_description="手臂有淤青。"),
    )
    client.force_login(caseworker_a)
    text = client.get(reverse("dashboard")).text
    assert "您报告的 1 份强制报告等待民政局处置" in text
    assert reverse("visits:reports") not in text
    assert client.get(reverse("visits:reports")).status_code == 404
    client.force_login(supervisor_a)
    text = client.get(reverse("dashboard")).text
    assert "1 份强制报告待处置" in text and reverse("visits:reports") in text
    assert response_has_work(client) is False


def response_has_work(client) -> bool:
    return client.get(reverse("dashboard")).context["work"] is not None
