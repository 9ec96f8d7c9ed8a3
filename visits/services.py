"""Every write about visits: record, resubmit, review, patrol targets, mandatory reports, intervals."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Child
from dingzhou_welfare.audit import diff, log_action, snapshot
from dingzhou_welfare.models import AuditEntry, Role

from . import schedule as schedules
from .models import (
    DIMENSIONS,
    IntervalTier,
    MandatoryReport,
    RiskLevel,
    Visit,
    VisitDraft,
    VisitInterval,
    VisitPhoto,
    VisitSchedule,
)
from .risk import assess, situation_of

Action = AuditEntry.Action
logger = logging.getLogger(__name__)

VISIT_FIELDS = [
    "kind",
    "visited_on",
    "present",
    "present_other",
    *[f"{name}_{part}" for name, _label in DIMENSIONS for part in ("rating", "note")],
    "problems",
    "actions",
    "referrals",
    "suspected_harm",
    "harm_description",
    "next_visit_due",
]
AUDITED_FIELDS = {*VISIT_FIELDS, "risk_level", "status"}
MAX_PHOTOS = 12


def _check_dates(child: Child, data: dict, *, today: datetime.date) -> None:
    visited_on = data["visited_on"]
    if visited_on > today:
        raise ValidationError({"visited_on": _("探访日期不能晚于今天。")})
    if visited_on < child.birth_date:
        raise ValidationError({"visited_on": _("探访日期不能早于儿童的出生日期。")})


def _next_due(child: Child, data: dict, level: str) -> datetime.date:
    """The visitor's date for the next visit, or the latest the tier allows; refused if later than that."""
    schedule = VisitSchedule.objects.filter(child=child).first()
    # A manual target keeps the tight interval; an automatic one follows this visit's risk.
    patrol = bool(schedule and schedule.patrol and schedule.patrol_source == VisitSchedule.PatrolSource.MANUAL)
    tier = schedules.tier_of(risk_level=level, patrol=patrol, visited=True)
    days = schedules.intervals()
    latest = schedules.latest_due(base=data["visited_on"], tier=tier, days=days)
    wanted = data.get("next_visit_due")
    if not wanted:
        return latest
    if wanted <= data["visited_on"]:
        raise ValidationError({"next_visit_due": _("下次探访日期须晚于本次探访日期。")})
    if wanted > latest:
        raise ValidationError(
            {
                "next_visit_due": _(
                    "下次探访日期不能晚于 %(d)s：%(tier)s儿童至少每 %(n)d 天探访一次（风险等级按本次评估）。"
                )
                % {"d": latest.isoformat(), "tier": IntervalTier(tier).label, "n": days[tier]}
            }
        )
    return wanted


def _apply(visit: Visit, child: Child, data: dict, *, today: datetime.date) -> None:
    _check_dates(child, data, today=today)
    if data.get("suspected_harm") and not (data.get("harm_description") or "").strip():
        raise ValidationError({"harm_description": _("勾选疑似遭受侵害时，须写明发现的情况（将作为强制报告）。")})
    for name in VISIT_FIELDS:
        if name in data and name != "next_visit_due":
            setattr(visit, name, data[name])
    if not visit.suspected_harm:
        visit.harm_description = ""
    assessment = assess(visit.ratings(), situation_of(child, visit.visited_on), suspected_harm=visit.suspected_harm)
    visit.risk_level, visit.risk_reasons = assessment.level, assessment.reasons
    visit.next_visit_due = _next_due(child, {**data, "visited_on": visit.visited_on}, assessment.level)
    visit.full_clean(exclude=["child", "visitor", "reviewed_by"])


def _save_photos(*, actor, visit: Visit, photos) -> None:
    if visit.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("每次探访最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS}})
    for upload in photos:
        VisitPhoto.objects.create(
            visit=visit,
            file=upload,
            original_name=upload.name[:200],
            content_type=upload.content_type,
            size=upload.size,
            uploaded_by=actor,
        )


def _follow_risk(*, actor, child: Child, visit: Visit, today: datetime.date) -> None:
    """Update the schedule; a high risk makes the child a key patrol target, a lower one takes an
    automatic (never a manual) target off the list."""
    schedule = schedules.refresh_child(child, today=today)
    if schedule is None or schedule.last_visit_id != visit.pk:
        return  # an older visit entered late does not decide the current risk
    if visit.risk_level == RiskLevel.HIGH and not schedule.patrol:
        schedule.patrol, schedule.patrol_since = True, today
        schedule.patrol_source = VisitSchedule.PatrolSource.AUTOMATIC
        schedule.patrol_reason = _("%(d)s 探访评估为高风险") % {"d": visit.visited_on.isoformat()}
        log_action(
            actor=actor,
            action=Action.DECISION,
            obj=schedule,
            child=child,
            summary=_("列为重点巡防对象（探访评估为高风险）"),
        )
    elif (
        visit.risk_level != RiskLevel.HIGH
        and schedule.patrol
        and schedule.patrol_source == VisitSchedule.PatrolSource.AUTOMATIC
    ):
        schedule.patrol, schedule.patrol_source, schedule.patrol_since, schedule.patrol_reason = False, "", None, ""
        log_action(
            actor=actor,
            action=Action.DECISION,
            obj=schedule,
            child=child,
            summary=_("移出重点巡防对象（%(d)s 探访评估为%(l)s）")
            % {"d": visit.visited_on.isoformat(), "l": visit.get_risk_level_display()},
        )
    else:
        return
    schedule.due_on = schedules.due_on(schedule)
    schedule.save()


def _report_harm(*, actor, visit: Visit) -> MandatoryReport | None:
    if not visit.suspected_harm or MandatoryReport.objects.filter(visit=visit).exists():
        return None
    report = MandatoryReport.objects.create(
        visit=visit, child=visit.child, reported_by=actor, description=visit.harm_description
    )
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=report,
        child=visit.child,
        summary=_("强制报告：探访发现疑似遭受侵害"),
    )
    from .tasks import notify_report_task  # the task module imports this one

    transaction.on_commit(lambda: notify_report_task.delay(report.pk))
    return report


def report_recipients() -> list[str]:
    """Bureau staff with an e-mail address, and the addresses configured for mandatory reports."""
    staff = (
        get_user_model()
        .objects.filter(is_active=True, profile__role=Role.STAFF)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted({*staff, *getattr(settings, "MANDATORY_REPORT_EMAILS", [])})


def notify_report(*, report_id: int) -> int:
    """E-mail the bureau that a mandatory report is waiting. No personal data in the mail: a link only."""
    report = MandatoryReport.objects.select_related("child__township").get(pk=report_id)
    recipients = report_recipients()
    if not recipients:
        return 0
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    subject = _("【强制报告】%(t)s发现疑似侵害儿童情形，请立即处置") % {"t": report.child.township.name}
    body = _(
        "%(t)s的探访人员于 %(at)s 报告一名儿童疑似遭受侵害（强制报告 %(n)s 号）。\n"
        "请立即登录儿童福利管理系统查看并处置：%(url)s\n\n"
        "本邮件不含儿童个人信息。"
    ) % {
        "t": report.child.township.name,
        "at": timezone.localtime(report.reported_at).strftime("%Y-%m-%d %H:%M"),
        "n": report.pk,
        "url": base + reverse("visits:reports"),
    }
    try:
        return send_mail(subject, body, None, recipients)
    except OSError:  # the in-app alert stands; a mail server that is down must not lose the report
        logger.exception("mandatory report %s: e-mail not sent", report_id)
        return 0


@transaction.atomic
def record_visit(*, actor, child: Child, data: dict, photos=()) -> Visit:
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.status != Child.Status.ACTIVE:
        raise ValidationError(_("该儿童已销档，不能再登记探访。"))
    today = timezone.localdate()
    visit = Visit(child=child, visitor=actor)
    _apply(visit, child, data, today=today)
    visit.save()
    _save_photos(actor=actor, visit=visit, photos=photos)
    log_action(
        actor=actor,
        action=Action.CREATE,
        obj=visit,
        child=child,
        summary=_("探访：%(k)s，评估为%(r)s") % {"k": visit.get_kind_display(), "r": visit.get_risk_level_display()},
        changes=diff({}, snapshot(visit, fields={"kind", "visited_on", "risk_level", "next_visit_due"})),
    )
    _report_harm(actor=actor, visit=visit)
    _follow_risk(actor=actor, child=child, visit=visit, today=today)
    VisitDraft.objects.filter(user=actor, child=child, visit=None).delete()  # saved: the draft has done its work
    return visit


@transaction.atomic
def resubmit_visit(*, actor, visit: Visit, data: dict, photos=()) -> Visit:
    """The visitor corrects a returned visit and sends it for review again."""
    visit = Visit.objects.select_for_update().select_related("child").get(pk=visit.pk)
    if visit.status != Visit.Status.RETURNED:
        raise ValidationError(_("只有被退回的探访记录可以修改。"))
    if visit.visitor_id != actor.pk:
        raise ValidationError(_("只有探访人本人可以修改被退回的记录。"))
    child = Child.objects.select_for_update().get(pk=visit.child_id)
    before = snapshot(visit, fields=AUDITED_FIELDS)
    _apply(visit, child, data, today=timezone.localdate())
    visit.status = Visit.Status.SUBMITTED
    visit.save()
    _save_photos(actor=actor, visit=visit, photos=photos)
    log_action(
        actor=actor,
        action=Action.UPDATE,
        obj=visit,
        child=child,
        summary=_("修改退回的探访记录并重新提交"),
        changes=diff(before, snapshot(visit, fields=AUDITED_FIELDS)),
    )
    _report_harm(actor=actor, visit=visit)
    _follow_risk(actor=actor, child=child, visit=visit, today=timezone.localdate())
    VisitDraft.objects.filter(user=actor, visit=visit).delete()
    return visit


@transaction.atomic
def review_visit(*, actor, visit: Visit, accept: bool, comment: str = "") -> Visit:
    visit = Visit.objects.select_for_update().select_related("child").get(pk=visit.pk)
    if visit.status != Visit.Status.SUBMITTED:
        raise ValidationError(_("该探访记录已审核（%(s)s）。") % {"s": visit.get_status_display()})
    if visit.visitor_id == actor.pk:
        raise ValidationError(_("不能审核自己填报的探访记录。"))
    comment = comment.strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("退回时须写明原因，探访人据此修改。")})
    before = snapshot(visit, fields={"status", "review_comment"})
    visit.status = Visit.Status.ACCEPTED if accept else Visit.Status.RETURNED
    visit.reviewed_by, visit.reviewed_at, visit.review_comment = actor, timezone.now(), comment
    visit.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=visit,
        child=visit.child,
        summary=(_("审核通过探访记录（%(d)s）") if accept else _("退回探访记录（%(d)s）"))
        % {"d": visit.visited_on.isoformat()},
        changes=diff(before, snapshot(visit, fields={"status", "review_comment"})),
    )
    return visit


@transaction.atomic
def set_patrol(*, actor, child: Child, patrol: bool, reason: str) -> VisitSchedule:
    """Mark a child as a key patrol target by hand, or take a manual one off, with a reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请写明原因。")})
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.status != Child.Status.ACTIVE:
        raise ValidationError(_("该儿童已销档。"))
    today = timezone.localdate()
    schedule = schedules.refresh_child(child, today=today)
    if patrol:
        if schedule.patrol:
            raise ValidationError(_("该儿童已是重点巡防对象。"))
        schedule.patrol, schedule.patrol_source = True, VisitSchedule.PatrolSource.MANUAL
        schedule.patrol_since, schedule.patrol_reason = today, reason[:300]
        summary = _("人工列为重点巡防对象：%(r)s") % {"r": reason}
    else:
        if not schedule.patrol:
            raise ValidationError(_("该儿童不是重点巡防对象。"))
        if schedule.risk_level == RiskLevel.HIGH:
            raise ValidationError(_("最近一次探访评估为高风险，不能人工移出；再次探访评估风险降低后会自动移出。"))
        schedule.patrol, schedule.patrol_source, schedule.patrol_since, schedule.patrol_reason = False, "", None, ""
        summary = _("移出重点巡防对象：%(r)s") % {"r": reason}
    schedule.due_on = schedules.due_on(schedule)
    schedule.save()
    log_action(actor=actor, action=Action.DECISION, obj=schedule, child=child, summary=summary)
    return schedule


@transaction.atomic
def handle_report(*, actor, report: MandatoryReport, handling: str) -> MandatoryReport:
    report = MandatoryReport.objects.select_for_update().select_related("child").get(pk=report.pk)
    if report.status != MandatoryReport.Status.OPEN:
        raise ValidationError(_("该报告已处置。"))
    handling = handling.strip()
    if not handling:
        raise ValidationError({"handling": _("请写明处置情况（如已报公安机关、已安排临时照料）。")})
    report.status, report.handled_by, report.handled_at, report.handling = (
        MandatoryReport.Status.HANDLED,
        actor,
        timezone.now(),
        handling,
    )
    report.save()
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=report,
        child=report.child,
        summary=_("强制报告已处置：%(h)s") % {"h": handling},
    )
    return report


@transaction.atomic
def save_intervals(*, actor, days: dict[str, int]) -> None:
    """New intervals apply to every child: the nightly job runs at once after the commit to re-date them."""
    changes = {}
    for tier, value in days.items():
        interval, _created = VisitInterval.objects.select_for_update().get_or_create(
            tier=tier, defaults={"days": value, "updated_by": actor}
        )
        if interval.days != value:
            changes[str(IntervalTier(tier).label)] = [interval.days, value]
            interval.days, interval.updated_by = value, actor
            interval.full_clean()
            interval.save()
    if changes:
        log_action(actor=actor, action=Action.UPDATE, obj="visitinterval", summary=_("修改探访间隔"), changes=changes)
        # Re-dating a million children takes a minute or two: the nightly job does it now, in a worker.
        from .tasks import nightly_schedule_task

        transaction.on_commit(nightly_schedule_task.delay)
