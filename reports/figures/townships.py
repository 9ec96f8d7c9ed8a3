"""Per township: children by classification and by programme, and money, one row per township of the scope.

Counts of children follow the child's current township; money follows the township on the payment line.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .counting import Flow
from .money import Money, MoneyTotals


@dataclass
class TownshipRow:
    township_id: int | None
    label: str
    kinds: Flow
    programmes: Flow
    period: Money
    year: Money
    extra: dict = field(default_factory=dict)  # figures other sections add per township


def township_rows(
    townships, kind_flows: dict[tuple[str, int], Flow], programme_flows: dict[tuple[int, int], Flow], money: MoneyTotals
) -> tuple[list[TownshipRow], TownshipRow]:
    rows = []
    total = TownshipRow(None, _("合计"), Flow(), Flow(), Money(), Money())
    kinds_by_township: dict[int, Flow] = defaultdict(Flow)
    for (_kind, township_id), f in kind_flows.items():
        kinds_by_township[township_id].add(f)
    programmes_by_township: dict[int, Flow] = defaultdict(Flow)
    for (_programme, township_id), f in programme_flows.items():
        programmes_by_township[township_id].add(f)
    for township in townships:
        row = TownshipRow(
            township.pk,
            township.name,
            kinds_by_township.get(township.pk, Flow()),
            programmes_by_township.get(township.pk, Flow()),
            money.township_period.get(township.pk, Money()),
            money.township_year.get(township.pk, Money()),
        )
        rows.append(row)
        total.kinds.add(row.kinds)
        total.programmes.add(row.programmes)
        total.period.add(row.period)
        total.year.add(row.year)
    return rows, total
