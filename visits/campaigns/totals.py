"""A campaign's totals per category of child and per item, shaped like the bureau's own report
(DOMAIN.md section 0: "社会散居孤儿 33, 事实无人抚养儿童 231, 农村留守儿童 36, 残疾儿童 78, 困境儿童 461
visited; handed out 大米 583 份 … 慰问金 4,500 元").

Each child is counted once, in the first category of REPORT_CATEGORIES that the child held on the
day of the handout (a scattered orphan who is also disabled counts as a scattered orphan; a
left-behind child on rural 低保 counts as left-behind). Children with no open classification that
day are "其他儿童". The database does the grouping; nothing is loaded per child.
"""

import dataclasses
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from children.models import Classification, ClassificationKind
from dingzhou_welfare.access import scope_related
from dingzhou_welfare.spreadsheets import Merge, Row

from .models import Campaign, CampaignItem, Handout, HandoutLine

Kind = ClassificationKind
ZERO = Decimal("0.00")

# The bureau's report order is also the precedence: a child is counted in the first one held.
REPORT_CATEGORIES = [
    ("orphan_scattered", gettext_lazy("社会散居孤儿"), [Kind.ORPHAN_SCATTERED]),
    ("orphan_institutional", gettext_lazy("机构集中养育孤儿"), [Kind.ORPHAN_INSTITUTIONAL]),
    ("de_facto", gettext_lazy("事实无人抚养儿童"), [Kind.DE_FACTO_SCATTERED, Kind.DE_FACTO_INSTITUTIONAL]),
    ("left_behind", gettext_lazy("农村留守儿童"), [Kind.LEFT_BEHIND]),
    ("disabled", gettext_lazy("残疾儿童"), [Kind.DISABLED]),
    (
        "hardship",
        gettext_lazy("困境儿童"),
        [Kind.HARDSHIP_POVERTY, Kind.HARDSHIP_DISABILITY, Kind.HARDSHIP_GUARDIANSHIP],
    ),
]
OTHER = len(REPORT_CATEGORIES)
OTHER_LABEL = gettext_lazy("其他儿童")
PRECEDENCE_NOTE = gettext_lazy(
    "每名儿童只计一次：按发放当日所属类别，依社会散居孤儿、机构集中养育孤儿、事实无人抚养儿童、"
    "农村留守儿童、残疾儿童、困境儿童的顺序取第一个；当日没有类别的计入“其他儿童”。"
)


def category_of(child_path: str = "child", day_path: str = "handed_on") -> Case:
    """The report category (index into REPORT_CATEGORIES, or OTHER) of a handout's child on its day."""
    whens = []
    for index, (_key, _label, kinds) in enumerate(REPORT_CATEGORIES):
        held = Classification.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gt=OuterRef(day_path)),
            child=OuterRef(child_path),
            kind__in=kinds,
            start_date__lte=OuterRef(day_path),
        )
        whens.append(When(Exists(held), then=Value(index)))
    return Case(*whens, default=Value(OTHER), output_field=IntegerField())


@dataclasses.dataclass
class CategoryRow:
    key: str
    label: str
    children: int
    quantities: list[Decimal]  # one per item, in the items' order


@dataclasses.dataclass
class ItemRow:
    item: CampaignItem
    quantity: Decimal
    children: int


@dataclasses.dataclass
class Totals:
    campaign: Campaign
    items: list[CampaignItem]
    rows: list[CategoryRow]
    total: CategoryRow
    per_item: list[ItemRow]

    def table(self) -> list[tuple[CategoryRow, list[tuple[CampaignItem, Decimal]]]]:
        """Each row with its cells paired with their items (goods and cash are shown differently)."""
        return [(row, list(zip(self.items, row.quantities, strict=True))) for row in [*self.rows, self.total]]

    def sentence(self) -> str:
        """The report's paragraph: 走访慰问社会散居孤儿 33 名、…；发放大米 583 份、…、慰问金 4,500.00 元。"""
        visited = _("、").join(
            _("%(c)s %(n)d 名") % {"c": row.label, "n": row.children} for row in self.rows if row.children
        )
        handed = _("、").join(
            f"{row.item.name} {quantity_text(row.item, row.quantity)}" for row in self.per_item if row.quantity
        )
        if not self.total.children:
            return _("尚未登记发放。")
        return _("走访慰问%(v)s，共 %(n)d 名；发放%(h)s。") % {"v": visited, "n": self.total.children, "h": handed}


def quantity_text(item: CampaignItem, quantity: Decimal) -> str:
    if item.is_cash:
        return f"{quantity:,.2f} {item.unit}"
    return f"{int(quantity):,} {item.unit}"


def campaign_totals(campaign: Campaign, user) -> Totals:
    """Totals of the handouts to children within the user's scope."""
    items = list(campaign.items.all())
    handouts = scope_related(Handout.objects.filter(campaign=campaign), user, "child")
    children = dict(
        handouts.annotate(category=category_of()).values_list("category").annotate(n=Count("id")).order_by()
    )
    lines = scope_related(HandoutLine.objects.filter(handout__campaign=campaign), user, "handout__child")
    sums = {
        (category, item_id): amount
        for category, item_id, amount in lines.annotate(category=category_of("handout__child", "handout__handed_on"))
        .values_list("category", "item")
        .annotate(q=Sum("quantity"))
        .order_by()
    }
    labels = [(key, str(label)) for key, label, _kinds in REPORT_CATEGORIES] + [("other", str(OTHER_LABEL))]
    rows = []
    for index, (key, label) in enumerate(labels):
        quantities = [sums.get((index, item.pk), ZERO) for item in items]
        if index == OTHER and not children.get(index):
            continue  # "其他儿童" only when there are any
        rows.append(CategoryRow(key, label, children.get(index, 0), quantities))
    total = CategoryRow(
        "total",
        _("合计"),
        sum(row.children for row in rows),
        [sum((row.quantities[i] for row in rows), ZERO) for i in range(len(items))],
    )
    receivers = dict(lines.values_list("item").annotate(n=Count("handout", distinct=True)).order_by())
    per_item = [ItemRow(item, total.quantities[i], receivers.get(item.pk, 0)) for i, item in enumerate(items)]
    return Totals(campaign, items, rows, total, per_item)


def _cell(item: CampaignItem, quantity: Decimal):
    return quantity if item.is_cash else int(quantity)


def totals_rows(totals: Totals, *, scope_label: str) -> Iterator[Row]:
    """The workbook: the category table (children and each item), then the item table."""
    items = totals.items
    width = 2 + len(items)
    campaign = totals.campaign
    yield "title", [Merge(_("%(n)s 走访慰问情况汇总表") % {"n": campaign.name}, max(width, 4))]
    yield (
        "note",
        [
            Merge(
                _("活动期间：%(s)s 至 %(e)s；范围：%(r)s；制表日期：%(d)s")
                % {
                    "s": campaign.start_date.isoformat(),
                    "e": campaign.end_date.isoformat(),
                    "r": scope_label,
                    "d": timezone.localdate().isoformat(),
                },
                max(width, 4),
            )
        ],
    )
    yield "note", [Merge(str(PRECEDENCE_NOTE), max(width, 4))]
    yield "header", [_("儿童类别"), _("人数"), *[f"{item.name}（{item.unit}）" for item in items]]
    for row in totals.rows:
        yield "line", [row.label, row.children, *[_cell(i, q) for i, q in zip(items, row.quantities, strict=True)]]
    total = totals.total
    yield "total", [total.label, total.children, *[_cell(i, q) for i, q in zip(items, total.quantities, strict=True)]]
    yield "blank", []
    yield "subtotal", [_("物品"), _("单位"), _("发放数量"), _("领取儿童数")]  # not "header": one frozen head
    for row in totals.per_item:
        yield "line", [row.item.name, row.item.unit, _cell(row.item, row.quantity), row.children]
    yield "blank", []
    yield "note", [Merge(totals.sentence(), max(width, 4))]


def totals_widths(totals: Totals) -> list[int]:
    return [22, 10, *[12 for _item in totals.items]] if len(totals.items) >= 2 else [22, 10, 12, 12]
