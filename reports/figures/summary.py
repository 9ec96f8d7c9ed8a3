"""The report's opening paragraphs, in the words of the bureau's own summary (DOMAIN.md 0)."""

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from ..glossary import ALL_MONEY, BASIC_LIVING_CODES, BASIC_LIVING_MONEY, INSTITUTIONAL
from .money import ZERO, unpaid_runs

if TYPE_CHECKING:
    from .report import Report


def wan(amount: Decimal) -> str:
    """Yuan as 万元 with two places, as the bureau's summaries write it (202.79 万元)."""
    return f"{(amount / Decimal(10000)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def yuan(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,}"


def _listing(pairs) -> str:
    return _("、").join(_("%(label)s%(n)s人") % {"label": label, "n": f"{n:,}"} for label, n in pairs if n)


def summary_paragraphs(report: "Report") -> list[str]:
    period, scope = report.period, report.scope
    as_of = report.as_of
    day = _("%(y)d年%(m)d月%(d)d日") % {"y": as_of.year, "m": as_of.month, "d": as_of.day}
    paragraphs = []
    protection = report.classified_protection
    text = _("截至%(day)s，%(scope)s纳入%(term)s的儿童共%(n)s人") % {
        "day": day,
        "scope": scope.label,
        "term": protection.term.name,
        "n": f"{report.protected_children:,}",
    }
    listing = _listing((r.label, r.flow.end) for r in protection.rows)
    if listing:
        text += _("，其中：%(l)s") % {"l": listing}
    if report.protected_distinct_children != report.protected_children:
        text += _("（部分儿童同时享受两个以上项目，按项目分别计入；实际儿童%(n)s人）") % {
            "n": f"{report.protected_distinct_children:,}"
        }
    text += _("；另有%(term)s%(n)s人。") % {"term": INSTITUTIONAL.name, "n": f"{report.institutional_children:,}"}
    paragraphs.append(text)

    kinds = [(r.label, r.flow.end) for r in report.kinds]
    listing = _listing(kinds)
    if listing:
        paragraphs.append(
            _("按儿童类别（一名儿童可属多个类别）：%(l)s；合计%(n)s名儿童。")
            % {"l": listing, "n": f"{report.classified_children:,}"}
        )

    basic = report.basic_living_flow
    reasons = {r.value: r.label for r in report.kind_reasons}
    why = _("、").join(
        _("%(r)s%(n)s人") % {"r": reasons.get(value, value), "n": n} for value, n in sorted(basic.removed_by.items())
    )
    paragraphs.append(
        _(
            "%(period)s孤儿和事实无人抚养儿童动态新增%(a)s人，动态减员%(r)s人%(why)s；保障项目新增%(pa)s人次，减员%(pr)s人次。"
        )
        % {
            "period": period.label,
            "a": f"{basic.added:,}",
            "r": f"{basic.removed:,}",
            "why": _("（%(w)s）") % {"w": why} if why else "",
            "pa": f"{report.programmes_total.flow.added:,}",
            "pr": f"{report.programmes_total.flow.removed:,}",
        }
    )
    paragraphs.append(_money_paragraph(report))
    unpaid = report.unpaid_months
    if unpaid:
        paragraphs.append(
            _("注：%(months)s尚无已审批的发放批次，相应金额未计入。") % {"months": _("、").join(unpaid_runs(unpaid))}
        )
    return paragraphs


def _money_paragraph(report: "Report") -> str:
    """各类保障资金 and 基本生活费（补贴） paid in the period; a period without an approved batch says so, not 0.00."""
    period = report.period
    money = report.classified_protection.total.period
    year = report.classified_protection.total.year
    if len(report.unpaid_months) == len(period.months):
        text = _("%(period)s尚无已审批的发放批次，本期发放金额未计入") % {"period": period.label}
    else:
        text = _("%(period)s已发放%(term)s%(total)s元（%(wan)s万元），其中正常发放%(normal)s元、补发%(arrears)s元") % {
            "period": period.label,
            "term": ALL_MONEY.name,
            "total": yuan(money.total),
            "wan": wan(money.total),
            "normal": yuan(money.normal),
            "arrears": yuan(money.arrears),
        }
        if money.adjustments:
            text += _("、调整扣减%(a)s元") % {"a": yuan(-money.adjustments)}
    text += _("。%(y)d年累计发放%(ytd)s元（%(wan)s万元）") % {
        "y": period.last.year,
        "ytd": yuan(year.total),
        "wan": wan(year.total),
    }
    if len(report.unpaid_months) < len(period.months):
        basic_money = sum((r.period.total for r in report.programmes if r.code in BASIC_LIVING_CODES), ZERO)
        text += _("。%(period)s发放孤儿和事实无人抚养儿童%(term)s%(b)s万元（含机构集中供养儿童）") % {
            "period": period.label,
            "term": BASIC_LIVING_MONEY.name,
            "b": wan(basic_money),
        }
    return text + _("。")
