"""A finished Spring Festival campaign on the demo children (`manage.py demo_data`).

Shaped like the bureau's 2022 report (DOMAIN.md section 0): about as many children per category
and as much of each item, scaled to the demo children available. Rows are written in bulk (a few
hundred handouts in well under a second); one audit entry records that the demo made them.
"""

import datetime
import random
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from children.models import Child, Classification
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import AuditEntry

from .models import Campaign, CampaignItem, Handout, HandoutLine
from .totals import OTHER, REPORT_CATEGORIES

# Children visited per category in the 2022 report, and the items handed out (name, unit, kind, total).
VISITED = {"orphan_scattered": 33, "de_facto": 231, "left_behind": 36, "disabled": 78, "hardship": 461}
ITEMS = [
    ("大米", "份", CampaignItem.Kind.GOODS, 583),
    ("面", "份", CampaignItem.Kind.GOODS, 182),
    ("油", "份", CampaignItem.Kind.GOODS, 597),
    ("奶", "箱", CampaignItem.Kind.GOODS, 5),
    ("挂历", "件", CampaignItem.Kind.GOODS, 19),
    ("春联", "副", CampaignItem.Kind.GOODS, 34),
    ("棉被", "条", CampaignItem.Kind.GOODS, 44),
    ("糖果", "件", CampaignItem.Kind.GOODS, 26),
    ("慰问金", "元", CampaignItem.Kind.CASH, 4500),
]
CASH_EACH = Decimal("300.00")


def _period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last Spring Festival visits that are over: 10 January to 28 February."""
    year = today.year if today > datetime.date(today.year, 2, 28) else today.year - 1
    return datetime.date(year, 1, 10), datetime.date(year, 2, 28)


def _category(kinds: set[str]) -> int:
    for index, (_key, _label, wanted) in enumerate(REPORT_CATEGORIES):
        if kinds & set(wanted):
            return index
    return OTHER


@transaction.atomic
def seed(children, *, today: datetime.date, seed: int = 2022) -> dict:
    """The campaign, its items and handouts; a rerun (after --reset) rebuilds the handouts."""
    rng = random.Random(f"{seed}-campaign")  # noqa: S311 -- demo data, not secrets
    start, end = _period(today)
    campaign, _created = Campaign.objects.get_or_create(
        name=f"{start.year}年春节“寒冬送温暖”走访慰问（演示）",
        defaults={
            "start_date": start,
            "end_date": end,
            "description": "演示数据：按定州市2022年春节走访慰问的规模生成，人员和数量均为虚构。",
        },
    )
    Handout.objects.filter(campaign=campaign).delete()
    items = {}
    for position, (name, unit, kind, _total) in enumerate(ITEMS):
        items[name], _ = CampaignItem.objects.update_or_create(
            campaign=campaign, name=name, defaults={"unit": unit, "kind": kind, "position": position}
        )

    held: dict[int, set[str]] = {}
    for child_id, kind in (
        Classification.objects.current_on(start)  # held the whole period, whatever day the handout is
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=end), child__in=children.filter(status=Child.Status.ACTIVE))
        .values_list("child_id", "kind")
    ):
        held.setdefault(child_id, set()).add(kind)
    pools: dict[str, list[int]] = {}
    for child_id in sorted(held):
        index = _category(held[child_id])
        if index != OTHER:
            pools.setdefault(REPORT_CATEGORIES[index][0], []).append(child_id)
    chosen = []
    for key, wanted in VISITED.items():
        pool = pools.get(key, [])
        chosen += rng.sample(pool, min(wanted, len(pool)))
    rng.shuffle(chosen)

    days = (end - start).days
    handouts = [
        Handout(campaign=campaign, child_id=child_id, handed_on=start + datetime.timedelta(days=rng.randint(0, days)))
        for child_id in chosen
    ]
    Handout.objects.bulk_create(handouts, batch_size=500)
    share = len(chosen) / sum(VISITED.values()) if chosen else 0
    lines = []
    for name, _unit, kind, total in ITEMS:
        if kind == CampaignItem.Kind.CASH:
            receivers = rng.sample(handouts, min(len(handouts), round(total * share / float(CASH_EACH)) or 1))
            lines += [HandoutLine(handout=h, item=items[name], quantity=CASH_EACH) for h in receivers]
        else:
            count = min(len(handouts), round(total * share))
            lines += [HandoutLine(handout=h, item=items[name], quantity=1) for h in rng.sample(handouts, count)]
    given = {line.handout.pk for line in lines}
    lines += [HandoutLine(handout=h, item=items["大米"], quantity=1) for h in handouts if h.pk not in given]
    HandoutLine.objects.bulk_create(lines, batch_size=1000)
    log_action(
        actor=None,
        action=AuditEntry.Action.CREATE,
        obj=campaign,
        summary=f"演示数据：{campaign.name}，{len(handouts)} 名儿童",
    )
    return {"campaign": campaign.name, "handouts": len(handouts), "by_item": Counter(line.item.name for line in lines)}
