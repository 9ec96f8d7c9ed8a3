"""The visit plan as of a day, for the monthly report's visits section (reports.sections)."""

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

DUE_SOON_DAYS = 30  # "due soon" in the visits paragraph


def _n(value: int) -> str:
    return f"{value:,}"


def _day(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def visit_plan(scope, day: datetime.date, *, current: bool) -> tuple[dict | None, dict]:
    """The visit plan as of `day`: the schedules themselves for today, the nightly figures (VisitWorkload,
    one row per township and day) for a day past; None when no figures were kept for that day (or for a
    scope of villages, which the nightly figures do not break down)."""
    from visits.models import VisitSchedule, VisitWorkload

    if current:
        schedules = VisitSchedule.objects.filter(scope.children(), child__status="active")
        state = schedules.aggregate(
            in_plan=Count("child"),
            due_soon=Count(
                "child", filter=Q(due_on__gte=day, due_on__lte=day + datetime.timedelta(days=DUE_SOON_DAYS))
            ),
            late=Count("child", filter=Q(due_on__lt=day)),
            targets=Count("child", filter=Q(patrol=True)),
            targets_late=Count("child", filter=Q(patrol=True, due_on__lt=day)),
        )
        by_township = {
            row["township_id"]: row
            for row in schedules.values("township_id")
            .annotate(late=Count("child", filter=Q(due_on__lt=day)), targets=Count("child", filter=Q(patrol=True)))
            .order_by()
        }
        return state, by_township
    if scope.village_ids is not None:
        return None, {}
    kept = VisitWorkload.objects.filter(day=day, caseworker__isnull=True)
    if scope.township_ids is not None:
        kept = kept.filter(township_id__in=scope.township_ids)
    rows = list(kept.values("township_id", "children", "due_soon", "overdue", "patrol", "patrol_overdue"))
    if not rows:
        return None, {}
    state = {
        "in_plan": sum(r["children"] for r in rows),
        "due_soon": sum(r["due_soon"] for r in rows),
        "late": sum(r["overdue"] for r in rows),
        "targets": sum(r["patrol"] for r in rows),
        "targets_late": sum(r["patrol_overdue"] for r in rows),
    }
    return state, {r["township_id"]: {"late": r["overdue"], "targets": r["patrol"]} for r in rows}


def plan_sentence(state: dict | None, day: datetime.date) -> str:
    if state is None:
        return _("未保存%(day)s的探访计划统计，逾期未访和重点巡防对象人数从略。") % {"day": _day(day)}
    return _(
        "截至%(day)s的探访计划：纳入探访计划%(c)s人，已过应探访日期未访%(o)s人，"
        "%(d)d日内应访%(due)s人；重点巡防对象%(p)s人，其中逾期未访%(po)s人。"
    ) % {
        "day": _day(day),
        "c": _n(state["in_plan"]),
        "due": _n(state["due_soon"]),
        "d": DUE_SOON_DAYS,
        "o": _n(state["late"]),
        "p": _n(state["targets"]),
        "po": _n(state["targets_late"]),
    }
