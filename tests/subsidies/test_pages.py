"""The subsidies pages through the test client: who sees what, and the workflow as a clerk does it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from dingzhou_welfare.confirm import confirm_token
from dingzhou_welfare.models import AuditEntry, Role
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import Batch, Enrolment, Line, Standard
from subsidies.services import apply_enrolment, check_enrolment
from tests.factories import make_user

from .conftest import enrol, make_orphan

pytestmark = pytest.mark.django_db
M = datetime.date
ROLES = ["caseworker_a", "caseworker_b", "supervisor_a", "staff", "leader", "administrator", "outsider"]
READERS = {"caseworker_a", "caseworker_b", "supervisor_a", "staff", "leader"}
COUNTY = {"staff", "leader"}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def staff2(db):
    return make_user("staff2", Role.STAFF)


@pytest.fixture
def supervisor_b(township_b):
    return make_user("supervisor_b", Role.SUPERVISOR, townships=[township_b])


@pytest.fixture
def orphan_a(child_a, staff):
    return make_orphan(child_a, staff)


@pytest.fixture
def paid_a(orphan_a, caseworker_a, supervisor_a, staff, programmes):
    """child_a's scattered-orphan allowance, confirmed in March: paid from April."""
    return enrol(
        orphan_a,
        programmes["orphan_scattered"],
        applicant=caseworker_a,
        checker=supervisor_a,
        confirmer=staff,
        applied_on=M(2026, 3, 1),
        confirmed_on=M(2026, 3, 10),
    )


def login(client, user):
    client.force_login(user)
    return client


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---------------------------------------------------------------------------------------------
# Who may see which page


@pytest.mark.parametrize("role", ROLES)
def test_each_page_for_each_role(request, client, role, paid_a, staff2, child_b):
    april = compute_month(month=M(2026, 4, 1), actor=staff2)
    user = request.getfixturevalue(role)
    login(client, user)
    pages = {
        reverse("subsidies:programmes"): role in READERS,
        reverse("subsidies:queue"): role in READERS,
        reverse("subsidies:enrolments"): role in READERS,
        reverse("subsidies:changes"): role in READERS,
        reverse("subsidies:enrolment", args=[paid_a.pk]): role in {"caseworker_a", "supervisor_a", "staff", "leader"},
        reverse("subsidies:apply", args=[paid_a.child.pk]): role in {"caseworker_a", "supervisor_a", "staff"},
        reverse("subsidies:apply", args=[child_b.pk]): role in {"caseworker_b", "staff"},
        reverse("subsidies:standard_set", args=[paid_a.programme.pk]): role == "staff",
        reverse("subsidies:batches"): role in COUNTY,
        reverse("subsidies:batch", args=[april.month]): role in COUNTY,
        reverse("subsidies:batch_progress", args=[april.month]): role in COUNTY,
    }
    got = {url: client.get(url).status_code for url in pages}
    assert got == {url: 200 if allowed else 404 for url, allowed in pages.items()}


@pytest.mark.parametrize("role", ["caseworker_a", "supervisor_a", "leader", "administrator"])
def test_batch_writes_are_not_found_for_everyone_but_staff(request, client, role):
    login(client, request.getfixturevalue(role))
    response = client.post(reverse("subsidies:batch_start"), {"month": "2026-04"})
    assert response.status_code == 404
    assert not Batch.objects.exists()


def test_lists_are_scoped(client, paid_a, child_b, caseworker_b, staff, programmes):
    make_orphan(child_b, staff)
    apply_enrolment(
        actor=caseworker_b, child=child_b, programme=programmes["orphan_scattered"], applied_on=M(2026, 5, 1)
    )
    login(client, caseworker_b)
    for url in (reverse("subsidies:enrolments"), reverse("subsidies:queue")):
        text = client.get(url).text
        assert "刘小军" in text
        assert "王小明" not in text
    assert client.get(reverse("subsidies:enrolment", args=[paid_a.pk])).status_code == 404


def test_enrolment_list_filters(client, paid_a, staff, child_a2, caseworker_a, programmes):
    make_orphan(child_a2, staff)
    apply_enrolment(
        actor=caseworker_a, child=child_a2, programme=programmes["orphan_scattered"], applied_on=M(2026, 5, 1)
    )
    login(client, staff)
    text = client.get(reverse("subsidies:enrolments"), {"status": "applied"}).text
    assert "赵小红" in text
    assert "王小明" not in text
    text = client.get(reverse("subsidies:enrolments"), {"programme": programmes["rural_dibao"].pk}).text
    assert "赵小红" not in text


# ---------------------------------------------------------------------------------------------
# Apply, check, confirm


def test_apply_check_confirm_through_the_pages(client, orphan_a, caseworker_a, supervisor_a, staff, programmes):
    programme = programmes["orphan_scattered"]
    login(client, caseworker_a)
    case_file = client.get(reverse("children:detail", args=[orphan_a.pk])).text
    assert "保障记录" in case_file
    assert reverse("subsidies:apply", args=[orphan_a.pk]) in case_file

    apply_url = reverse("subsidies:apply", args=[orphan_a.pk])
    response = client.post(apply_url, {"programme": programme.pk, "applied_on": "2026-05-06", "evidence": "申请表"})
    enrolment = Enrolment.objects.get(child=orphan_a, programme=programme)
    assert response.status_code == 302
    assert response.url == reverse("subsidies:enrolment", args=[enrolment.pk])
    assert enrolment.status == Enrolment.Status.APPLIED
    assert enrolment.applied_by == caseworker_a

    login(client, supervisor_a)
    queue = client.get(reverse("subsidies:queue"))
    assert [e.pk for e in queue.context["to_check"]] == [enrolment.pk]
    response = client.post(
        reverse("subsidies:enrolment_check", args=[enrolment.pk]), {"verified": "on", "note": "属实"}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CHECKED
    assert enrolment.checked_by == supervisor_a

    login(client, staff)
    assert [e.pk for e in client.get(reverse("subsidies:queue")).context["to_confirm"]] == [enrolment.pk]
    response = client.post(reverse("subsidies:enrolment_confirm", args=[enrolment.pk]), {"confirmed_on": "2026-05-20"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CONFIRMED
    assert enrolment.start_month == M(2026, 6, 1)
    summaries = list(
        AuditEntry.objects.filter(object_type="enrolment", object_id=str(enrolment.pk)).values_list(
            "summary", flat=True
        )
    )
    assert len(summaries) == 3
    assert "确认散居孤儿基本生活费，2026-06起发放" in summaries


def test_apply_page_shows_why_a_programme_does_not_fit(client, child_a, caseworker_a, programmes):
    login(client, caseworker_a)
    programme = programmes["orphan_scattered"]
    response = client.get(reverse("subsidies:apply", args=[child_a.pk]), {"programme": programme.pk})
    assert response.status_code == 200
    assert "须先认定为社会散居孤儿" in response.text
    response = client.post(
        reverse("subsidies:apply", args=[child_a.pk]), {"programme": programme.pk, "applied_on": "2026-05-06"}
    )
    assert response.status_code == 400
    assert "须先认定为社会散居孤儿" in response.text
    assert not Enrolment.objects.exists()


def test_leader_cannot_apply(client, orphan_a, leader, programmes):
    login(client, leader)
    response = client.post(
        reverse("subsidies:apply", args=[orphan_a.pk]),
        {"programme": programmes["orphan_scattered"].pk, "applied_on": "2026-05-06"},
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_confirmer_who_applied_is_refused_with_the_message(client, orphan_a, supervisor_a, staff, programmes):
    enrolment = apply_enrolment(
        actor=staff, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=M(2026, 5, 1)
    )
    check_enrolment(actor=supervisor_a, enrolment=enrolment)
    login(client, staff)
    detail = client.get(reverse("subsidies:enrolment", args=[enrolment.pk])).text
    assert "该申请由您本人提交，须由另一名工作人员确认。" in detail
    response = client.post(reverse("subsidies:enrolment_confirm", args=[enrolment.pk]), {"confirmed_on": "2026-05-20"})
    assert response.status_code == 400
    assert "确认人不能是申请人本人，请由另一名工作人员确认。" in response.text
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CHECKED


def test_refusal_requires_a_reason(client, orphan_a, caseworker_a, supervisor_a, programmes):
    enrolment = apply_enrolment(
        actor=caseworker_a, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=M(2026, 5, 1)
    )
    login(client, supervisor_a)
    url = reverse("subsidies:enrolment_refuse", args=[enrolment.pk])
    response = client.post(url, {"refusal_reason": "   "})
    assert response.status_code == 400
    assert "请写明不予通过的理由。" in response.text
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.APPLIED

    response = client.post(url, {"refusal_reason": "父亲仍在世，材料不实"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.REFUSED
    assert enrolment.refusal_reason == "父亲仍在世，材料不实"
    assert enrolment.refused_by == supervisor_a


def test_supervisor_may_not_refuse_once_the_bureau_has_it(client, orphan_a, caseworker_a, supervisor_a, programmes):
    enrolment = apply_enrolment(
        actor=caseworker_a, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=M(2026, 5, 1)
    )
    check_enrolment(actor=supervisor_a, enrolment=enrolment)
    login(client, supervisor_a)
    response = client.post(reverse("subsidies:enrolment_refuse", args=[enrolment.pk]), {"refusal_reason": "理由"})
    assert response.status_code == 400
    assert "该申请已报民政局，由民政局处理。" in response.text
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CHECKED


def test_check_only_by_the_supervisor_of_that_township(
    client, orphan_a, caseworker_a, supervisor_b, staff, leader, programmes
):
    enrolment = apply_enrolment(
        actor=caseworker_a, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=M(2026, 5, 1)
    )
    url = reverse("subsidies:enrolment_check", args=[enrolment.pk])
    for user in (supervisor_b, caseworker_a, leader, staff):
        login(client, user)
        assert client.post(url, {"verified": "on"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.APPLIED


def test_check_requires_the_attestation(client, orphan_a, caseworker_a, supervisor_a, programmes):
    enrolment = apply_enrolment(
        actor=caseworker_a, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=M(2026, 5, 1)
    )
    login(client, supervisor_a)
    response = client.post(reverse("subsidies:enrolment_check", args=[enrolment.pk]), {"note": ""})
    assert response.status_code == 400
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.APPLIED


def test_end_shows_the_last_paid_month(client, paid_a, staff):
    login(client, staff)
    response = client.post(
        reverse("subsidies:enrolment_end", args=[paid_a.pk]),
        {"reason": "adopted", "event_day": "2026-05-08"},
        follow=True,
    )
    assert response.status_code == 200
    assert "最后发放月份 2026-05" in " ".join(messages_of(response))
    paid_a.refresh_from_db()
    assert paid_a.status == Enrolment.Status.ENDED
    assert paid_a.end_month == M(2026, 5, 1)


def test_end_requires_reason_and_date(client, paid_a, staff):
    login(client, staff)
    response = client.post(reverse("subsidies:enrolment_end", args=[paid_a.pk]), {"reason": "", "event_day": ""})
    assert response.status_code == 400
    paid_a.refresh_from_db()
    assert paid_a.status == Enrolment.Status.CONFIRMED


def test_changes_page_lists_additions_and_removals(client, paid_a, child_a2, caseworker_a, supervisor_a, staff2, staff):
    make_orphan(child_a2, staff)
    login(client, staff)
    client.post(reverse("subsidies:enrolment_end", args=[paid_a.pk]), {"reason": "died", "event_day": "2026-04-03"})
    response = client.get(reverse("subsidies:changes"), {"month": "2026-05"})
    assert [e.pk for e in response.context["changes"].removed.rows] == [paid_a.pk]
    assert "死亡" in response.text
    response = client.get(reverse("subsidies:changes"), {"month": "2026-04"})
    assert [e.pk for e in response.context["changes"].added.rows] == [paid_a.pk]


def test_queue_lists_enrolments_to_end_past_the_age_limit(
    client, staff, supervisor_a, caseworker_a, child_a, programmes
):
    child_a.birth_date = M(2008, 4, 2)  # 18 on 2026-04-02
    child_a.id_number = ""
    child_a.no_id_reason = "无"
    child_a.save()
    make_orphan(child_a, staff)
    enrolment = Enrolment.objects.create(
        child=child_a,
        programme=programmes["orphan_scattered"],
        status=Enrolment.Status.CONFIRMED,
        applied_on=M(2025, 1, 1),
        start_month=M(2025, 2, 1),
    )
    login(client, staff)
    response = client.get(reverse("subsidies:queue"))
    assert [e.pk for e in response.context["to_end"]] == [enrolment.pk]
    response = client.get(reverse("subsidies:changes"), {"month": "2026-05"})
    assert [e.pk for e in response.context["changes"].reaching_age.rows] == [enrolment.pk]


# ---------------------------------------------------------------------------------------------
# Batches


def test_start_a_month_from_the_page(client, paid_a, staff, django_capture_on_commit_callbacks):
    login(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subsidies:batch_start"), {"month": "2026-04"})
    assert response.status_code == 302
    assert response.url == reverse("subsidies:batch", args=[M(2026, 4, 1)]) + "?queued=1"
    batch = Batch.objects.get(month=M(2026, 4, 1))
    assert batch.status == Batch.Status.DRAFT
    assert batch.run_by == staff

    progress = client.get(reverse("subsidies:batch_progress", args=[batch.month])).json()
    assert progress["finished"] is True
    assert progress["done"] == progress["total"] == batch.townships_total

    response = client.get(response.url)
    by_programme = response.context["by_programme"]
    assert [(r.label, r.children, r.normal, r.total) for r in by_programme.rows] == [
        ("散居孤儿基本生活费", 1, Decimal("1000.00"), Decimal("1000.00"))
    ]
    assert by_programme.total.total == batch.total_amount == Decimal("1000.00")
    assert "1,000.00" in response.text


def test_start_refuses_a_month_with_an_earlier_draft(client, paid_a, staff, django_capture_on_commit_callbacks):
    compute_month(month=M(2026, 4, 1), actor=staff)
    login(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subsidies:batch_start"), {"month": "2026-05"})
    assert response.status_code == 400
    assert "请先审批之前月份的批次（2026-04），再计算2026-05。" in response.text
    assert not Batch.objects.filter(month=M(2026, 5, 1)).exists()


def test_start_refuses_a_future_month(client, staff):
    login(client, staff)
    response = client.post(reverse("subsidies:batch_start"), {"month": "2026-07"})
    assert response.status_code == 400
    assert "不能计算尚未到来的月份。" in response.text


def test_a_month_not_computed_yet(client, staff):
    login(client, staff)
    url = reverse("subsidies:batch", args=[M(2026, 5, 1)])
    response = client.get(url)
    assert response.status_code == 200
    assert "该月还没有发放批次。" in response.text
    assert "排队等待计算" in client.get(url, {"queued": "1"}).text  # just handed to a worker
    assert client.get(reverse("subsidies:batch_progress", args=[M(2026, 5, 1)])).json()["status"] == "queued"
    assert client.get("/subsidies/batches/2026-13/").status_code == 404


def test_grand_total_is_the_sum_of_the_lines(
    client, paid_a, child_b, child_a2, caseworker_a, caseworker_b, supervisor_a, supervisor_b, staff, staff2, programmes
):
    """Three children in two townships, two programmes, with arrears: every total adds up to the fen."""
    make_orphan(child_b, staff)
    enrol(
        child_b,
        programmes["orphan_scattered"],
        applicant=caseworker_b,
        checker=supervisor_b,
        confirmer=staff,
        applied_on=M(2026, 1, 5),
        confirmed_on=M(2026, 1, 20),  # late: arrears for February and March
    )
    Standard.objects.create(
        programme=programmes["rural_dibao"], effective_month=M(2026, 1, 1), amount=Decimal("333.33")
    )
    enrol(
        child_a2,
        programmes["rural_dibao"],
        applicant=caseworker_a,
        checker=supervisor_a,
        confirmer=staff,
        applied_on=M(2026, 3, 1),
        confirmed_on=M(2026, 3, 2),
    )
    for month in (M(2026, 2, 1), M(2026, 3, 1)):
        Batch.objects.create(month=month, status=Batch.Status.APPROVED)
    batch = compute_month(month=M(2026, 4, 1), actor=staff2)
    login(client, staff)
    response = client.get(reverse("subsidies:batch", args=[batch.month]))
    lines_total = sum(Line.objects.filter(batch=batch).values_list("amount", flat=True), Decimal("0.00"))
    for totals in (response.context["by_programme"], response.context["by_township"]):
        assert totals.total.total == lines_total == batch.total_amount
        assert sum((r.total for r in totals.rows), Decimal("0.00")) == lines_total
        assert totals.total.arrears == Decimal("2000.00")
    assert lines_total == Decimal("4333.33")
    assert response.context["by_programme"].total.children == 3
    assert "4,333.33" in response.text


def test_the_runner_may_not_approve(client, paid_a, staff, leader):
    batch = compute_month(month=M(2026, 4, 1), actor=staff)
    login(client, staff)
    url = reverse("subsidies:batch_approve", args=[batch.month])
    response = client.post(url, {"reviewed": "on"})
    assert response.status_code == 400
    assert "审批人不能是计算该批次的人，请由另一人审批。" in response.text
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT

    login(client, leader)
    assert client.post(url, {}).status_code == 400  # the review box must be ticked
    response = client.post(url, {"reviewed": "on"})
    assert response.status_code == 400  # not through the confirmation page
    assert "请在本页核对审批的后果后再确认。" in response.text
    response = client.post(url, {"reviewed": "on", "confirm": confirm_token(leader, "batch_approve", batch.pk)})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Batch.Status.APPROVED
    assert batch.approved_by == leader


def test_approval_goes_through_a_page_that_says_what_will_happen(client, paid_a, staff, leader):
    batch = compute_month(month=M(2026, 4, 1), actor=staff)
    url = reverse("subsidies:batch_approve", args=[batch.month])
    login(client, leader)
    detail = client.get(reverse("subsidies:batch", args=[batch.month])).text
    assert f'<form method="get" action="{url}" id="approve">' in detail  # the batch page leads to the check
    page = client.get(url, {"reviewed": "on"})
    assert page.status_code == 200
    assert "确认后将会：" in page.text and "此后不再改变" in page.text and "此操作不能撤销。" in page.text
    assert f"{batch.total_amount:,.2f}" in page.text
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT  # GET changes nothing
    # A token of another user, or of another step, is not a confirmation.
    for token in (confirm_token(staff, "batch_approve", batch.pk), confirm_token(leader, "close_child", batch.pk)):
        assert client.post(url, {"reviewed": "on", "confirm": token}).status_code == 400
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT
    token = page.context["confirm_token"]
    assert client.post(url, {"reviewed": "on", "confirm": token}).status_code == 302
    batch.refresh_from_db()
    assert batch.status == Batch.Status.APPROVED


def test_recompute_a_draft_from_its_page(client, paid_a, staff, staff2, django_capture_on_commit_callbacks):
    batch = compute_month(month=M(2026, 4, 1), actor=staff)
    login(client, staff2)
    assert "重新计算" in client.get(reverse("subsidies:batch", args=[batch.month])).text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subsidies:batch_start"), {"month": "2026-04"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT
    assert batch.run_by == staff2
    assert batch.total_amount == Decimal("1000.00")

    approve_batch(batch=batch, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subsidies:batch_start"), {"month": "2026-04"})
    assert response.status_code == 400
    assert "2026-04的批次已审批，不能重新计算" in response.text


def test_diff_shows_added_removed_and_changed(
    client, time_machine, paid_a, child_b, caseworker_b, supervisor_b, staff, staff2, programmes
):
    april = compute_month(month=M(2026, 4, 1), actor=staff)
    approve_batch(batch=april, actor=staff2)
    make_orphan(child_b, staff)
    enrol(
        child_b,
        programmes["orphan_scattered"],
        applicant=caseworker_b,
        checker=supervisor_b,
        confirmer=staff,
        applied_on=M(2026, 4, 1),
        confirmed_on=M(2026, 4, 10),
    )
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    login(client, staff2)
    response = client.get(reverse("subsidies:batch", args=[may.month]))
    diff = response.context["diff"]
    assert diff.previous == april
    assert [line.child.name for line in diff.added.rows] == ["刘小军"]
    assert diff.removed.rows == []
    assert "刘小军" in response.text
    approve_batch(batch=may, actor=staff2)

    # June: child_a's enrolment ended in May (paid through May), the standard raised for June.
    login(client, staff)
    client.post(reverse("subsidies:enrolment_end", args=[paid_a.pk]), {"reason": "adopted", "event_day": "2026-05-08"})
    client.post(
        reverse("subsidies:standard_set", args=[programmes["orphan_scattered"].pk]),
        {"effective_month": "2026-06", "amount": "1100", "note": "测试文件"},
    )
    time_machine.move_to(datetime.datetime(2026, 6, 20, 10, tzinfo=datetime.UTC), tick=False)
    june = compute_month(month=M(2026, 6, 1), actor=staff)
    response = login(client, staff2).get(reverse("subsidies:batch", args=[june.month]))
    diff = response.context["diff"]
    assert [(line.child.name, line.reason) for line in diff.removed.rows] == [
        ("王小明", "被收养（2026-05-08），发放至2026-05")
    ]
    assert [(line.child.name, line.old_amount, line.amount) for line in diff.changed.rows] == [
        ("刘小军", Decimal("1000.00"), Decimal("1100.00"))
    ]
    assert "1,000.00 → 1,100.00" in response.text


# ---------------------------------------------------------------------------------------------
# Programmes and standards


def test_programmes_page_flags_missing_standards_and_explains_the_preload(client, caseworker_a, programmes):
    login(client, caseworker_a)
    response = client.get(reverse("subsidies:programmes"))
    assert response.status_code == 200
    text = response.text
    assert "社会散居孤儿和事实无人抚养儿童每人每月 1,000 元，机构集中养育孤儿每人每月 1,450 元" in text
    unset = [p.code for p in response.context["programmes"] if p.current is None]
    assert unset == ["extreme_poverty", "urban_dibao", "rural_dibao", "severe_disability_care", "poor_disabled_living"]
    assert text.count("未设置标准</span>") == 2 * len(unset)  # in the overview and on each programme's card
    assert "1,450.00" in text
    assert "录入或调整标准" not in text  # read only


def test_standard_edit_is_audited_and_staff_only(client, staff, leader, supervisor_a, programmes):
    programme = programmes["rural_dibao"]
    url = reverse("subsidies:standard_set", args=[programme.pk])
    data = {"effective_month": "2026-01", "amount": "590.5", "note": "定民〔2026〕1号"}
    for user in (leader, supervisor_a):
        login(client, user)
        assert client.post(url, data).status_code == 404
    assert not programme.standards.exists()

    login(client, staff)
    assert "录入或调整标准" in client.get(reverse("subsidies:programmes")).text
    response = client.post(url, data)
    assert response.status_code == 302
    standard = programme.standards.get()
    assert (standard.effective_month, standard.amount, standard.note) == (
        M(2026, 1, 1),
        Decimal("590.50"),
        data["note"],
    )
    entry = AuditEntry.objects.get(object_type="standard")
    assert entry.actor == staff
    assert entry.changes == {"月标准（元）": [None, "590.50"]}

    response = client.post(url, {**data, "amount": "600"})
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(object_type="standard").first()
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes == {"月标准（元）": ["590.50", "600.00"]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"effective_month": "2026/01", "amount": "100", "note": "x"}, "请按“年-月”填写月份"),
        ({"effective_month": "2026-01", "amount": "-1", "note": "x"}, "0"),
        ({"effective_month": "2026-01", "amount": "1.005", "note": "x"}, "2"),
        ({"effective_month": "2026-01", "amount": "100", "note": ""}, "该字段是必填项。"),
    ],
)
def test_standard_form_refuses_bad_input(client, staff, programmes, data, message):
    login(client, staff)
    response = client.post(reverse("subsidies:standard_set", args=[programmes["rural_dibao"].pk]), data)
    assert response.status_code == 400
    assert message in response.text
    assert not Standard.objects.filter(programme=programmes["rural_dibao"]).exists()


# ---------------------------------------------------------------------------------------------
# The dashboard's to-do counts


def test_dashboard_counts_what_waits_for_each_role(
    client, orphan_a, caseworker_a, supervisor_a, staff, leader, programmes
):
    apply_enrolment(
        actor=caseworker_a, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=M(2026, 5, 1)
    )
    compute_month(month=M(2026, 4, 1), actor=staff)
    expected = {
        supervisor_a: {"to_check": 1},
        staff: {"to_check": 1, "to_confirm": 0, "to_end": 0, "to_approve": 0},
        leader: {"to_approve": 1},
        caseworker_a: {},
    }
    for user, todo in expected.items():
        login(client, user)
        assert client.get(reverse("dashboard")).context["todo"] == todo


# ---------------------------------------------------------------------------------------------
# Lists stay flat


@pytest.mark.parametrize("count", [1, 6])
def test_enrolment_list_queries_do_not_grow_with_the_page(
    client, django_assert_num_queries, staff, caseworker_a, township_a, village_a, programmes, count
):
    from tests.factories import ChildFactory

    for _ in range(count):
        child = ChildFactory(township=township_a, village=village_a)
        apply_enrolment(actor=caseworker_a, child=child, programme=programmes["rural_dibao"], applied_on=M(2026, 5, 1))
    login(client, staff)
    with django_assert_num_queries(QUERIES_ENROLMENT_LIST):
        response = client.get(reverse("subsidies:enrolments"), {"programme": programmes["rural_dibao"].pk})
    assert len(response.context["page"].object_list) == count


# Session, user with profile, the chosen programme, the capped count, the programme and township
# choices, the page of enrolments with child, township, village and programme joined, and the
# session renewed (the first page after logging in).
QUERIES_ENROLMENT_LIST = 10


def test_start_form_suggests_the_next_month_to_compute(client, paid_a, staff, staff2):
    login(client, staff)
    assert client.get(reverse("subsidies:batches")).context["start_form"].initial["month"] == M(2026, 5, 1)
    approve_batch(batch=compute_month(month=M(2026, 3, 1), actor=staff), actor=staff2)
    compute_month(month=M(2026, 4, 1), actor=staff)
    assert client.get(reverse("subsidies:batches")).context["start_form"].initial["month"] == M(2026, 4, 1)


def test_apply_page_says_when_the_programme_is_already_held(client, paid_a, caseworker_a):
    login(client, caseworker_a)
    response = client.get(reverse("subsidies:apply", args=[paid_a.child.pk]), {"programme": paid_a.programme.pk})
    assert "该儿童已有散居孤儿基本生活费的记录（已确认，保障中），不能重复申请。" in response.text


def test_a_failed_township_shows_on_the_batch_and_a_restart_finishes_it(
    client, paid_a, staff, monkeypatch, django_capture_on_commit_callbacks
):
    from subsidies import tasks

    real = tasks.compute_township

    def broken(*, batch_id, township_id):
        raise RuntimeError("数据库磁盘已满")

    monkeypatch.setattr(tasks, "compute_township", broken)
    login(client, staff)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("subsidies:batch_start"), {"month": "2026-04"})
    batch = Batch.objects.get(month=M(2026, 4, 1))
    assert batch.status == Batch.Status.COMPUTING
    assert "计算失败：数据库磁盘已满" in batch.error
    progress = client.get(reverse("subsidies:batch_progress", args=[batch.month])).json()
    assert progress["finished"] is False
    assert "数据库磁盘已满" in progress["error"]
    page = client.get(reverse("subsidies:batch", args=[batch.month]))
    assert 'id="batch-error"' in page.text
    assert "继续计算" in page.text

    monkeypatch.setattr(tasks, "compute_township", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subsidies:batch_start"), {"month": "2026-04"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.error) == (Batch.Status.DRAFT, "")
    assert batch.total_amount == Decimal("1000.00")
