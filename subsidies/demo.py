"""Demo enrolments, standards and two batches on top of the demo children (manage.py demo_data).

Every amount entered here that is not a Hebei 2020 standard is a fictitious demo value, and says so.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from children.models import Classification, ClassificationKind

from .changes.services import record_history
from .disbursement import approve_batch, compute_month
from .models import Batch, Enrolment, Line, Programme, Standard
from .months import add_months, month_start
from .problems import unwaived_blocking, waive_problem
from .services import apply_enrolment, check_enrolment

DEMO_NOTE = "演示金额（虚构），请按本地现行标准修改"
DEMO_AMOUNTS = {
    "extreme_poverty": Decimal("920.00"),
    "urban_dibao": Decimal("710.00"),
    "rural_dibao": Decimal("530.00"),
    "severe_disability_care": Decimal("90.00"),
    "poor_disabled_living": Decimal("90.00"),
}
BY_KIND = {
    ClassificationKind.ORPHAN_SCATTERED: "orphan_scattered",
    ClassificationKind.ORPHAN_INSTITUTIONAL: "orphan_institutional",
    ClassificationKind.DE_FACTO_SCATTERED: "de_facto_scattered",
    ClassificationKind.DE_FACTO_INSTITUTIONAL: "de_facto_institutional",
}
BY_NOTE = {
    "特困人员救助供养": "extreme_poverty",
    "城镇低保": "urban_dibao",
    "农村低保": "rural_dibao",
    "重度残疾人护理补贴": "severe_disability_care",
    "困难残疾人生活补贴": "poor_disabled_living",
}


def wipe(children) -> None:
    """Remove the demo's batches and enrolments, so the demo children can be deleted."""
    batches = Batch.objects.filter(lines__child__in=children).distinct()
    Batch.objects.filter(pk__in=list(batches.values_list("pk", flat=True))).delete()
    Line.objects.filter(child__in=children).delete()
    Enrolment.objects.filter(child__in=children).delete()


@transaction.atomic
def seed(children, *, today: datetime.date, seed: int = 2022) -> dict:
    """Enrol the demo children as the old system had them, then compute two months.

    Imported enrolments count as paid by the previous system up to three months ago; the month
    before last is computed and approved, last month is computed and left as a draft with a few
    additions (new confirmations) and removals (ended enrolments) to review.
    """
    rng = random.Random(seed)  # noqa: S311 -- demo data, not secrets
    User = get_user_model()
    staff, leader = User.objects.get(username="demo_staff"), User.objects.get(username="demo_leader")
    caseworker, supervisor = User.objects.get(username="demo_caseworker2"), User.objects.get(username="demo_supervisor")
    programmes = {p.code: p for p in Programme.objects.all()}
    for code, amount in DEMO_AMOUNTS.items():
        Standard.objects.get_or_create(
            programme=programmes[code],
            effective_month=datetime.date(2020, 1, 1),
            defaults={"amount": amount, "note": DEMO_NOTE},
        )

    this_month = month_start(today)
    approved_month, draft_month = add_months(this_month, -2), add_months(this_month, -1)
    imported_through = add_months(approved_month, -1)
    enrolments = []
    open_entries = Classification.objects.open().filter(child__in=children).select_related("child")
    for entry in open_entries.order_by("child_id", "kind"):
        code = BY_KIND.get(entry.kind) or BY_NOTE.get(entry.note)
        if code is None:
            continue
        start = max(month_start(entry.start_date), datetime.date(2020, 1, 1))
        enrolments.append(
            Enrolment(
                child=entry.child,
                programme=programmes[code],
                status=Enrolment.Status.CONFIRMED,
                applied_on=entry.start_date,
                start_month=min(start, imported_through),
                prior_paid_through=imported_through,
                evidence="原系统导入（演示）",
            )
        )
    Enrolment.objects.bulk_create(enrolments, batch_size=500)

    # Removals in the draft month: a few payments end after the approved month.
    for enrolment in rng.sample(enrolments, k=min(3, len(enrolments))):
        enrolment.status, enrolment.end_reason = Enrolment.Status.ENDED, Enrolment.EndReason.MOVED_AWAY
        enrolment.ended_on, enrolment.end_month = approved_month + datetime.timedelta(days=9), approved_month
        enrolment.save()

    # Additions in the draft month: a few children newly confirmed through the workflow.
    current = [e for e in enrolments if e.status == Enrolment.Status.CONFIRMED]
    for enrolment in rng.sample(current, k=min(5, len(current))):
        enrolment.start_month, enrolment.prior_paid_through = draft_month, None
        enrolment.applied_by, enrolment.checked_by, enrolment.confirmed_by = caseworker, supervisor, staff
        enrolment.applied_on = approved_month + datetime.timedelta(days=3)
        enrolment.save()

    # The history entered so far as changes for the national list (增员/减员), as the import records them.
    record_history(child_ids=children.values("pk"))
    approved = compute_month(month=approved_month, actor=staff)
    # The past month went out with its gaps waived, as the bureau did before the list existed.
    for entry in unwaived_blocking(approved):
        waive_problem(batch=approved, kind=entry["kind"], reason="演示数据：原系统已发放，待补录后更正", actor=staff)
    approve_batch(batch=approved, actor=leader)
    compute_month(month=draft_month, actor=staff)

    # Work to do: applications waiting for the township's check and for the bureau's confirmation.
    waiting = 0
    township_ids = set(caseworker.profile.townships.values_list("pk", flat=True))
    wanted = [programmes["severe_disability_care"], programmes["rural_dibao"]]
    for child in children.filter(township_id__in=township_ids).order_by("-disability_grade", "pk")[:200]:
        if waiting == 4:
            break
        for programme in wanted:
            try:
                enrolment = apply_enrolment(actor=caseworker, child=child, programme=programme, applied_on=today)
            except ValidationError:
                continue
            if waiting % 2:
                check_enrolment(actor=supervisor, enrolment=enrolment, note="已入户核实（演示）")
            waiting += 1
            break
    return {"enrolments": len(enrolments), "approved": approved_month, "draft": draft_month, "waiting": waiting}
