"""A campaign's totals per category of child (each child once, by the documented precedence) and per item."""

import datetime
from decimal import Decimal

import pytest

from children.models import Classification, ClassificationKind
from tests.factories import ChildFactory
from visits.campaigns.totals import REPORT_CATEGORIES, campaign_totals

from .support import give

pytestmark = pytest.mark.django_db
K = ClassificationKind
FEB = datetime.date(2026, 2, 1)

# (classifications held on the day of the handout, the category the child is counted in)
PRECEDENCE = [
    ([K.ORPHAN_SCATTERED], "orphan_scattered"),
    ([K.ORPHAN_SCATTERED, K.DISABLED, K.HARDSHIP_DISABILITY], "orphan_scattered"),
    ([K.ORPHAN_INSTITUTIONAL, K.DISABLED], "orphan_institutional"),
    ([K.DE_FACTO_SCATTERED], "de_facto"),
    ([K.DE_FACTO_INSTITUTIONAL, K.DISABLED], "de_facto"),
    ([K.LEFT_BEHIND, K.HARDSHIP_POVERTY], "left_behind"),
    ([K.LEFT_BEHIND, K.DISABLED], "left_behind"),
    ([K.DISABLED, K.HARDSHIP_DISABILITY], "disabled"),
    ([K.HARDSHIP_POVERTY], "hardship"),
    ([K.HARDSHIP_GUARDIANSHIP], "hardship"),
    ([K.HARDSHIP_DISABILITY], "hardship"),
    ([], "other"),
]


def _child_with(kinds, township, start=datetime.date(2025, 1, 1), end=None):
    child = ChildFactory(township=township)
    for kind in kinds:  # straight to the table: the categories' own rules are tested in tests/children
        Classification.objects.create(
            child=child, kind=kind, start_date=start, end_date=end, end_reason="other" if end else ""
        )
    return child


@pytest.mark.parametrize(("kinds", "expected"), PRECEDENCE, ids=[c[1] + "-" + "+".join(c[0]) for c in PRECEDENCE])
def test_a_child_is_counted_once_in_the_first_category_held(campaign, staff, township_a, kinds, expected):
    give(staff, campaign, _child_with(kinds, township_a), 大米=1)
    result = campaign_totals(campaign, staff)
    counted = {row.key: row.children for row in result.rows if row.children}
    assert counted == {expected: 1}
    assert result.total.children == 1


def test_the_category_is_the_one_held_on_the_day_of_the_handout(campaign, staff, township_a):
    # Left-behind until 2026-01-31, then only 困境 (poverty): handed out on 1 February.
    child = _child_with([K.LEFT_BEHIND], township_a, end=datetime.date(2026, 1, 31))
    Classification.objects.create(child=child, kind=K.HARDSHIP_POVERTY, start_date=datetime.date(2026, 1, 31))
    give(staff, campaign, child, day=FEB, 大米=1)
    rows = {row.key: row.children for row in campaign_totals(campaign, staff).rows}
    assert rows["hardship"] == 1
    assert rows["left_behind"] == 0
    # A classification that starts after the handout does not count either.
    later = _child_with([K.DISABLED], township_a, start=datetime.date(2026, 3, 1))
    give(staff, campaign, later, day=FEB, 大米=1)
    rows = {row.key: row.children for row in campaign_totals(campaign, staff).rows}
    assert rows["other"] == 1


def test_totals_per_category_and_item_add_up_like_the_bureau_report(campaign, staff, township_a, township_b):
    orphans = [_child_with([K.ORPHAN_SCATTERED], township_a) for _ in range(3)]
    de_facto = [_child_with([K.DE_FACTO_SCATTERED, K.DISABLED], township_b) for _ in range(2)]
    hardship = _child_with([K.HARDSHIP_POVERTY], township_a)
    for child in orphans:
        give(staff, campaign, child, 大米=1, 油=1, 慰问金="300")
    for child in de_facto:
        give(staff, campaign, child, 大米=2, 棉被=1, 慰问金="250.50")
    give(staff, campaign, hardship, 面=1)
    result = campaign_totals(campaign, staff)
    names = [item.name for item in result.items]
    assert names == ["大米", "面", "油", "棉被", "慰问金"]
    table = {row.key: (row.children, row.quantities) for row in result.rows}
    assert [key for key, _label, _kinds in REPORT_CATEGORIES] == list(table)  # no "other" row when empty
    assert table["orphan_scattered"] == (3, [Decimal(3), 0, Decimal(3), 0, Decimal("900.00")])
    assert table["de_facto"] == (2, [Decimal(4), 0, 0, Decimal(2), Decimal("501.00")])
    assert table["hardship"] == (1, [0, Decimal(1), 0, 0, 0])
    assert table["left_behind"] == (0, [0, 0, 0, 0, 0])
    assert result.total.children == 6
    assert result.total.quantities == [Decimal(7), Decimal(1), Decimal(3), Decimal(2), Decimal("1401.00")]
    assert [(row.item.name, row.children) for row in result.per_item] == [
        ("大米", 5),
        ("面", 1),
        ("油", 3),
        ("棉被", 2),
        ("慰问金", 5),
    ]
    assert result.sentence() == (
        "走访慰问社会散居孤儿 3 名、事实无人抚养儿童 2 名、困境儿童 1 名，共 6 名；"
        "发放大米 7 份、面 1 份、油 3 份、棉被 2 条、慰问金 1,401.00 元。"
    )


def test_a_correction_replaces_the_childs_handout_and_the_child_is_still_counted_once(campaign, staff, township_a):
    child = _child_with([K.ORPHAN_SCATTERED], township_a)
    give(staff, campaign, child, 大米=1, 慰问金="300")
    give(staff, campaign, child, 大米=2)
    result = campaign_totals(campaign, staff)
    assert result.total.children == 1
    assert result.total.quantities == [Decimal(2), 0, 0, 0, 0]


def test_totals_count_only_the_children_in_the_users_scope(campaign, staff, caseworker_b, township_a, township_b):
    give(staff, campaign, _child_with([K.ORPHAN_SCATTERED], township_a), 大米=1)
    give(staff, campaign, _child_with([K.ORPHAN_SCATTERED], township_b), 大米=5)
    result = campaign_totals(campaign, caseworker_b)
    assert result.total.children == 1
    assert result.total.quantities[0] == Decimal(5)
