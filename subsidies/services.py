"""Enrolment workflow and standards: every write here is one transaction with its audit entry."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import AuditEntry

from .changes.services import enrolment_added, enrolment_removed
from .eligibility import enrolment_problems
from .models import Batch, Enrolment, Programme, Standard
from .months import add_months, format_month, month_start
from .stacking import exclusive_conflicts

Action = AuditEntry.Action
Status = Enrolment.Status


def _latest_computed_month() -> datetime.date | None:
    return Batch.objects.aggregate(m=Max("month"))["m"]


def first_paid_month(programme: Programme, *, applied_on: datetime.date, confirmed_on: datetime.date) -> datetime.date:
    rule = programme.start_rule
    if rule == Programme.StartRule.MONTH_OF_APPLICATION:
        return month_start(applied_on)
    if rule == Programme.StartRule.MONTH_OF_CONFIRMATION:
        return month_start(confirmed_on)
    return add_months(month_start(confirmed_on), 1)


def last_paid_month(programme: Programme, event_day: datetime.date) -> datetime.date:
    """The last month paid when the terminating event happens on `event_day`."""
    if programme.stop_rule == Programme.StopRule.MONTH_OF_EVENT:
        return add_months(month_start(event_day), -1)
    return month_start(event_day)


def _refuse_if_problems(child, programme, day, *, expected_graduation=None):
    problems = enrolment_problems(child, programme, day, expected_graduation=expected_graduation)
    if problems:
        raise ValidationError(problems)


def _refuse_if_exclusive(child, programme, *, exclude=None):
    held = Enrolment.objects.open().filter(child=child).exclude(pk=exclude).select_related("programme")
    conflicts = exclusive_conflicts(programme, [e.programme for e in held])
    if conflicts:
        raise ValidationError(conflicts)


@transaction.atomic
def apply_enrolment(
    *,
    actor,
    child,
    programme: Programme,
    applied_on: datetime.date,
    evidence: str = "",
    school_name: str = "",
    expected_graduation: datetime.date | None = None,
) -> Enrolment:
    if applied_on > timezone.localdate():
        raise ValidationError({"applied_on": _("申请日期不能晚于今天。")})
    if Enrolment.objects.open().filter(child=child, programme=programme).exists():
        raise ValidationError(_("该儿童已有%(p)s的申请或保障记录。") % {"p": programme.name})
    if expected_graduation and not school_name.strip():
        raise ValidationError({"school_name": _("填写预计毕业日期的，须同时填写就读学校。")})
    _refuse_if_problems(child, programme, applied_on, expected_graduation=expected_graduation)
    _refuse_if_exclusive(child, programme)
    enrolment = Enrolment.objects.create(
        child=child,
        programme=programme,
        applied_on=applied_on,
        applied_by=actor,
        evidence=evidence,
        school_name=school_name.strip(),
        expected_graduation=expected_graduation,
    )
    log_action(
        actor=actor, action=Action.DECISION, obj=enrolment, child=child, summary=_("申请%(p)s") % {"p": programme.name}
    )
    return enrolment


def _locked(enrolment: Enrolment, *statuses) -> Enrolment:
    # Lock the enrolment only: FOR UPDATE over the join would lock the child and the programme too,
    # which every disbursement line refers to, and stall (or deadlock with) a batch being computed.
    locked = Enrolment.objects.select_for_update(of=("self",)).select_related("child", "programme").get(pk=enrolment.pk)
    if locked.status not in statuses:
        raise ValidationError(_("该记录当前状态为“%(s)s”，不能进行此操作。") % {"s": locked.get_status_display()})
    return locked


@transaction.atomic
def check_enrolment(*, actor, enrolment: Enrolment, note: str = "") -> Enrolment:
    """The township's check (查验): passes the application on to the bureau."""
    enrolment = _locked(enrolment, Status.APPLIED)
    _refuse_if_problems(
        enrolment.child, enrolment.programme, timezone.localdate(), expected_graduation=enrolment.expected_graduation
    )
    enrolment.status, enrolment.checked_by, enrolment.checked_at = Status.CHECKED, actor, timezone.now()
    enrolment.check_note = note
    enrolment.save()
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=enrolment,
        child=enrolment.child,
        summary=_("乡镇查验通过：%(p)s") % {"p": enrolment.programme.name},
    )
    return enrolment


@transaction.atomic
def confirm_enrolment(*, actor, enrolment: Enrolment, confirmed_on: datetime.date | None = None) -> Enrolment:
    """The bureau's confirmation (确认): payment starts by the programme's start rule."""
    enrolment = _locked(enrolment, Status.CHECKED)
    if enrolment.applied_by_id and enrolment.applied_by_id == actor.pk:
        raise ValidationError(_("确认人不能是申请人本人，请由另一名工作人员确认。"))
    confirmed_on = confirmed_on or timezone.localdate()
    # The date decides the start month: never ahead of today, never before the application.
    if confirmed_on > timezone.localdate():
        raise ValidationError({"confirmed_on": _("确认日期不能晚于今天。")})
    if confirmed_on < enrolment.applied_on:
        raise ValidationError(
            {"confirmed_on": _("确认日期不能早于申请日期（%(d)s）。") % {"d": enrolment.applied_on.isoformat()}}
        )
    _refuse_if_problems(
        enrolment.child, enrolment.programme, confirmed_on, expected_graduation=enrolment.expected_graduation
    )
    _refuse_if_exclusive(enrolment.child, enrolment.programme, exclude=enrolment.pk)
    enrolment.status, enrolment.confirmed_by, enrolment.confirmed_at = Status.CONFIRMED, actor, timezone.now()
    enrolment.start_month = first_paid_month(
        enrolment.programme, applied_on=enrolment.applied_on, confirmed_on=confirmed_on
    )
    # The next batch pays every month from the start month not paid yet (arrears for a late confirmation).
    enrolment.needs_reconcile, enrolment.reconcile_requested_at = True, timezone.now()
    enrolment.save()
    enrolment_added(enrolment=enrolment, confirmed_on=confirmed_on)
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=enrolment,
        child=enrolment.child,
        summary=_("确认%(p)s，%(m)s起发放") % {"p": enrolment.programme.name, "m": format_month(enrolment.start_month)},
    )
    return enrolment


@transaction.atomic
def refuse_enrolment(*, actor, enrolment: Enrolment, reason: str) -> Enrolment:
    if not reason.strip():
        raise ValidationError({"refusal_reason": _("请写明不予通过的理由。")})
    enrolment = _locked(enrolment, Status.APPLIED, Status.CHECKED)
    enrolment.status, enrolment.refused_by, enrolment.refused_at = Status.REFUSED, actor, timezone.now()
    enrolment.refusal_reason = reason.strip()
    enrolment.save()
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=enrolment,
        child=enrolment.child,
        summary=_("不予通过%(p)s：%(r)s") % {"p": enrolment.programme.name, "r": enrolment.refusal_reason},
    )
    return enrolment


@transaction.atomic
def end_enrolment(*, actor, enrolment: Enrolment, reason: str, event_day: datetime.date, note: str = "") -> Enrolment:
    """Stop payment after a terminating event; the last paid month follows the stop rule.

    A suspended enrolment may be ended too (the review's decision); its suspension goes with it.
    """
    enrolment = _locked(enrolment, Status.CONFIRMED, Status.SUSPENDED)
    if event_day > timezone.localdate():
        raise ValidationError({"event_day": _("情形发生日期不能晚于今天。")})
    enrolment.status, enrolment.end_reason, enrolment.ended_on = Status.ENDED, reason, event_day
    enrolment.ended_by, enrolment.end_note = actor, note[:300]
    enrolment.suspended_from = None
    # Never before the start: an enrolment ended before its first month simply pays nothing.
    enrolment.end_month = max(last_paid_month(enrolment.programme, event_day), add_months(enrolment.start_month, -1))
    if enrolment.lines.filter(period__gt=enrolment.end_month).exists():
        enrolment.needs_reconcile = True  # paid past the end: the next batch deducts it
        enrolment.reconcile_requested_at = timezone.now()
    enrolment.save()
    enrolment_removed(enrolment=enrolment)
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=enrolment,
        child=enrolment.child,
        summary=_("终止%(p)s（%(r)s），发放至%(m)s")
        % {
            "p": enrolment.programme.name,
            "r": enrolment.get_end_reason_display() + (f"：{note}" if note else ""),
            "m": format_month(enrolment.end_month),
        },
        changes={
            str(_("状态")): [None, str(Status.ENDED.label)],
            str(_("最后发放月份")): [None, format_month(enrolment.end_month)],
        },
    )
    return enrolment


@transaction.atomic
def end_enrolment_earlier(
    *, actor, enrolment: Enrolment, reason: str, event_day: datetime.date, note: str = ""
) -> Enrolment | None:
    """An ending recorded after the enrolment had already ended, but effective earlier (a category
    ended in March, recorded in May after the 18th birthday had ended it): the last paid month moves
    back to the earlier event, and the months paid past it are deducted by the next batch. Returns
    None when the earlier event changes nothing."""
    enrolment = _locked(enrolment, Status.ENDED)
    end_month = max(last_paid_month(enrolment.programme, event_day), add_months(enrolment.start_month, -1))
    if enrolment.end_month is not None and enrolment.end_month <= end_month:
        return None
    before = enrolment.end_month
    enrolment.end_reason, enrolment.ended_on, enrolment.end_month = reason, event_day, end_month
    enrolment.ended_by, enrolment.end_note = actor, note[:300]
    if enrolment.lines.filter(period__gt=end_month).exists():
        enrolment.needs_reconcile = True  # paid past the earlier end: the next batch deducts it
        enrolment.reconcile_requested_at = timezone.now()
    enrolment.save()
    enrolment_removed(enrolment=enrolment)  # the 减员 moves to the earlier event
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=enrolment,
        child=enrolment.child,
        summary=_("%(p)s的终止提前至%(m)s（%(r)s）")
        % {
            "p": enrolment.programme.name,
            "m": format_month(end_month),
            "r": enrolment.get_end_reason_display() + (f"：{note}" if note else ""),
        },
        changes={str(_("最后发放月份")): [format_month(before) if before else None, format_month(end_month)]},
    )
    return enrolment


@transaction.atomic
def suspend_enrolment(*, actor, enrolment: Enrolment, event_day: datetime.date, reason: str) -> Enrolment:
    """Stop paying pending a review (暂停发放，待复核): nothing is ended or deducted until the review decides."""
    enrolment = _locked(enrolment, Status.CONFIRMED)
    from_month = add_months(last_paid_month(enrolment.programme, event_day), 1)
    enrolment.status, enrolment.suspended_from = Status.SUSPENDED, max(from_month, enrolment.start_month)
    enrolment.suspension_reason, enrolment.suspended_at = reason[:300], timezone.now()
    enrolment.save()
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=enrolment,
        child=enrolment.child,
        summary=_("暂停发放%(p)s，%(m)s起待复核：%(r)s")
        % {"p": enrolment.programme.name, "m": format_month(enrolment.suspended_from), "r": reason},
    )
    return enrolment


class ReviewOutcome:
    RESUME = "resume"
    END = "end"
    CHOICES = ((RESUME, _("恢复发放（补发暂停期间）")), (END, _("终止保障")))


@transaction.atomic
def review_suspension(*, actor, enrolment: Enrolment, outcome: str, note: str, event_day=None) -> Enrolment:
    """The supervisor's or staff's review of a suspended enrolment: resume it (arrears follow) or end it."""
    if not note.strip():
        raise ValidationError({"note": _("请写明复核意见。")})
    enrolment = _locked(enrolment, Status.SUSPENDED)
    if outcome == ReviewOutcome.END:
        # The ending happened when the situation changed: the month before the suspension is the last paid.
        day = event_day or add_months(enrolment.suspended_from, -1)
        if enrolment.programme.stop_rule == Programme.StopRule.MONTH_OF_EVENT and event_day is None:
            day = enrolment.suspended_from
        return end_enrolment(
            actor=actor, enrolment=enrolment, reason=Enrolment.EndReason.REVIEW, event_day=day, note=note.strip()
        )
    if outcome != ReviewOutcome.RESUME:
        raise ValidationError({"outcome": _("请选择复核结论。")})
    was = enrolment.suspended_from
    enrolment.status, enrolment.suspended_from, enrolment.suspension_reason = Status.CONFIRMED, None, ""
    enrolment.needs_reconcile, enrolment.reconcile_requested_at = True, timezone.now()  # the held months are paid
    enrolment.save()
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=enrolment,
        child=enrolment.child,
        summary=_("复核恢复发放%(p)s（%(m)s起暂停的月份补发）：%(n)s")
        % {"p": enrolment.programme.name, "m": format_month(was), "n": note.strip()},
    )
    return enrolment


@transaction.atomic
def set_standard(
    *, actor, programme: Programme, effective_month: datetime.date, amount: Decimal, note: str = ""
) -> Standard:
    """Add or change a monthly standard. A change reaching into computed months yields arrears."""
    if effective_month.day != 1:
        raise ValidationError({"effective_month": _("起始月份须为某月1日。")})
    if amount < 0:
        raise ValidationError({"amount": _("标准不能为负数。")})
    standard = Standard.objects.select_for_update().filter(programme=programme, effective_month=effective_month).first()
    old = standard.amount if standard else None
    if standard is None:
        standard = Standard(programme=programme, effective_month=effective_month, created_by=actor)
    standard.amount, standard.note = amount.quantize(Decimal("0.01")), note
    standard.full_clean()
    standard.save()
    latest = _latest_computed_month()
    if latest and effective_month <= latest:
        Enrolment.objects.filter(programme=programme, status__in=Enrolment.PAYING_STATUSES).filter(
            Q(end_month__isnull=True) | Q(end_month__gte=effective_month)
        ).update(needs_reconcile=True, reconcile_requested_at=timezone.now())
    log_action(
        actor=actor,
        action=Action.UPDATE if old is not None else Action.CREATE,
        obj=standard,
        summary=_("%(p)s %(m)s起月标准") % {"p": programme.name, "m": format_month(effective_month)},
        changes={"月标准（元）": [str(old) if old is not None else None, str(standard.amount)]},
    )
    return standard
