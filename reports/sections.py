"""Sections other apps contribute to the monthly report and to the case file.

A section is a title, a few sentences, tables, and optionally columns for the per-township
table. Builders read the other apps' models (visits, guardianship agreements, adoption) with
set-based queries, a few per report whatever the number of children. Which sections exist is
decided by the installed apps, so the report never prints a placeholder number.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .glossary import ADOPTIONS, AGREEMENTS_SIGNED, CARE_VISITS, LEFT_BEHIND
from .visit_plan import plan_sentence, visit_plan


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    foot: list | None = None
    numeric_from: int = 1  # columns from this index on are numbers (right-aligned)
    caption: str = ""


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    # (header, {township id: value}, total): extra columns of the per-township table
    township_columns: list[tuple[str, dict, object]] = field(default_factory=list)
    empty_note: str = ""
    # The section's numbers by name, for the bureau's paragraph (reports.figures.bureau)
    figures: dict = field(default_factory=dict)


def _n(value: int) -> str:
    return f"{value:,}"


def _day(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


# ---------------------------------------------------------------------------------------------
# The monthly report


def visits_section(report) -> Section:
    """巡视探访: visits done in the period, problems, mandatory reports; due, overdue and key patrol targets."""
    from visits.models import DIMENSIONS, MandatoryReport, Rating, RiskLevel, Visit

    period, scope = report.period, report.scope
    first, last = period.first_day, period.last_day
    as_of = report.as_of
    visits = Visit.objects.filter(scope.children("child__"), visited_on__gte=first, visited_on__lte=last).exclude(
        status=Visit.Status.RETURNED
    )
    problem = Q()
    for name, _label in DIMENSIONS:
        problem |= Q(**{f"{name}_rating__in": [Rating.POOR, Rating.SERIOUS]})
    by_kind = {
        row["kind"]: row
        for row in visits.values("kind")
        .annotate(
            n=Count("id"),
            children=Count("child", distinct=True),
            problems=Count("id", filter=problem),
            high=Count("id", filter=Q(risk_level=RiskLevel.HIGH)),
        )
        .order_by()
    }
    totals = visits.aggregate(
        n=Count("id"), children=Count("child", distinct=True), problems=Count("id", filter=problem)
    )
    per_township = dict(visits.values_list("child__township_id").annotate(n=Count("id")).order_by())
    # By the day of the visit that found the suspected harm (entered later, it still belongs to that month).
    reports = MandatoryReport.objects.filter(
        scope.children("child__"), visit__visited_on__gte=first, visit__visited_on__lte=last
    )
    report_counts = reports.aggregate(
        n=Count("id"), handled=Count("id", filter=Q(status=MandatoryReport.Status.HANDLED))
    )
    state, by_township = visit_plan(scope, as_of, current=as_of >= timezone.localdate())
    paragraphs = [
        _(
            "%(period)s共开展巡视探访%(n)s次，探访儿童%(c)s人，其中发现健康、精神、教育、卫生、居住或监护方面"
            "较差或严重问题的%(p)s次；疑似侵害强制报告%(r)s件（已处置%(h)s件）。"
        )
        % {
            "period": period.label,
            "n": _n(totals["n"]),
            "c": _n(totals["children"]),
            "p": _n(totals["problems"]),
            "r": _n(report_counts["n"]),
            "h": _n(report_counts["handled"]),
        },
        plan_sentence(state, as_of),
    ]
    rows = [
        [
            str(label),
            _n(by_kind.get(kind, {}).get("n", 0)),
            _n(by_kind.get(kind, {}).get("children", 0)),
            _n(by_kind.get(kind, {}).get("problems", 0)),
            _n(by_kind.get(kind, {}).get("high", 0)),
        ]
        for kind, label in Visit.Kind.choices
    ]
    foot = [
        _("合计"),
        _n(totals["n"]),
        _n(totals["children"]),
        _n(totals["problems"]),
        _n(sum(r.get("high", 0) for r in by_kind.values())),
    ]
    table = Table([_("探访类型"), _("次数"), _("儿童（人）"), _("发现问题（次）"), _("评为高风险（次）")], rows, foot)
    return Section(
        key="visits",
        title=_("巡视探访"),
        paragraphs=paragraphs,
        tables=[table],
        township_columns=[
            (_("探访次数"), per_township, totals["n"]),
            *(
                [
                    (_("逾期未访（期末）"), {k: v["late"] for k, v in by_township.items()}, state["late"]),
                    (_("重点巡防对象（期末）"), {k: v["targets"] for k, v in by_township.items()}, state["targets"]),
                ]
                if state
                else []
            ),
        ],
    )


def agreements_section(report) -> Section:
    """委托监护: signed, current agreements over the left-behind children at the end of the period.

    The same states as children.agreements (covered = a signed agreement in force that day), counted
    with two semi-joins per township rather than per child, so a province costs a few hundred milliseconds.
    """
    from children.agreements.services import EXPIRY_WARNING_DAYS
    from children.models import Child, Classification, ClassificationKind, GuardianshipAgreement

    period, scope = report.period, report.scope
    day = report.as_of
    soon = day + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    current = GuardianshipAgreement.objects.current_on(day).filter(child=OuterRef("child"))
    renewed = GuardianshipAgreement.objects.signed().filter(child=OuterRef("child"), period_start__gt=day)
    # One left-behind entry in force per child and day: counting entries counts children.
    entries = (
        Classification.objects.current_on(day)
        .filter(scope.children("child__"), kind=ClassificationKind.LEFT_BEHIND)
        .filter(Q(child__status=Child.Status.ACTIVE) | Q(child__closed_on__gt=day))
        .annotate(
            has_current=Exists(current),
            ends_soon=Exists(current.filter(period_end__lte=soon)) & ~Exists(renewed),
        )
    )
    rows = list(
        entries.values(township_id=F("child__township_id"))
        .annotate(
            n=Count("pk"),
            covered=Count("pk", filter=Q(has_current=True)),
            expiring=Count("pk", filter=Q(has_current=True, ends_soon=True)),
        )
        .order_by()
    )
    left_by_township = {r["township_id"]: r["n"] for r in rows}
    covered_by_township = {r["township_id"]: r["covered"] for r in rows}
    left_total = sum(left_by_township.values())
    covered = sum(covered_by_township.values())
    expiring = sum(r["expiring"] for r in rows)
    signed = GuardianshipAgreement.objects.filter(
        scope.children("child__"), signed_on__gte=period.first_day, signed_on__lte=period.last_day
    ).count()
    paragraphs = [
        _(
            "截至%(day)s，%(term)s%(n)s人，%(signed)s的%(c)s人%(pct)s"
            "（其中一个月内到期未续签%(e)s人），未签订或已到期%(m)s人；%(period)s新签订%(s)s份。"
        )
        % {
            "day": _day(day),
            "term": LEFT_BEHIND.name,
            "signed": AGREEMENTS_SIGNED.name,
            "n": _n(left_total),
            "c": _n(covered),
            "pct": _("，覆盖率%(p)d%%") % {"p": round(covered * 100 / left_total)} if left_total else "",
            "e": _n(expiring),
            "m": _n(left_total - covered),
            "period": period.label,
            "s": _n(signed),
        }
    ]
    return Section(
        key="agreements",
        title=_("%(term)s委托监护") % {"term": LEFT_BEHIND.name},
        paragraphs=paragraphs,
        figures={"left_behind": left_total, "covered": covered},
        township_columns=[
            (str(LEFT_BEHIND.name), left_by_township, left_total),
            (str(AGREEMENTS_SIGNED.name), covered_by_township, covered),
        ],
    )


def adoption_section(report) -> Section:
    """收养登记: registrations in the period (by the child's origin), cases still open."""
    from adoption.models import AdoptionCase, State

    period, scope = report.period, report.scope
    cases = AdoptionCase.objects.filter(scope.children("child__"))
    registered = cases.filter(
        state=State.REGISTERED, registered_on__gte=period.first_day, registered_on__lte=period.last_day
    )
    by_origin = dict(registered.values_list("origin").annotate(n=Count("id")).order_by())
    by_township = dict(registered.values_list("child__township_id").annotate(n=Count("id")).order_by())
    total = sum(by_origin.values())
    year = cases.filter(
        state=State.REGISTERED, registered_on__gte=period.year_start, registered_on__lte=period.last_day
    ).count()
    open_now = cases.open().count()
    detail = _("、").join(
        _("%(o)s%(n)s件") % {"o": label, "n": _n(by_origin[value])}
        for value, label in AdoptionCase.Origin.choices
        if by_origin.get(value)
    )
    paragraphs = [
        _("%(period)s办理收养登记%(n)s件%(detail)s；%(y)d年累计%(ytd)s件。目前在办收养案件%(o)s件。")
        % {
            "period": period.label,
            "n": _n(total),
            "detail": _("（%(d)s）") % {"d": detail} if detail else "",
            "y": period.last.year,
            "ytd": _n(year),
            "o": _n(open_now),
        }
    ]
    return Section(
        key="adoption",
        title=_("收养登记"),
        paragraphs=paragraphs,
        figures={"registered": total},
        township_columns=[(str(ADOPTIONS.name), by_township, total)],
    )


def campaigns_section(report) -> Section:
    """走访慰问: children visited with relief in the period and what was handed out, per item."""
    from visits.campaigns.models import CampaignItem, Handout, HandoutLine
    from visits.campaigns.totals import OTHER_LABEL, REPORT_CATEGORIES, category_of

    period, scope = report.period, report.scope
    handouts = Handout.objects.filter(
        scope.children("child__"), handed_on__gte=period.first_day, handed_on__lte=period.last_day
    )
    totals = handouts.aggregate(n=Count("id"), children=Count("child", distinct=True))
    per_campaign = list(
        handouts.values("campaign__name").annotate(n=Count("child", distinct=True)).order_by("campaign__name")
    )
    items = (
        HandoutLine.objects.filter(handout__in=handouts)
        .values("item__name", "item__unit", "item__kind", "item__position")
        .annotate(quantity=Sum("quantity"))
        .order_by(
            "-item__kind", "item__position", "item__name", "item__unit"
        )  # goods in the campaign's order, cash last
    )
    handed = []
    for row in items:
        if not row["quantity"]:
            continue
        if row["item__kind"] == CampaignItem.Kind.CASH:
            amount = f"{row['quantity']:,.2f}"
        else:
            amount = f"{int(row['quantity']):,}"
        handed.append(f"{row['item__name']}{amount}{row['item__unit']}")
    by_township = dict(handouts.values_list("child__township_id").annotate(n=Count("id")).order_by())
    # 走访慰问 as the bureau counts it (reports.glossary CARE_VISITS): each handout once, in its child's category
    by_category = dict(
        handouts.annotate(category=category_of()).values_list("category").annotate(n=Count("id")).order_by()
    )
    labels = [str(label) for _key, label, _kinds in REPORT_CATEGORIES] + [str(OTHER_LABEL)]
    categories = [(labels[index], n) for index, n in sorted(by_category.items()) if n]
    if totals["n"]:
        text = _("%(period)s走访慰问儿童%(c)s人（%(campaigns)s）") % {
            "period": period.label,
            "c": _n(totals["children"]),
            "campaigns": _("、").join(
                _("%(name)s%(n)s人") % {"name": row["campaign__name"], "n": _n(row["n"])} for row in per_campaign
            ),
        }
        text += _("，发放%(h)s。") % {"h": _("、").join(handed)} if handed else _("。")
    else:
        text = _("%(period)s没有走访慰问发放记录。") % {"period": period.label}
    return Section(
        key="campaigns",
        title=_("走访慰问"),
        paragraphs=[text],
        township_columns=[(_("%(term)s（人次）") % {"term": CARE_VISITS.name}, by_township, totals["n"])],
        figures={"visited": totals["n"], "categories": categories, "handed": handed},
    )


def protection_section(report) -> Section:
    """未成年人保护: the townships that are 未成年人保护工作站试点 at the end, and supervisor trainings held."""
    from dingzhou_welfare.models import SupervisorTraining

    period, scope = report.period, report.scope
    pilots = list(
        scope.townships()
        .filter(protection_pilot=True, protection_pilot_since__lte=report.as_of)
        .order_by("code")
        .values_list("name", flat=True)
    )
    trainings = SupervisorTraining.objects.filter(held_on__gte=period.first_day, held_on__lte=period.last_day)
    if scope.township_ids is not None:
        trainings = trainings.filter(township_id__in=scope.township_ids)
    held = trainings.aggregate(n=Count("id"), people=Sum("attendees"))
    people = held["people"] or 0
    if pilots:
        text = _("截至%(day)s，%(names)s共%(n)s个乡镇（街道）为未成年人保护工作站试点") % {
            "day": _day(report.as_of),
            "names": _("、").join(pilots),
            "n": _n(len(pilots)),
        }
    else:
        text = _("截至%(day)s，尚无乡镇（街道）列为未成年人保护工作站试点") % {"day": _day(report.as_of)}
    text += _("；%(period)s举办儿童督导员培训%(n)s期、参训%(p)s人次。") % {
        "period": period.label,
        "n": _n(held["n"]),
        "p": _n(people),
    }
    return Section(
        key="protection",
        title=_("未成年人保护"),
        paragraphs=[text],
        figures={"pilots": len(pilots), "trainings": held["n"], "trained": people},
    )


def available() -> list:
    """Builders `f(report) -> Section | None` for the monthly report, in print order."""
    builders = []
    if apps.is_installed("visits"):
        builders.append(visits_section)
    if apps.is_installed("visits.campaigns"):
        builders.append(campaigns_section)
    if has_model("children", "GuardianshipAgreement"):
        builders.append(agreements_section)
    if apps.is_installed("adoption") and has_model("adoption", "AdoptionCase"):
        builders.append(adoption_section)
    builders.append(protection_section)
    return builders


def has_model(app_label: str, name: str) -> bool:
    try:
        apps.get_model(app_label, name)
    except LookupError:
        return False
    return True
