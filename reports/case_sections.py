"""Sections other apps contribute to one child's case file (一人一档): visits, agreements, adoption.

Each builder `f(child, *, masked, today) -> Section | None` reads one app's rows of the child; which
builders exist is decided by the installed apps (the monthly report's sections are in reports.sections).
"""

import datetime

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from dingzhou_welfare.idnumbers import mask_id_number

from .sections import Section, Table, has_model

VISITS_ON_FILE = 12


def child_visits_section(child, *, masked: bool, today: datetime.date) -> Section:
    from visits.models import MandatoryReport, Visit, VisitSchedule

    visits = list(
        Visit.objects.filter(child=child).select_related("visitor").order_by("-visited_on", "-id")[:VISITS_ON_FILE]
    )
    count = Visit.objects.filter(child=child).count()
    rows = []
    for visit in visits:
        poor = [label for label, display, value, _note in visit.dimension_rows() if value in ("poor", "serious")]
        rows.append(
            [
                f"{visit.visited_on:%Y-%m-%d}",
                visit.get_kind_display(),
                visit.visitor.get_full_name() or visit.visitor.get_username(),
                visit.get_risk_level_display(),
                _("、").join(str(p) for p in poor) or _("无"),
                (visit.problems or "—")[:80],
                visit.get_status_display(),
            ]
        )
    paragraphs = []
    schedule = VisitSchedule.objects.filter(child=child).first()
    if schedule is not None:
        text = _("下次应探访：%(d)s") % {"d": f"{schedule.due_on:%Y-%m-%d}"}
        if schedule.due_on < today:
            text += _("（已逾期）")
        if schedule.patrol:
            text += _("；重点巡防对象（%(r)s）") % {"r": schedule.patrol_reason or schedule.get_patrol_source_display()}
        paragraphs.append(text + _("。"))
    reports = MandatoryReport.objects.filter(child=child).order_by("-reported_at")
    for item in reports[:5]:
        paragraphs.append(
            _("强制报告：%(d)s，%(s)s%(h)s")
            % {
                "d": f"{timezone.localtime(item.reported_at):%Y-%m-%d}",
                "s": item.get_status_display(),
                "h": _("，处置：%(h)s") % {"h": item.handling[:80]} if item.handling else "",
            }
        )
    if count > len(visits):
        paragraphs.append(_("共%(n)d次探访，下表为最近%(k)d次。") % {"n": count, "k": len(visits)})
    tables = []
    if rows:
        tables.append(
            Table(
                [_("日期"), _("类型"), _("探访人"), _("风险"), _("较差或严重的方面"), _("发现的问题"), _("状态")],
                rows,
                numeric_from=99,
            )
        )
    return Section(
        key="visits", title=_("巡视探访"), paragraphs=paragraphs, tables=tables, empty_note=_("尚无探访记录。")
    )


def child_agreements_section(child, *, masked: bool, today: datetime.date) -> Section | None:
    from children.models import GuardianshipAgreement

    agreements = list(GuardianshipAgreement.objects.filter(child=child).order_by("-period_start", "-id"))
    if not agreements and not child.classifications.filter(kind="left_behind").exists():
        return None
    rows = [
        [
            a.get_status_display(),
            f"{a.period_start:%Y-%m-%d} — {a.period_end:%Y-%m-%d}",
            f"{a.carer_name}（{a.get_carer_relationship_display()}）",
            mask_id_number(a.carer_id_number) if masked else a.carer_id_number,
            f"{a.signed_on:%Y-%m-%d}" if a.signed_on else "—",
            (f"{a.ended_on:%Y-%m-%d} {a.get_end_reason_display()}" if a.ended_on else "—"),
        ]
        for a in agreements
    ]
    tables = (
        [
            Table(
                [_("状态"), _("委托期限"), _("受委托人"), _("身份证号"), _("签订日期"), _("终止")],
                rows,
                numeric_from=99,
            )
        ]
        if rows
        else []
    )
    return Section(
        key="agreements",
        title=_("委托监护责任确认书"),
        tables=tables,
        empty_note=_("农村留守儿童，尚未签订委托监护责任确认书。"),
    )


def child_adoption_section(child, *, masked: bool, today: datetime.date) -> Section | None:
    from adoption.models import AdoptionCase

    cases = list(AdoptionCase.objects.filter(child=child).order_by("-applied_on", "-id"))
    if not cases:
        return None
    rows = [
        [
            f"{c.applied_on:%Y-%m-%d}",
            c.get_origin_display(),
            c.get_state_display(),
            f"{c.registered_on:%Y-%m-%d}" if c.registered_on else "—",
            c.certificate_number or "—",
        ]
        for c in cases
    ]
    return Section(
        key="adoption",
        title=_("收养"),
        tables=[Table([_("申请日期"), _("来源"), _("状态"), _("登记日期"), _("登记证号")], rows, numeric_from=99)],
    )


def case_file_sections() -> list:
    """Builders `f(child, *, masked, today) -> Section | None` for the case file, in print order."""
    builders = []
    if apps.is_installed("visits"):
        builders.append(child_visits_section)
    if has_model("children", "GuardianshipAgreement"):
        builders.append(child_agreements_section)
    if apps.is_installed("adoption") and has_model("adoption", "AdoptionCase"):
        builders.append(child_adoption_section)
    return builders
