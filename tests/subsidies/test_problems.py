"""The problem list of a batch (issue 14 item 4): found once when the batch is computed, shown before approval."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from children.models import Child, ParentSituation, PaymentAccount
from children.services import close_child
from dingzhou_welfare.models import AuditEntry, Role
from subsidies.disbursement import approve_batch, compute_month
from subsidies.exports import write_export
from subsidies.models import Batch, BatchProblem, BatchWaiver, Line
from subsidies.problems import BLOCKING, SEVERITY, detect_problems, problem_counts, waive_problem
from tests.factories import make_id_number, make_user

from .conftest import enrol, make_orphan

pytestmark = pytest.mark.django_db
M = datetime.date
Kind = BatchProblem.Kind


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def staff2(db):
    return make_user("staff2", Role.STAFF)


@pytest.fixture
def paid(child_a, child_a2, child_b, staff, staff2, supervisor_a, caseworker_a, programmes, township_b):
    """Three orphans paid from April: child_a, child_a2 (township A) and child_b (township B)."""
    supervisor_b = make_user("supervisor_b", Role.SUPERVISOR, townships=[township_b])
    enrolments = {}
    for child, checker in ((child_a, supervisor_a), (child_a2, supervisor_a), (child_b, supervisor_b)):
        make_orphan(child, staff, since=M(2025, 6, 1))  # the annual review falls due in June 2026
        enrolments[child.pk] = enrol(
            child,
            programmes["orphan_scattered"],
            applicant=caseworker_a if checker == supervisor_a else staff2,
            checker=checker,
            confirmer=staff,
            applied_on=M(2026, 3, 1),
            confirmed_on=M(2026, 3, 10),
        )
    approve_batch(batch=compute_month(month=M(2026, 4, 1), actor=staff), actor=staff2)
    return enrolments


def kinds_of(batch) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for kind, child_id in BatchProblem.objects.filter(batch=batch).values_list("kind", "child_id"):
        found.setdefault(kind, set()).add(child_id)
    return found


def test_a_clean_batch_has_no_problems_and_is_approved(paid, staff, staff2):
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    assert may.line_count == 3
    assert kinds_of(may) == {}
    approve_batch(batch=may, actor=staff2)


def test_each_kind_is_found_when_the_batch_is_computed(
    paid, child_a, child_a2, child_b, staff, staff2, settings, township_a
):
    settings.SHARED_ACCOUNT_MAX_CHILDREN = 1  # make_orphan gives every child the same account number
    PaymentAccount.objects.filter(child=child_a2).delete()
    Child.objects.filter(pk=child_b.pk).update(id_number="", no_id_reason="户籍未登记")
    # Turning 18 on 15 May: May is still paid (stop rule: the month after the event).
    born = M(2008, 5, 15)
    Child.objects.filter(pk=child_a.pk).update(birth_date=born, id_number=make_id_number(born))
    # A father recorded alive before the rule suspended anything (data that predates item 2).
    ParentSituation.objects.create(
        child=child_a, parent="father", situation=ParentSituation.Situation.ALIVE_ABLE, start_date=M(2026, 5, 2)
    )
    close_child(actor=staff, child=child_b, reason=Child.ClosedReason.DIED, closed_on=M(2026, 5, 10))

    may = compute_month(month=M(2026, 5, 1), actor=staff)
    found = kinds_of(may)
    assert found[Kind.NO_ACCOUNT] == {child_a2.pk}
    assert found[Kind.NO_ID_NUMBER] == {child_b.pk}
    assert found[Kind.SHARED_ACCOUNT] == {child_a.pk, child_b.pk}
    assert found[Kind.TURNING_18] == {child_a.pk}
    assert found[Kind.UNSUPPORTED_CLASSIFICATION] == {child_a.pk}
    assert found[Kind.CLOSED_FILE] == {child_b.pk}
    assert Kind.PAID_TWICE not in found
    assert Kind.AMOUNT_UNLIKE_STANDARD not in found
    assert BatchProblem.objects.get(batch=may, kind=Kind.SHARED_ACCOUNT, child=child_a).detail == (
        "账号尾号5678，本批次共2名儿童"
    )

    # Lines no engine writes today, as imported or hand-corrected data would leave them.
    line = Line.objects.get(batch=may, child=child_a)
    Line.objects.filter(pk=line.pk).update(amount=Decimal("900.00"))
    Line.objects.create(
        **{f.attname: getattr(line, f.attname) for f in Line._meta.concrete_fields if f.attname != "id"}
        | {"kind": Line.Kind.ARREARS, "batch_id": may.pk}
    )
    detect_problems(may)
    found = kinds_of(may)
    assert found[Kind.PAID_TWICE] == {child_a.pk}
    assert found[Kind.AMOUNT_UNLIKE_STANDARD] == {child_a.pk}


def test_an_earlier_approved_payment_by_another_enrolment_counts_as_paid_twice(paid, child_a, staff, staff2):
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    line = Line.objects.get(batch=may, child=child_a)
    april = Batch.objects.get(month=M(2026, 4, 1))
    other = paid[child_a.pk].__class__.objects.create(
        child=child_a,
        programme=line.programme,
        status="ended",
        applied_on=M(2025, 1, 1),
        start_month=M(2025, 2, 1),
        end_month=M(2026, 5, 1),
        end_reason="other",
    )
    Line.objects.create(
        batch=april, enrolment=other, child=child_a, programme=line.programme, township=line.township,
        period=M(2026, 5, 1), kind=Line.Kind.ARREARS, standard=line.standard, amount=line.amount,
    )  # fmt: skip
    detect_problems(may)
    problem = BatchProblem.objects.get(batch=may, kind=Kind.PAID_TWICE)
    assert problem.child_id == child_a.pk
    assert "共发放2000.00元" in problem.detail


def test_a_blocking_problem_refuses_approval_until_waived(paid, child_a2, staff, staff2):
    PaymentAccount.objects.filter(child=child_a2).delete()
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    assert SEVERITY[Kind.NO_ACCOUNT] == BLOCKING
    with pytest.raises(ValidationError, match="未登记发放账户 1名"):
        approve_batch(batch=may, actor=staff2)
    assert Batch.objects.get(pk=may.pk).status == Batch.Status.DRAFT

    with pytest.raises(ValidationError):
        waive_problem(batch=may, kind=Kind.NO_ACCOUNT, reason="  ", actor=staff2)
    with pytest.raises(ValidationError, match="只有须处理的问题"):
        waive_problem(batch=may, kind=Kind.NO_ID_NUMBER, reason="已核实", actor=staff2)
    waiver = waive_problem(batch=may, kind=Kind.NO_ACCOUNT, reason="账户由乡镇现金代发，已核实", actor=staff2)
    assert (waiver.problem_count, waiver.waived_by) == (1, staff2)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.DECISION, summary__contains="豁免").get()
    assert "账户由乡镇现金代发，已核实" in entry.summary
    assert entry.actor == staff2

    approve_batch(batch=may, actor=staff2)
    assert Batch.objects.get(pk=may.pk).status == Batch.Status.APPROVED


def test_a_recomputed_draft_gets_a_new_list_and_loses_its_waivers(paid, child_a2, staff, staff2):
    PaymentAccount.objects.filter(child=child_a2).delete()
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    waive_problem(batch=may, kind=Kind.NO_ACCOUNT, reason="乡镇现金代发", actor=staff2)
    again = compute_month(month=M(2026, 5, 1), actor=staff)
    assert not BatchWaiver.objects.filter(batch=again).exists()
    assert [e["count"] for e in problem_counts(again)] == [1]
    with pytest.raises(ValidationError):
        approve_batch(batch=again, actor=staff2)


def login(client, user):
    client.force_login(user)
    return client


def test_the_batch_page_shows_the_list_and_takes_a_waiver(client, paid, child_a2, staff, staff2, leader):
    PaymentAccount.objects.filter(child=child_a2).delete()
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    url = reverse("subsidies:batch", args=[may.month])

    login(client, staff2)
    response = client.post(reverse("subsidies:batch_approve", args=[may.month]), {"reviewed": "on"})
    assert response.status_code == 400
    assert "未登记发放账户 1名" in response.text

    page = client.get(url).text
    assert 'id="problem-no_account"' in page
    assert reverse("children:detail", args=[child_a2.pk]) in page
    assert 'id="waive"' in page

    response = client.post(reverse("subsidies:batch_waive", args=[may.month]), {"kind": "no_account", "reason": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("subsidies:batch_waive", args=[may.month]), {"kind": "no_account", "reason": "乡镇现金代发，已核实"}
    )
    assert response.status_code == 302

    login(client, leader)  # the leader sees the list and the waiver, but cannot waive
    page = client.get(url).text
    assert "乡镇现金代发，已核实" in page
    assert 'id="waive"' not in page
    response = client.post(reverse("subsidies:batch_waive", args=[may.month]), {"kind": "no_account", "reason": "x"})
    assert response.status_code == 404


def test_the_page_reads_the_kept_list_without_recomputing(client, paid, child_a2, staff):
    PaymentAccount.objects.filter(child=child_a2).delete()
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    PaymentAccount.objects.create(child=child_a2, payee_name="赵大娘", account_number="6217000099990000")
    login(client, staff)
    page = client.get(reverse("subsidies:batch", args=[may.month])).text
    assert 'id="problem-no_account"' in page  # as computed, until the draft is recomputed


def test_the_roster_workbook_has_the_problem_sheet(paid, child_a2, staff, staff2):
    PaymentAccount.objects.filter(child=child_a2).delete()
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    waive_problem(batch=may, kind=Kind.NO_ACCOUNT, reason="乡镇现金代发", actor=staff2)
    out = io.BytesIO()
    write_export(batch=may, kind="roster", fmt="xlsx", out=out)
    workbook = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert workbook.sheetnames == ["发放花名册", "问题清单"]
    cells = [str(c) for row in workbook["问题清单"].iter_rows(values_only=True) for c in row if c is not None]
    assert "未登记发放账户" in cells
    assert "赵小红" in cells
    assert any("乡镇现金代发" in c for c in cells)
