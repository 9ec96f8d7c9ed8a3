"""A batch's problem list (问题清单): what the approver must see before the money goes out.

`detect_problems` runs once, when `finish_batch` adds up the totals and in the same transaction,
and keeps one `BatchProblem` row per child and problem; the batch page and the roster workbook
read those rows, nothing is recomputed per page view. Each kind is found by one or two set-based
queries over the batch's lines, so the list stays quick at a million lines.

Whether a kind blocks approval is data (`SEVERITY`):

- blocking: a line the bank cannot pay (no account), money paid twice for one programme and
  period, and an amount unlike the standard with no second programme to explain it;
- warning: everything a clerk should look at but that does not make a line wrong by itself
  (no ID number, several children on one account, classifications the parents' situations no
  longer support, 18th birthdays this month, closed files, overdue annual reviews).

A blocking kind stops `approve_batch` until a staff member waives it with a written reason
(`waive_problem`, audited). A recomputed draft gets a new list and loses its waivers: the
children behind a waiver may have changed.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, F, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from children.models import Child, Classification, ClassificationKind, ParentSituation, add_years
from children.rules import (
    DE_FACTO_KINDS,
    LASTING,
    MIN_MONTHS,
    ORPHAN_KINDS,
    TERMED,
    Uncounted,
    classification_problems,
    lasting_cutoff,
    matrix_situations,
    matrix_supports,
)
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import AuditEntry

from .models import Batch, BatchProblem, BatchWaiver, Line, Programme
from .months import add_months, format_month

Kind = BatchProblem.Kind
FATHER, MOTHER = ParentSituation.Parent.FATHER, ParentSituation.Parent.MOTHER
PARENT_DECIDED_KINDS = ORPHAN_KINDS | DE_FACTO_KINDS
BLOCKING, WARNING = "blocking", "warning"
SEVERITY = {
    Kind.NO_ACCOUNT: BLOCKING,
    Kind.PAID_TWICE: BLOCKING,
    Kind.AMOUNT_UNLIKE_STANDARD: BLOCKING,
    Kind.NO_ID_NUMBER: WARNING,
    Kind.SHARED_ACCOUNT: WARNING,
    Kind.UNSUPPORTED_CLASSIFICATION: WARNING,
    Kind.TURNING_18: WARNING,
    Kind.CLOSED_FILE: WARNING,
    Kind.REVIEW_OVERDUE: WARNING,
    Kind.TERM_UNRECORDED: WARNING,
}
SEVERITY_LABELS = {BLOCKING: gettext_lazy("须处理或豁免后方可审批"), WARNING: gettext_lazy("提示")}
ONE_DAY = datetime.timedelta(days=1)
CENT = Decimal("0.01")


def _paid_lines(batch: Batch):
    return Line.objects.filter(batch=batch, amount__gt=0)


def _no_account(batch):
    for child_id, township_id in _paid_lines(batch).filter(account_number="").values_list("child_id", "township_id"):
        yield child_id, township_id, ""


def _no_id_number(batch):
    rows = Line.objects.filter(batch=batch, child__id_number="").values_list(
        "child_id", "township_id", "child__no_id_reason"
    )
    for child_id, township_id, reason in rows:
        yield child_id, township_id, _("未登记原因：%(r)s") % {"r": reason} if reason else ""


def _shared_account(batch):
    shared = dict(
        _paid_lines(batch)
        .exclude(account_number="")
        .values("account_number")
        .annotate(n=Count("child_id", distinct=True))
        .filter(n__gt=settings.SHARED_ACCOUNT_MAX_CHILDREN)
        .values_list("account_number", "n")
    )
    if not shared:
        return
    rows = (
        _paid_lines(batch)
        .filter(account_number__in=list(shared))
        .values_list("child_id", "township_id", "account_number")
    )
    for child_id, township_id, account in rows:
        # The account is masked here: the list is shown to everyone who sees the batch.
        yield (
            child_id,
            township_id,
            _("账号尾号%(tail)s，本批次共%(n)d名儿童") % {"tail": account[-4:], "n": shared[account]},
        )


def _paid_twice(batch):
    """A child, programme and period paid more than its standard, this batch and the approved ones together.

    Netted: an adjustment that takes back what an ended enrolment paid cancels the new one's arrears.
    """
    programmes = dict(Programme.objects.values_list("pk", "name"))
    in_this_batch = _paid_lines(batch).filter(
        child_id=OuterRef("child_id"), programme_id=OuterRef("programme_id"), period=OuterRef("period")
    )
    rows = (
        Line.objects.filter(Q(batch=batch) | Q(batch__status__in=[Batch.Status.APPROVED, Batch.Status.EXPORTED]))
        .filter(Exists(in_this_batch))
        .values("child_id", "programme_id", "period")
        .annotate(total=Sum("amount"), most=Max("standard"), lines=Count("id"), home=Max("child__township_id"))
        .filter(total__gt=F("most"), lines__gt=1)
        .values_list("child_id", "home", "programme_id", "period", "total")
    )
    for child_id, township_id, programme_id, period, total in rows:
        yield (
            child_id,
            township_id,
            _("%(p)s %(m)s共发放%(t)s元，超过标准")
            % {"p": programmes[programme_id], "m": format_month(period), "t": total.quantize(CENT)},
        )


def _turning_18(batch):
    born_from = add_years(batch.month, -18)
    born_before = add_years(add_months(batch.month, 1), -18)
    rows = Line.objects.filter(
        batch=batch, child__birth_date__gte=born_from, child__birth_date__lt=born_before
    ).values_list("child_id", "township_id", "child__birth_date")
    for child_id, township_id, birth_date in rows:
        yield child_id, township_id, _("%(d)s年满18周岁") % {"d": add_years(birth_date, 18).isoformat()}


def _closed_file(batch):
    rows = Line.objects.filter(batch=batch, child__status=Child.Status.CLOSED).values_list(
        "child_id", "township_id", "child__closed_on", "child__closed_reason"
    )
    for child_id, township_id, closed_on, reason in rows:
        label = Child.ClosedReason(reason).label if reason else "—"
        yield (
            child_id,
            township_id,
            _("%(d)s销档（%(r)s）") % {"d": closed_on.isoformat() if closed_on else "—", "r": label},
        )


def _amount_unlike_standard(batch):
    # A second paying programme of the child for the same period is the stacking reason (补差, 不重复享受).
    partner = Line.objects.filter(
        batch_id=OuterRef("batch_id"), child_id=OuterRef("child_id"), period=OuterRef("period")
    ).exclude(programme_id=OuterRef("programme_id"))
    rows = (
        Line.objects.filter(batch=batch, kind=Line.Kind.NORMAL)
        .exclude(amount=F("standard"))
        .exclude(Exists(partner))
        .values_list("child_id", "township_id", "programme__name", "amount", "standard")
    )
    for child_id, township_id, programme, amount, standard in rows:
        yield (
            child_id,
            township_id,
            _("%(p)s：发放%(a)s元，标准%(s)s元") % {"p": programme, "a": amount, "s": standard},
        )


def _parent_state(parent: str, day: datetime.date):
    """The parent's situation in force on `day` and whether 62号 counts it then, as "situation:1" or ":0" (SQL).

    0: it does not count on `day` (失联 under six months, a term under six months). The same
    durations as `children.rules.situation_counts`, from the same constants.
    """
    state = Case(
        When(situation__in=LASTING, start_date__gt=lasting_cutoff(day), then=Value("0")),
        When(situation__in=TERMED, term_months__lt=MIN_MONTHS, then=Value("0")),
        default=Value("1"),
    )
    records = (
        ParentSituation.objects.filter(child_id=OuterRef("child_id"), parent=parent, start_date__lte=day)
        .order_by("-start_date", "-id")
        .annotate(code=Concat("situation", Value(":"), state, output_field=CharField()))
    )
    return Subquery(records.values("code")[:1])


def _decode(code: str | None) -> str | None:
    """ "situation:state" to the value the 62号 matrix takes."""
    if code is None:
        return None
    situation, state = code.split(":")
    return situation if state == "1" else Uncounted(situation, "")


def _unsupported_classification(batch):
    """Open classifications of the paid children that the parents' situations do not support this month.

    One query gives each open orphan or de-facto classification of a paid child with both parents'
    states as of the month's last day; the 62号 matrix (`children.rules.matrix_supports`) is asked
    once per distinct combination of kind and states, not once per child. Only the children it
    refuses are read whole, for the clerk's reason (`classification_problems`, same durations).
    Kinds the parents do not decide (none of the default programmes) are checked child by child.
    """
    day = add_months(batch.month, 1) - ONE_DAY
    kinds = {k for p in Programme.objects.filter(pk__in=Line.objects.filter(batch=batch).values("programme_id"))
             for k in p.eligible_kinds}  # fmt: skip
    paid_children = Line.objects.filter(batch=batch).values("child_id")
    rows = (
        Classification.objects.current_on(day)
        .filter(kind__in=kinds & PARENT_DECIDED_KINDS, child_id__in=paid_children)
        .annotate(father=_parent_state(FATHER, day), mother=_parent_state(MOTHER, day))
        .values_list("child_id", "child__township_id", "kind", "father", "mother")
    )
    verdicts: dict[tuple, bool] = {}
    refused: dict[tuple[int, str], int] = {}
    for child_id, township_id, kind, father, mother in rows.iterator(chunk_size=5000):
        key = (kind, father, mother)
        if key not in verdicts:
            verdicts[key] = matrix_supports(kind, _decode(father), _decode(mother))
        if not verdicts[key]:
            refused[(child_id, kind)] = township_id
    others = Classification.objects.current_on(day).filter(
        kind__in=kinds - PARENT_DECIDED_KINDS, child_id__in=paid_children
    )
    for child_id, kind, township_id in others.values_list("child_id", "kind", "child__township_id"):
        refused[(child_id, kind)] = township_id
    children = Child.objects.prefetch_related("parent_situations").in_bulk({c for c, _k in refused})
    for (child_id, kind), township_id in sorted(refused.items()):
        child = children[child_id]
        problems = classification_problems(child, kind, day, parents=matrix_situations(child, day))
        if problems:
            yield child_id, township_id, f"{ClassificationKind(kind).label}：{problems[0]}"[:300]


def _term_unrecorded(batch):
    """A parent's 服刑在押, 强制隔离戒毒 or other restriction in force with no term recorded, behind an open
    de-facto classification of a paid child.

    Recorded before the term was asked for: the situation still counts (nothing is refused), but
    62号 needs a term of six months or more, so the clerk is asked to check it.
    """
    day = add_months(batch.month, 1) - ONE_DAY
    de_facto = Classification.objects.current_on(day).filter(
        kind__in=DE_FACTO_KINDS, child_id__in=Line.objects.filter(batch=batch).values("child_id")
    )
    later = ParentSituation.objects.filter(
        child_id=OuterRef("child_id"), parent=OuterRef("parent"), start_date__lte=day
    ).filter(Q(start_date__gt=OuterRef("start_date")) | Q(start_date=OuterRef("start_date"), id__gt=OuterRef("id")))
    rows = (
        ParentSituation.objects.filter(situation__in=TERMED, term_months__isnull=True, start_date__lte=day)
        .filter(child_id__in=de_facto.values("child_id"))
        .exclude(Exists(later))
        .values_list("child_id", "child__township_id", "parent", "situation")
    )
    for child_id, township_id, parent, situation in rows:
        yield (
            child_id,
            township_id,
            _("%(p)s%(s)s未登记期限，请核实是否满%(n)d个月（民发〔2019〕62号）")
            % {
                "p": ParentSituation.Parent(parent).label,
                "s": ParentSituation.Situation(situation).label,
                "n": MIN_MONTHS,
            },
        )


def _review_overdue(batch):
    """Open classifications whose annual review date has passed by the batch month's first day."""
    rows = (
        Classification.objects.open()
        .filter(next_review__lt=batch.month, child_id__in=Line.objects.filter(batch=batch).values("child_id"))
        .values_list("child_id", "child__township_id", "kind", "next_review")
    )
    for child_id, township_id, kind, due in rows:
        yield (
            child_id,
            township_id,
            _("%(k)s应于%(d)s复核") % {"k": ClassificationKind(kind).label, "d": due.isoformat()},
        )


DETECTORS = {
    Kind.NO_ACCOUNT: _no_account,
    Kind.NO_ID_NUMBER: _no_id_number,
    Kind.SHARED_ACCOUNT: _shared_account,
    Kind.PAID_TWICE: _paid_twice,
    Kind.UNSUPPORTED_CLASSIFICATION: _unsupported_classification,
    Kind.TURNING_18: _turning_18,
    Kind.CLOSED_FILE: _closed_file,
    Kind.AMOUNT_UNLIKE_STANDARD: _amount_unlike_standard,
    Kind.REVIEW_OVERDUE: _review_overdue,
    Kind.TERM_UNRECORDED: _term_unrecorded,
}


def detect_problems(batch: Batch) -> int:
    """Write the batch's problem list afresh (inside the caller's transaction); returns its length.

    One row per kind, child and detail: a child with several lines for the same reason is listed once.
    """
    BatchProblem.objects.filter(batch=batch).delete()
    BatchWaiver.objects.filter(batch=batch).delete()
    rows = []
    for kind, detector in DETECTORS.items():
        seen = set()
        for child_id, township_id, detail in detector(batch):
            if (child_id, detail) in seen:
                continue
            seen.add((child_id, detail))
            rows.append(BatchProblem(batch=batch, kind=kind, child_id=child_id, township_id=township_id, detail=detail))
    BatchProblem.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def problem_counts(batch: Batch) -> list[dict]:
    """One entry per kind found: kind, label, severity, count and the waiver if any, blocking kinds first."""
    counts = dict(batch.problems.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    waivers = {w.kind: w for w in batch.waivers.select_related("waived_by")}
    entries = [
        {
            "kind": kind,
            "label": Kind(kind).label,
            "severity": SEVERITY[kind],
            "severity_label": SEVERITY_LABELS[SEVERITY[kind]],
            "count": counts[kind],
            "waiver": waivers.get(kind),
        }
        for kind in SEVERITY
        if counts.get(kind)
    ]
    return sorted(entries, key=lambda e: e["severity"] != BLOCKING)


def unwaived_blocking(batch: Batch) -> list[dict]:
    return [e for e in problem_counts(batch) if e["severity"] == BLOCKING and e["waiver"] is None]


def approval_refusal(batch: Batch) -> str | None:
    """Why the problem list stops approval, or None."""
    open_kinds = unwaived_blocking(batch)
    if not open_kinds:
        return None
    return _("问题清单中有须处理的问题：%(k)s。请先更正后重新计算，或由业务人员填写理由豁免。") % {
        "k": _("、").join(_("%(l)s %(n)d名") % {"l": e["label"], "n": e["count"]} for e in open_kinds)
    }


@transaction.atomic
def waive_problem(*, batch: Batch, kind: str, reason: str, actor) -> BatchWaiver:
    """Approve despite one blocking kind: the staff member's written reason is kept and audited."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    reason = reason.strip()
    if batch.status != Batch.Status.DRAFT:
        raise ValidationError(_("只有待审批的批次可以豁免问题。"))
    if SEVERITY.get(kind) != BLOCKING:
        raise ValidationError(_("只有须处理的问题需要豁免。"))
    if not reason:
        raise ValidationError({"reason": _("请填写豁免理由。")})
    count = batch.problems.filter(kind=kind).count()
    if not count:
        raise ValidationError(_("本批次没有该类问题。"))
    if batch.waivers.filter(kind=kind).exists():
        raise ValidationError(_("该类问题已豁免。"))
    waiver = BatchWaiver.objects.create(
        batch=batch, kind=kind, problem_count=count, reason=reason, waived_by=actor, waived_at=timezone.now()
    )
    log_action(
        actor=actor,
        action=AuditEntry.Action.DECISION,
        obj=batch,
        summary=_("豁免%(m)s发放批次的问题“%(k)s”（%(n)d名儿童）：%(r)s")
        % {"m": format_month(batch.month), "k": Kind(kind).label, "n": count, "r": reason},
    )
    return waiver


def problem_rows(batch: Batch):
    """The list as the page and the sheet show it: blocking kinds first, then by kind, township and name."""
    blocking_first = Case(
        *(When(kind=kind, then=Value(0 if severity == BLOCKING else 1)) for kind, severity in SEVERITY.items()),
        default=Value(1),
    )
    return batch.problems.select_related("child", "township").order_by(
        blocking_first, "kind", "township__code", "child__name", "id"
    )
