"""A county built from the bureau's own published figures (DOMAIN.md 0, January to May 2022), with bulk_create.

- 困境儿童分类保障 at the end of May: 2,689 children, each on one of the seven programmes: 散居孤儿 46,
  事实无人抚养 306, 特困 13, 城镇低保 15, 农村低保 1,380, 重残护理 672, 困难残疾生活 257;
- 机构集中供养儿童 46 (40 orphans and 6 de facto unsupported children in the institution);
- 农村留守儿童 52, every one with a signed 委托监护责任确认书 in force on 31 May;
- 动态新增 33 (10 scattered orphans and 23 de facto children recognised on 1 March), 动态减员 20 (de facto
  children whose category ended on 10 April, with no programme left);
- money of approved batches January to May: 基本生活费（补贴） 2,027,900.00 (202.79 万元: the four orphan and
  de facto programmes, the institution's included), the seven programmes 4,560,000.00 (456.00 万元);
- 寒冬送温暖 in January: 社会散居孤儿 33, 事实无人抚养儿童 231, 农村留守儿童 36, 残疾儿童 78, 困境儿童 461
  visited; 大米 583 份, 面 182 份, 油 597 份, 奶 5 箱, 挂历 19 件, 春联 34 副, 棉被 44 条, 糖果 26 件, 慰问金 4,500 元;
- 2 foundlings of the institution adopted (registered in April and May);
- 13 of 15 townships 未成年人保护工作站试点 since March; one training of 25 township supervisors in April.
"""

import datetime
from decimal import Decimal

from children.models import Child, ChildDocument, Classification, ClassificationKind, GuardianshipAgreement
from dingzhou_welfare.models import SupervisorTraining, Township, Village
from subsidies.models import Batch, Enrolment, Line, Programme
from tests.factories import ensure_reference_data, make_id_number
from visits.campaigns.models import Campaign, CampaignItem, Handout, HandoutLine

K = ClassificationKind
M = datetime.date
LONG_AGO = M(2020, 1, 1)
ADDED_ON = M(2022, 3, 1)
MONTHS = [M(2022, m, 1) for m in range(1, 6)]

# (programme, the children's category, children) in the article's order; institutional care after the seven
PROGRAMME_CHILDREN = [
    ("orphan_scattered", K.ORPHAN_SCATTERED, 46),
    ("de_facto_scattered", K.DE_FACTO_SCATTERED, 306),
    ("extreme_poverty", K.HARDSHIP_POVERTY, 13),
    ("urban_dibao", K.HARDSHIP_POVERTY, 15),
    ("rural_dibao", K.HARDSHIP_POVERTY, 1380),
    ("severe_disability_care", K.DISABLED, 672),
    ("poor_disabled_living", K.HARDSHIP_POVERTY, 257),
    ("orphan_institutional", K.ORPHAN_INSTITUTIONAL, 40),
    ("de_facto_institutional", K.DE_FACTO_INSTITUTIONAL, 6),
]
ADDED = {"orphan_scattered": 10, "de_facto_scattered": 23}  # recognised in March: 动态新增 33
# Money of each month's approved batch per programme: 5 x (46,000 + 292,880 + 66,700) = 2,027,900.00 basic living;
# the seven 5 x 912,000 = 4,560,000.00.
MONTH_MONEY = {
    "orphan_scattered": Decimal("46000.00"),
    "de_facto_scattered": Decimal("292880.00"),
    "orphan_institutional": Decimal("66700.00"),
    "extreme_poverty": Decimal("8120.00"),
    "urban_dibao": Decimal("15000.00"),
    "rural_dibao": Decimal("400000.00"),
    "severe_disability_care": Decimal("100000.00"),
    "poor_disabled_living": Decimal("50000.00"),
}
VISITED = {
    K.ORPHAN_SCATTERED: 33,
    K.DE_FACTO_SCATTERED: 231,
    K.LEFT_BEHIND: 36,
    K.DISABLED: 78,
    K.HARDSHIP_POVERTY: 461,
}
ITEMS = [  # name, unit, total, kind
    ("大米", "份", 583, CampaignItem.Kind.GOODS),
    ("面", "份", 182, CampaignItem.Kind.GOODS),
    ("油", "份", 597, CampaignItem.Kind.GOODS),
    ("奶", "箱", 5, CampaignItem.Kind.GOODS),
    ("挂历", "件", 19, CampaignItem.Kind.GOODS),
    ("春联", "副", 34, CampaignItem.Kind.GOODS),
    ("棉被", "条", 44, CampaignItem.Kind.GOODS),
    ("糖果", "件", 26, CampaignItem.Kind.GOODS),
    ("慰问金", "元", 4500, CampaignItem.Kind.CASH),
]
CASH_PER_CHILD = 500


def build_article_county(staff) -> dict:
    """The article's county; returns its townships and children by group."""
    ensure_reference_data()
    townships = Township.objects.bulk_create(
        [
            Township(
                code=f"130682{200 + i:03d}",
                name=f"文章{i + 1}镇",
                kind=Township.Kind.TOWN,
                protection_pilot=i < 13,
                protection_pilot_since=M(2022, 3, 15) if i < 13 else None,
            )
            for i in range(15)
        ]
    )
    villages = Village.objects.bulk_create([Village(township=t, name=f"{t.name}一村") for t in townships])
    sequence = iter(range(1_000_000))

    def children(n: int, *, no_id: bool = False) -> list[Child]:
        made = []
        for _ in range(n):
            i = next(sequence)
            born = M(2008, 1, 1) + datetime.timedelta(days=i % 3000)
            made.append(
                Child(
                    name=f"文章{i}",
                    sex="M",
                    birth_date=born,
                    id_number="" if no_id else make_id_number(born, "M", prefix=f"1306{82 + i // 3000:02d}"),
                    no_id_reason="弃婴，公安机关尚未办理户口" if no_id else "",
                    hukou_type=Child.HukouType.RURAL,
                    township=townships[i % 15],
                    village=villages[i % 15],
                )
            )
        return Child.objects.bulk_create(made)

    programmes = {p.code: p for p in Programme.objects.all()}
    groups: dict[str, list[Child]] = {}
    classifications, enrolments = [], []
    for code, kind, n in PROGRAMME_CHILDREN:
        group = groups[code] = children(n)
        added = ADDED.get(code, 0)
        for index, child in enumerate(group):
            new = index >= n - added  # the last ones were recognised in March
            since = ADDED_ON if new else LONG_AGO
            classifications.append(Classification(child=child, kind=kind, start_date=since))
            enrolments.append(
                Enrolment(
                    child=child,
                    programme=programmes[code],
                    status=Enrolment.Status.CONFIRMED,
                    applied_on=since,
                    start_month=since.replace(day=1),
                )
            )
    ended = groups["ended"] = children(20)
    classifications += [
        Classification(
            child=child,
            kind=K.DE_FACTO_SCATTERED,
            start_date=LONG_AGO,
            end_date=M(2022, 4, 10),
            end_reason=Classification.EndReason.SITUATION_CHANGED,
        )
        for child in ended
    ]
    left_behind = groups["left_behind"] = children(52)
    classifications += [Classification(child=child, kind=K.LEFT_BEHIND, start_date=LONG_AGO) for child in left_behind]
    Classification.objects.bulk_create(classifications)
    enrolments = Enrolment.objects.bulk_create(enrolments)
    _sign_agreements(left_behind, staff)
    _pay(enrolments, programmes)
    _campaign(groups, staff)
    groups["adopted"] = _adopt(children(2, no_id=True), staff)
    SupervisorTraining.objects.create(held_on=M(2022, 4, 20), title="乡镇儿童督导员业务培训", attendees=25)
    return {"townships": townships, **groups}


def _sign_agreements(children: list[Child], staff) -> None:
    scans = ChildDocument.objects.bulk_create(
        [
            ChildDocument(
                child=child,
                kind=ChildDocument.Kind.GUARDIANSHIP_AGREEMENT,
                file=f"documents/scan-{child.pk}.pdf",
                original_name="确认书.pdf",
                content_type="application/pdf",
                size=1000,
                uploaded_by=staff,
            )
            for child in children
        ]
    )
    GuardianshipAgreement.objects.bulk_create(
        [
            GuardianshipAgreement(
                child=child,
                status=GuardianshipAgreement.Status.SIGNED,
                father_name="父亲",
                carer_name="祖父",
                carer_id_number=make_id_number(M(1955, 5, 5)),
                carer_relationship="paternal_grandparent",
                period_start=M(2022, 1, 1),
                period_end=M(2022, 12, 31),
                signed_on=M(2021, 12, 20),
                scan=scan,
                created_by=staff,
            )
            for child, scan in zip(children, scans, strict=True)
        ]
    )


def _pay(enrolments: list[Enrolment], programmes: dict) -> None:
    """One approved batch a month; each programme's month paid on a line of its first enrolment."""
    first = {}
    for enrolment in enrolments:
        first.setdefault(enrolment.programme_id, enrolment)
    lines = []
    for month in MONTHS:
        batch = Batch.objects.create(month=month, status=Batch.Status.APPROVED)
        for code, amount in MONTH_MONEY.items():
            enrolment = first[programmes[code].pk]
            lines.append(
                Line(
                    batch=batch,
                    enrolment=enrolment,
                    child_id=enrolment.child_id,
                    programme_id=enrolment.programme_id,
                    township_id=enrolment.child.township_id,
                    period=month,
                    kind=Line.Kind.NORMAL,
                    standard=amount,
                    amount=amount,
                )
            )
    Line.objects.bulk_create(lines)


def _campaign(groups: dict, staff) -> None:
    campaign = Campaign.objects.create(
        name="2022年寒冬送温暖", start_date=M(2022, 1, 10), end_date=M(2022, 1, 30), created_by=staff
    )
    items = CampaignItem.objects.bulk_create(
        [
            CampaignItem(campaign=campaign, name=name, unit=unit, kind=kind, position=i)
            for i, (name, unit, _total, kind) in enumerate(ITEMS)
        ]
    )
    pools = {
        K.ORPHAN_SCATTERED: groups["orphan_scattered"],
        K.DE_FACTO_SCATTERED: groups["de_facto_scattered"],
        K.LEFT_BEHIND: groups["left_behind"],
        K.DISABLED: groups["severe_disability_care"],
        K.HARDSHIP_POVERTY: groups["rural_dibao"],
    }
    visited = [child for kind, n in VISITED.items() for child in pools[kind][:n]]
    handouts = Handout.objects.bulk_create(
        [Handout(campaign=campaign, child=child, handed_on=M(2022, 1, 20), recorded_by=staff) for child in visited]
    )
    lines = []
    for item, (_name, _unit, total, kind) in zip(items, ITEMS, strict=True):
        each = CASH_PER_CHILD if kind == CampaignItem.Kind.CASH else 1
        lines += [
            HandoutLine(handout=handout, item=item, quantity=Decimal(each)) for handout in handouts[: total // each]
        ]
    HandoutLine.objects.bulk_create(lines)


def _adopt(foundlings: list[Child], staff) -> list[Child]:
    from adoption.models import AdoptionCase, State

    AdoptionCase.objects.bulk_create(
        [
            AdoptionCase(
                child=child,
                state=State.REGISTERED,
                origin=AdoptionCase.Origin.INSTITUTION,
                parents_unknown=True,
                applied_on=M(2022, 1, 5),
                placer_kind=AdoptionCase.PlacerKind.INSTITUTION,
                placer_name="定州市儿童福利院",
                registered_on=registered,
                certificate_number=f"收登字2022第{index + 1:03d}号",
                created_by=staff,
            )
            for index, (child, registered) in enumerate(zip(foundlings, (M(2022, 4, 12), M(2022, 5, 9)), strict=True))
        ]
    )
    return foundlings
