"""The dashboard's figures: the monthly report of the current month for the user's scope, with its charts."""

from django.utils import timezone

from dingzhou_welfare.access import role_of, townships_for, villages_limited
from dingzhou_welfare.models import COUNTY_WIDE_ROLES, NO_CHILD_ROLES

from .charts import report_charts
from .documents import build_monthly_report
from .figures import Period, Scope
from .views import county_label


def dashboard_scope(user) -> Scope | None:
    """The children the user sees, as a report scope; None for users who see no child."""
    role = role_of(user)
    if role is None or role in NO_CHILD_ROLES:
        return None
    if role in COUNTY_WIDE_ROLES:
        return Scope(label=county_label())
    townships = list(townships_for(user).order_by("code"))
    label = "、".join(t.name for t in townships)
    if villages_limited(user):
        villages = list(user.profile.villages.order_by("name"))
        label += "：" + "、".join(v.name for v in villages)
        return Scope(tuple(t.pk for t in townships), tuple(v.pk for v in villages), label)
    return Scope(tuple(t.pk for t in townships), label=label)


def dashboard_figures(user) -> dict | None:
    scope = dashboard_scope(user)
    if scope is None:
        return None
    report = build_monthly_report(Period.of(timezone.localdate()), scope)
    return {"report": report, "charts": report_charts(report), "summary": report.summary()}
