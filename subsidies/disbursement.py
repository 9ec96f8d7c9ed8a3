"""The monthly disbursement (DESIGN.md section 3).

One service, called by the Celery tasks, the page and the command line:

- `start_batch(month, actor)` creates the month's batch (or reopens a draft) with one
  BatchTownship row per township, and returns the townships still to compute;
- `compute_township(batch_id, township_id)` writes that township's lines in one
  transaction, under a row lock, so two workers or a rerun never duplicate a line and a
  worker killed half-way leaves the township pending for the rerun; the same transaction
  rewrites the township's summary totals (`subsidies.totals`) that the pages read;
- `finish_batch(batch_id)` adds up the totals once every township is done and, in the same
  transaction, writes the problem list the approver reads (`subsidies.problems`).

Database constraints back all of it: one batch per month, one normal line per enrolment and
period, one line per batch, enrolment, period and kind.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Child, Classification, PaymentAccount, Township
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import AuditEntry

from .bank.reissue import reissue_lines
from .eligibility import Facts, Held, qualifies_in
from .models import Batch, BatchTownship, Enrolment, Line, Programme, StackingRule, Standard
from .months import add_months, format_month, month_start, months_between
from .problems import approval_refusal, detect_problems
from .totals import store_totals

ZERO = Decimal("0.00")
# A computing batch with no progress for this long has lost its worker: its pending parts are queued again.
STALE_AFTER = datetime.timedelta(minutes=10)
PAYING = Enrolment.PAYING_STATUSES


class Standards:
    """Every programme's standards in memory (a few rows), looked up by month."""

    def __init__(self):
        self.by_programme: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        for programme_id, month, amount in Standard.objects.order_by("effective_month").values_list(
            "programme_id", "effective_month", "amount"
        ):
            self.by_programme[programme_id].append((month, amount))

    def on(self, programme_id: int, month: datetime.date) -> Decimal | None:
        found = None
        for effective, amount in self.by_programme.get(programme_id, ()):
            if effective > month:
                break
            found = amount
        return found


class Rules:
    def __init__(self):
        self.programmes = {p.pk: p for p in Programme.objects.all()}
        self.rule: dict[tuple[int, int], str] = {
            (r.programme_id, r.other_id): r.rule for r in StackingRule.objects.all()
        }
        self.qualifying_kinds = sorted({k for p in self.programmes.values() for k in p.eligible_kinds})

    def exclusive(self, a: int, b: int) -> bool:
        """A pair is exclusive whichever of the two programmes the rule was entered on."""
        exclusive = StackingRule.Rule.EXCLUSIVE
        return self.rule.get((a, b)) == exclusive or self.rule.get((b, a)) == exclusive


@dataclass
class Due:
    standard: Decimal
    amount: Decimal
    note: str


def stack(held: dict[int, Decimal], rules: Rules) -> dict[int, Due]:
    """The amount due for each programme a child holds in one month, stacking rules applied.

    `held` maps programme id -> standard in force. Exclusive pairs pay the higher standard only
    (ties go to the earlier programme); a top-up pays the difference up to its own standard.
    """
    names = {pk: rules.programmes[pk].name for pk in held}
    order = sorted(held, key=lambda pk: (-held[pk], rules.programmes[pk].display_order, pk))
    due: dict[int, Due] = {}
    paid: list[int] = []
    for pk in order:
        beaten_by = next((o for o in paid if rules.exclusive(pk, o)), None)
        if beaten_by is not None:
            due[pk] = Due(held[pk], ZERO, _("与%(o)s不重复享受") % {"o": names[beaten_by]})
            winner = due[beaten_by]
            extra = _("与%(o)s不重复享受，按较高标准发放") % {"o": names[pk]}
            winner.note = f"{winner.note}；{extra}" if winner.note else extra
            continue
        due[pk] = Due(held[pk], held[pk], "")
        paid.append(pk)
    for pk in order:
        if due[pk].amount == ZERO:
            continue
        others = [
            o for o in held if o != pk and rules.rule.get((pk, o)) == StackingRule.Rule.TOP_UP and due[o].amount > 0
        ]
        if others:
            received = sum((due[o].amount for o in others), ZERO)
            due[pk].amount = max(ZERO, held[pk] - received)
            top_up = _("补差：本项目标准%(s)s元，已领%(o)s %(r)s元") % {
                "s": held[pk],
                "o": _("、").join(names[o] for o in others),
                "r": received,
            }
            due[pk].note = f"{top_up}；{due[pk].note}" if due[pk].note else top_up
    return due


def _paying(e: dict, month: datetime.date, programme: Programme, facts: Facts) -> bool:
    """Whether enrolment `e` pays `month`: its own months, not suspended, and the child qualified then."""
    if e["start_month"] is None or e["start_month"] > month:
        return False
    if e["end_month"] is not None and month > e["end_month"]:
        return False
    if e["suspended_from"] is not None and month >= e["suspended_from"]:
        return False
    prior = e["prior_paid_through"]
    if prior and month <= prior:
        return False
    return qualifies_in(programme, facts, month)


# ---------------------------------------------------------------------------------------------
# Starting, computing and finishing a batch


def start_batch(*, month: datetime.date, actor=None, requested_at: datetime.datetime | None = None) -> Batch:
    """Create (or reopen for recomputation) the batch of `month`. Approved batches never change.

    `requested_at` is when someone asked for this run (the job carries it). A draft finished after
    that moment has already answered the request: it is not reopened. A queued job delivered again
    after its worker was killed (Redis hands an unacknowledged message back) therefore never undoes
    a batch that was finished in the meantime.
    """
    month = month_start(month)
    unapproved = Batch.objects.filter(month__lt=month, status__in=[Batch.Status.COMPUTING, Batch.Status.DRAFT])
    if unapproved.exists():
        months = _("、").join(format_month(b.month) for b in unapproved)
        raise ValidationError(
            _("请先审批之前月份的批次（%(m)s），再计算%(this)s。") % {"m": months, "this": format_month(month)}
        )
    if not Batch.objects.filter(month=month).exists() and (problem := month_order_problem(month)):
        raise ValidationError(problem)
    try:
        with transaction.atomic():
            batch, created = Batch.objects.get_or_create(
                month=month, defaults={"run_by": actor, "started_at": timezone.now()}
            )
    except IntegrityError:  # another worker created it at the same moment
        batch, created = Batch.objects.get(month=month), False
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        if batch.is_frozen:
            raise ValidationError(
                _("%(m)s的批次已审批，不能重新计算；更正请在以后的批次中补发或扣减。") % {"m": format_month(month)}
            )
        if not created and batch.status == Batch.Status.COMPUTING:
            batch.error = ""  # started again after a failure: the page stops showing the old error
        if requested_at is not None and batch.status == Batch.Status.DRAFT and batch.computed_at > requested_at:
            return batch  # finished after the request, while this lock was awaited
        if not created and batch.status == Batch.Status.DRAFT:
            batch.status, batch.run_by, batch.started_at = Batch.Status.COMPUTING, actor or batch.run_by, timezone.now()
            batch.computed_at, batch.error = None, ""
            BatchTownship.objects.filter(batch=batch).update(status=BatchTownship.Status.PENDING)
        existing = set(batch.townships.values_list("township_id", flat=True))
        BatchTownship.objects.bulk_create(
            [
                BatchTownship(batch=batch, township_id=pk)
                for pk in Township.objects.values_list("pk", flat=True)
                if pk not in existing
            ]
        )
        batch.townships_total = batch.townships.count()
        batch.townships_done = batch.townships.filter(status=BatchTownship.Status.DONE).count()
        batch.save()
        log_action(
            actor=actor,
            action=AuditEntry.Action.DECISION,
            obj=batch,
            summary=_("开始计算%(m)s发放批次") % {"m": format_month(month)},
        )
    return batch


def start_refusal(*, month: datetime.date) -> str | None:
    """Why `start_batch` would refuse `month`, or None: a page asks before it hands the job to a worker."""
    month = month_start(month)
    unapproved = Batch.objects.filter(month__lt=month, status__in=[Batch.Status.COMPUTING, Batch.Status.DRAFT])
    if unapproved.exists():
        months = _("、").join(format_month(b.month) for b in unapproved)
        return _("请先审批之前月份的批次（%(m)s），再计算%(this)s。") % {"m": months, "this": format_month(month)}
    batch = Batch.objects.filter(month=month).first()
    if batch is None:
        return month_order_problem(month)
    if batch.is_frozen:
        return _("%(m)s的批次已审批，不能重新计算；更正请在以后的批次中补发或扣减。") % {"m": format_month(month)}
    return None  # a batch still computing may be started again: the job finishes what is left


def month_order_problem(month: datetime.date) -> str | None:
    """Why a new batch for `month` would break the month-by-month order, or None.

    A month skipped would never pay its normal lines, and a month computed after a later one would
    pay again what the later batch already paid as arrears.
    """
    later = Batch.objects.filter(month__gt=month).order_by("-month").first()
    if later is not None:
        return _("已有%(later)s的批次，不能再计算更早的%(this)s；更正请在以后的批次中补发或扣减。") % {
            "later": format_month(later.month),
            "this": format_month(month),
        }
    previous = Batch.objects.filter(month__lt=month).order_by("-month").first()
    if previous is not None and previous.month != add_months(month, -1):
        return _("上一个批次是%(prev)s，请先计算%(missing)s的批次，月份不能跳过。") % {
            "prev": format_month(previous.month),
            "missing": format_month(add_months(previous.month, 1)),
        }
    return None


def pending_townships(batch: Batch) -> list[int]:
    return list(batch.townships.filter(status=BatchTownship.Status.PENDING).values_list("township_id", flat=True))


def compute_township(*, batch_id: int, township_id: int) -> int:
    """Write one township's lines of a batch. Idempotent: a done township is left as it is."""
    with transaction.atomic():
        part = (
            # of=("self",): lock this township's row only. A plain FOR UPDATE with the join would lock
            # the batch row too and make every township of the batch wait for the one before it.
            BatchTownship.objects.select_for_update(of=("self",))
            .select_related("batch")
            .get(batch_id=batch_id, township_id=township_id)
        )
        batch = part.batch
        if part.status == BatchTownship.Status.DONE or batch.status != Batch.Status.COMPUTING:
            return part.line_count
        Line.objects.filter(batch=batch, township_id=township_id).delete()
        # A child who moved here since the draft was computed takes their lines along: otherwise the
        # old township's lines would still hold the child's normal line and this one would clash.
        moved = Line.objects.filter(batch=batch, child__township_id=township_id)
        moved_from = set(moved.values_list("township_id", flat=True).distinct())
        if moved_from:
            moved.delete()
        rows = list(_township_lines(batch.month, township_id, batch))
        _write_lines(rows)
        reissued = reissue_lines(batch, township_id)  # 重发: what the bank returned, once corrected
        store_totals(batch.pk, {township_id, *moved_from})  # the page's summary, with the lines
        part.status, part.computed_at = BatchTownship.Status.DONE, timezone.now()
        part.line_count = len(rows) + len(reissued)
        part.total_amount = sum((row[AMOUNT] for row in rows), ZERO) + sum((r.amount for r in reissued), ZERO)
        part.save()
        return part.line_count


def record_township_failure(*, batch_id: int, township_id: int | None, error: BaseException) -> None:
    """A township's job gave up: say so on the batch, so the page stops waiting and staff can start it again.

    The township's transaction rolled back, so it is still pending and a new start computes it.
    """
    name = Township.objects.filter(pk=township_id).values_list("name", flat=True).first() or "?"
    message = _("%(t)s计算失败：%(e)s。请检查后点击“继续计算”；已完成的乡镇不会重复计算。") % {
        "t": name,
        "e": str(error)[:500] or type(error).__name__,
    }
    Batch.objects.filter(pk=batch_id, status=Batch.Status.COMPUTING).update(error=message)


def finish_batch(*, batch_id: int) -> Batch:
    """Totals, once every township is done; the batch becomes a draft for review."""
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch_id)
        done = batch.townships.filter(status=BatchTownship.Status.DONE).count()
        batch.townships_done = done
        if batch.status == Batch.Status.COMPUTING and done == batch.townships_total:
            totals = batch.lines.aggregate(n=Count("id"), total=Sum("amount"))
            # Two places whatever the database hands back (SQLite sums to Decimal("1000")).
            batch.line_count, batch.total_amount = totals["n"], (totals["total"] or ZERO).quantize(ZERO)
            batch.status, batch.computed_at = Batch.Status.DRAFT, timezone.now()
            detect_problems(batch)  # kept with the batch, in the transaction of its totals
        batch.save()
    return batch


def stalled_batches(*, now: datetime.datetime | None = None):
    """Batches still computing with no progress (a start, a township done) for STALE_AFTER: their worker is gone."""
    since = (now or timezone.now()) - STALE_AFTER
    recent = BatchTownship.objects.filter(batch=OuterRef("pk"), computed_at__gte=since)
    return Batch.objects.filter(status=Batch.Status.COMPUTING, started_at__lt=since).exclude(Exists(recent))


def compute_month(*, month: datetime.date, actor=None) -> Batch:
    """The whole month in this process (command line, tests); the Celery job fans the same calls out."""
    batch = start_batch(month=month, actor=actor)
    for township_id in pending_townships(batch):
        compute_township(batch_id=batch.pk, township_id=township_id)
    return finish_batch(batch_id=batch.pk)


@transaction.atomic
def approve_batch(*, batch: Batch, actor) -> Batch:
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != Batch.Status.DRAFT:
        raise ValidationError(_("只有待审批的批次可以审批（当前：%(s)s）。") % {"s": batch.get_status_display()})
    if batch.run_by_id == actor.pk:
        raise ValidationError(_("审批人不能是计算该批次的人，请由另一人审批。"))
    if refusal := approval_refusal(batch):
        raise ValidationError(refusal)
    batch.status, batch.approved_by, batch.approved_at = Batch.Status.APPROVED, actor, timezone.now()
    batch.save()
    # What this batch reconciled is settled; anything flagged after it started waits for the next one.
    Enrolment.objects.filter(needs_reconcile=True, reconcile_requested_at__lte=batch.started_at).update(
        needs_reconcile=False
    )
    log_action(
        actor=actor,
        action=AuditEntry.Action.DECISION,
        obj=batch,
        summary=_("审批%(m)s发放批次：%(n)d条，合计%(t)s元")
        % {"m": format_month(batch.month), "n": batch.line_count, "t": batch.total_amount},
    )
    return batch


# ---------------------------------------------------------------------------------------------
# The lines of one township

# A line as the engine builds it: a plain tuple in this column order (model instances cost more
# than the arithmetic at a million lines), written with COPY on PostgreSQL.
LINE_COLUMNS = (
    "batch_id", "enrolment_id", "child_id", "programme_id", "township_id", "village_name", "period", "kind",
    "standard", "amount", "note", "payee_name", "payee_relationship", "payee_id_number", "bank_name",
    "account_number",
)  # fmt: skip
AMOUNT = LINE_COLUMNS.index("amount")


def _write_lines(rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Line._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in LINE_COLUMNS)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    Line.objects.bulk_create((Line(**dict(zip(LINE_COLUMNS, row, strict=True))) for row in rows), batch_size=2000)


def _township_lines(month: datetime.date, township_id: int, batch: Batch):
    standards, rules = Standards(), Rules()
    # A child with one enrolment to reconcile has all of them reconciled: stacking ties a child's
    # programmes together, so a late 低保 changes what the orphan allowance should have paid.
    to_reconcile = Enrolment.objects.filter(child__township_id=township_id, needs_reconcile=True).values("child_id")
    enrolments = list(
        Enrolment.objects.filter(child__township_id=township_id, status__in=PAYING, start_month__isnull=False)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=month) | Q(child_id__in=to_reconcile))
        .values(
            "id", "child_id", "programme_id", "start_month", "end_month", "prior_paid_through", "needs_reconcile",
            "suspended_from", "expected_graduation",
        )
    )  # fmt: skip
    if not enrolments:
        return
    child_ids = {e["child_id"] for e in enrolments}
    # By township rather than by a list of ids: SQLite caps the number of bound parameters.
    children = {
        c["id"]: c
        for c in Child.objects.filter(township_id=township_id).values(
            "id", "birth_date", "village__name", "status", "closed_on", "disability_type", "disability_grade",
            "disability_cert_no",
        )
        if c["id"] in child_ids
    }  # fmt: skip
    held: dict[int, list[Held]] = defaultdict(list)
    for child_id, kind, start, end in Classification.objects.filter(
        child__township_id=township_id, kind__in=rules.qualifying_kinds
    ).values_list("child_id", "kind", "start_date", "end_date"):
        if child_id in child_ids:
            held[child_id].append(Held(kind, start, end))
    accounts = {
        a["child_id"]: a
        for a in PaymentAccount.objects.filter(child__township_id=township_id).values(
            "child_id", "payee_name", "payee_relationship", "payee_id_number", "bank_name", "account_number"
        )
    }
    by_child: dict[int, list[dict]] = defaultdict(list)
    for e in enrolments:
        c = children[e["child_id"]]
        e["facts"] = Facts(
            birth_date=c["birth_date"],
            closed_on=c["closed_on"] if c["status"] == Child.Status.CLOSED else None,
            held=tuple(held.get(e["child_id"], ())),
            disability_type=c["disability_type"],
            disability_grade=c["disability_grade"],
            disability_cert_no=c["disability_cert_no"],
            expected_graduation=e["expected_graduation"],
        )
        by_child[e["child_id"]].append(e)

    reconciled_children = {e["child_id"] for e in enrolments if e["needs_reconcile"]}
    paid = _paid_before(to_reconcile, month, batch) if reconciled_children else {}

    no_account = _("未登记发放账户，请补录后发放")
    for child_id, held in by_child.items():
        child = children[child_id]
        account = accounts.get(child_id, {})

        payee = (
            account.get("payee_name", ""),
            account.get("payee_relationship", ""),
            account.get("payee_id_number", ""),
            account.get("bank_name", ""),
            account.get("account_number", ""),
        )

        def line(e, period, kind, due, amount, note, child=child, payee=payee, child_id=child_id):
            if not payee[4]:  # the bank cannot pay it: say so where the clerk will see it
                note = f"{note}；{no_account}" if note else no_account
            return (
                batch.pk, e["id"], child_id, e["programme_id"], township_id, child["village__name"] or "",
                period, kind, due.standard, amount, note[:200], *payee,
            )  # fmt: skip

        due_now = _due_in(held, month, standards, rules)
        for e in held:
            due = due_now.get(e["id"])
            if due and due.amount > 0:
                yield line(e, month, Line.Kind.NORMAL, due, due.amount, due.note)

        if child_id not in reconciled_children:
            continue
        first = min(e["start_month"] for e in held)
        for period in months_between(first, add_months(month, -1)):
            dues = _due_in(held, period, standards, rules)
            for e in held:
                if e["start_month"] > period:
                    continue
                if e["suspended_from"] is not None and period >= e["suspended_from"]:
                    continue  # under review: neither paid nor deducted until the review decides
                due = dues.get(e["id"])
                owed = due.amount if due else ZERO
                difference = owed - paid.get((e["id"], period), ZERO)
                if difference == 0:
                    continue
                due = due or Due(standards.on(e["programme_id"], period) or ZERO, ZERO, "")
                if difference > 0:
                    note = _("补发%(p)s") % {"p": format_month(period)}
                    yield line(
                        e, period, Line.Kind.ARREARS, due, difference, f"{note}；{due.note}" if due.note else note
                    )
                else:
                    note = _("扣减%(p)s多发金额") % {"p": format_month(period)}
                    yield line(
                        e, period, Line.Kind.ADJUSTMENT, due, difference, f"{note}；{due.note}" if due.note else note
                    )


def _due_in(held: list[dict], period: datetime.date, standards: Standards, rules: Rules) -> dict[int, Due]:
    """Enrolment id -> what is due for `period`, for one child's enrolments."""
    paying = {}
    for e in held:
        if _paying(e, period, rules.programmes[e["programme_id"]], e["facts"]):
            amount = standards.on(e["programme_id"], period)
            if amount is not None and amount > 0:
                paying[e["programme_id"]] = (e["id"], amount)
    if not paying:
        return {}
    dues = stack({pk: amount for pk, (_id, amount) in paying.items()}, rules)
    return {paying[pk][0]: due for pk, due in dues.items()}


def _paid_before(children_to_reconcile, month: datetime.date, batch: Batch) -> dict[tuple[int, datetime.date], Decimal]:
    """What approved batches already paid per (enrolment, period), for the children to reconcile."""
    rows = (
        Line.objects.filter(enrolment__child_id__in=children_to_reconcile, period__lt=month)
        .exclude(batch=batch)
        .exclude(kind=Line.Kind.REISSUE)  # a 重发 pays again what was due once, never due twice
        .filter(batch__status__in=Batch.FROZEN_STATUSES)
        .values("enrolment_id", "period")
        .annotate(total=Sum("amount"))
    )
    return {(r["enrolment_id"], r["period"]): r["total"] for r in rows}
