"""What the demo population is: its markers, the policy dates it respects, and its groups at scale 1."""

import datetime
from dataclasses import dataclass

from ..models import Carer, Child, ClassificationKind, ParentSituation

Kind = ClassificationKind
Situation = ParentSituation.Situation
Relationship = Carer.Relationship
Father, Mother = ParentSituation.Parent.FATHER, ParentSituation.Parent.MOTHER

MARK = "【演示数据】"  # starts the note of every demo child: how --reset finds them
AUDIT_SUMMARY = "演示数据"
PASSWORD = "Dingzhou-2026"  # noqa: S105 -- the published password of the demo accounts
PREFIX = "130682"
INSTITUTION = "定州市儿童福利院"
INSTITUTION_TOWNSHIP = "130682001"  # 南城区街道, the seat of government
CASEWORKER_TOWNSHIP, SECOND_TOWNSHIP = "130682101", "130682102"  # 清风店镇, 庞村镇 (as in the test cast)
POLICY_62 = datetime.date(2019, 7, 1)  # 民发〔2019〕62号: de facto unsupported children from then on
POLICY_LEFT_BEHIND = datetime.date(2016, 2, 14)  # 国发〔2016〕13号
POLICY_HARDSHIP = datetime.date(2016, 6, 13)  # 国发〔2016〕36号
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Group:
    """Children generated alike; sizes are for scale 1 (DOMAIN.md section 0)."""

    key: str
    size: int
    kinds: tuple[str, ...]
    notes: tuple[tuple[str, str], ...] = ()
    also_disabled: int = 0  # of `size`: also hold a disability card and the DISABLED classification
    also_guardianship: int = 0  # ... also HARDSHIP_GUARDIANSHIP
    history: int = 0  # ... were de facto unsupported before the last parent died
    without_id: int = 0  # ... have no ID number yet
    duplicates: int = 0  # ... are a second, ID-less record of another child of the group


# 2,689 in 困境儿童分类保障 = 46 + 306 + 13 + 15 + 1,380 + 672 + 257; plus 46 institutional orphans
# and the 32 left-behind children not on 低保.
PLAN = (
    Group("orphan_scattered", 46, (Kind.ORPHAN_SCATTERED,), also_disabled=4, history=6, without_id=1),
    Group("orphan_institutional", 46, (Kind.ORPHAN_INSTITUTIONAL,), also_disabled=8, without_id=8),
    Group("de_facto_scattered", 300, (Kind.DE_FACTO_SCATTERED,), also_disabled=15),
    Group("de_facto_institutional", 6, (Kind.DE_FACTO_INSTITUTIONAL,)),
    Group("left_behind", 32, (Kind.LEFT_BEHIND,), ((Kind.LEFT_BEHIND, "已签订委托监护责任确认书"),)),
    Group(
        "left_behind_dibao",
        20,
        (Kind.LEFT_BEHIND, Kind.HARDSHIP_POVERTY),
        ((Kind.LEFT_BEHIND, "已签订委托监护责任确认书"), (Kind.HARDSHIP_POVERTY, "农村低保")),
    ),
    Group("extreme_poverty", 13, (Kind.HARDSHIP_POVERTY,), ((Kind.HARDSHIP_POVERTY, "特困人员救助供养"),)),
    Group("urban_dibao", 15, (Kind.HARDSHIP_POVERTY,), ((Kind.HARDSHIP_POVERTY, "城镇低保"),)),
    Group(
        "rural_dibao",
        1360,
        (Kind.HARDSHIP_POVERTY,),
        ((Kind.HARDSHIP_POVERTY, "农村低保"),),
        also_guardianship=10,
        duplicates=2,
    ),
    Group("severe_disability", 672, (Kind.DISABLED,), ((Kind.DISABLED, "重度残疾人护理补贴"),)),
    Group(
        "poor_disability",
        257,
        (Kind.DISABLED, Kind.HARDSHIP_DISABILITY),
        ((Kind.HARDSHIP_DISABILITY, "困难残疾人生活补贴"),),
    ),
)


def scaled(n: int, scale: float) -> int:
    """n at this scale, rounded half up, at least 1 when n is not 0."""
    return max(1, int(n * scale + 0.5)) if n else 0


def demo_children():
    return Child.objects.filter(note__startswith=MARK)
