"""The nine programmes of DESIGN.md section 4, with the rules of DOMAIN.md section 2 as defaults.

Loaded by a data migration; every value here is editable data afterwards.
Amounts: only the Hebei 2020 standards are known (DOMAIN.md 2.1); the bureau enters the rest.
"""

import datetime
from decimal import Decimal

ORPHAN_KINDS = ["orphan_scattered", "orphan_institutional"]

PROGRAMMES = [
    # code, name, aliases, fund type, eligible kinds, age limit, start rule, stop rule, disability flags
    (
        "orphan_scattered",
        "散居孤儿基本生活费",
        ["散居孤儿基本生活保障"],
        "201",
        ["orphan_scattered"],
        18,
        "month_after_confirmation",
        "month_after_event",
        False,
        False,
    ),
    (
        "orphan_institutional",
        "机构养育孤儿基本生活费",
        ["集中养育孤儿基本生活费"],
        "202",
        ["orphan_institutional"],
        18,
        "month_after_confirmation",
        "month_after_event",
        False,
        False,
    ),
    (
        "de_facto_scattered",
        "社会散居事实无人抚养儿童基本生活补贴",
        ["事实无人抚养儿童基本生活补贴"],
        "120",
        ["de_facto_scattered"],
        18,
        "month_after_confirmation",
        "month_after_event",
        False,
        False,
    ),
    (
        "de_facto_institutional",
        "集中供养事实无人抚养儿童基本生活补贴",
        [],
        "121",
        ["de_facto_institutional"],
        18,
        "month_after_confirmation",
        "month_after_event",
        False,
        False,
    ),
    (
        "extreme_poverty",
        "特困人员救助供养",
        ["特困供养", "特困津贴"],
        "",
        [],
        18,
        "month_after_confirmation",
        "month_after_event",
        False,
        False,
    ),
    (
        "urban_dibao",
        "城镇最低生活保障",
        ["城镇低保"],
        "",
        [],
        None,
        "month_after_confirmation",
        "month_after_event",
        False,
        False,
    ),
    (
        "rural_dibao",
        "农村最低生活保障",
        ["农村低保"],
        "",
        [],
        None,
        "month_after_confirmation",
        "month_after_event",
        False,
        False,
    ),
    (
        "severe_disability_care",
        "重度残疾人护理补贴",
        ["重残护理补贴"],
        "",
        [],
        None,
        "month_of_application",
        "month_after_event",
        True,
        True,
    ),
    (
        "poor_disabled_living",
        "困难残疾人生活补贴",
        ["困难残疾生活补贴"],
        "",
        [],
        None,
        "month_of_application",
        "month_after_event",
        True,
        False,
    ),
]

# (programme, other, rule): how `programme` is paid when the child also receives `other` (DOMAIN.md 2.3).
# An exclusive pair is stored both ways; the engine pays the higher standard only.
BASIC_LIVING = ("orphan_scattered", "orphan_institutional", "de_facto_scattered", "de_facto_institutional")
DIBAO = ("urban_dibao", "rural_dibao")


def _both_ways(a: str, b: str, rule: str) -> list[tuple[str, str, str]]:
    return [(a, b, rule), (b, a, rule)]


STACKING = [
    # 散居孤儿, 机构孤儿, 事实无人抚养 and 特困 among themselves: not cumulative (不重复享受).
    *[
        rule
        for i, a in enumerate((*BASIC_LIVING, "extreme_poverty"))
        for b in (*BASIC_LIVING, "extreme_poverty")[i + 1 :]
        for rule in _both_ways(a, b, "exclusive")
    ],
    # 特困 vs 低保, and urban vs rural 低保.
    *[rule for d in DIBAO for rule in _both_ways("extreme_poverty", d, "exclusive")],
    *_both_ways("urban_dibao", "rural_dibao", "exclusive"),
    # 低保 or 困难残疾人生活补贴 below the child's standard: the child's allowance tops up the difference (补差).
    *[(p, o, "top_up") for p in BASIC_LIVING for o in (*DIBAO, "poor_disabled_living")],
    # 重度残疾人护理补贴 is not paid beside 特困's care part, but is paid in full beside the orphan allowance.
    *_both_ways("severe_disability_care", "extreme_poverty", "exclusive"),
    *[rule for p in BASIC_LIVING for rule in _both_ways("severe_disability_care", p, "cumulative")],
]

HEBEI_2020 = "河北省2020年1月起标准（新华社2020-01-10；河北日报2020-05-30）"
STANDARDS = [
    ("orphan_scattered", datetime.date(2020, 1, 1), Decimal("1000.00"), HEBEI_2020),
    ("orphan_institutional", datetime.date(2020, 1, 1), Decimal("1450.00"), HEBEI_2020),
    ("de_facto_scattered", datetime.date(2020, 1, 1), Decimal("1000.00"), HEBEI_2020),
    ("de_facto_institutional", datetime.date(2020, 1, 1), Decimal("1450.00"), HEBEI_2020),
]


def load_defaults(apps) -> None:
    Programme = apps.get_model("subsidies", "Programme")
    Standard = apps.get_model("subsidies", "Standard")
    by_code = {}
    for order, row in enumerate(PROGRAMMES, start=1):
        code, name, aliases, fund, kinds, age, start, stop, disability, severe = row
        by_code[code], _created = Programme.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "aliases": aliases,
                "fund_type_code": fund,
                "eligible_kinds": kinds,
                "age_limit": age,
                "start_rule": start,
                "stop_rule": stop,
                "requires_disability": disability,
                "severe_disability_only": severe,
                "display_order": order,
            },
        )
    load_stacking(apps, by_code=by_code, overwrite=True)
    for code, month, amount, note in STANDARDS:
        Standard.objects.get_or_create(
            programme=by_code[code], effective_month=month, defaults={"amount": amount, "note": note}
        )


def load_stacking(apps, *, by_code: dict | None = None, overwrite: bool = False) -> None:
    """The default stacking rules; without `overwrite`, a pair the county has already set is kept."""
    Programme = apps.get_model("subsidies", "Programme")
    StackingRule = apps.get_model("subsidies", "StackingRule")
    by_code = by_code or {p.code: p for p in Programme.objects.all()}
    for code, other, rule in STACKING:
        if code not in by_code or other not in by_code:
            continue  # a county without this programme
        if overwrite:
            StackingRule.objects.update_or_create(
                programme=by_code[code], other=by_code[other], defaults={"rule": rule}
            )
        else:
            StackingRule.objects.get_or_create(programme=by_code[code], other=by_code[other], defaults={"rule": rule})
