"""A Spring Festival campaign like the bureau's (DOMAIN.md section 0), made through the real service."""

import datetime
from decimal import Decimal

from visits.campaigns import services

ITEMS = [
    {"name": "大米", "unit": "份", "kind": "goods"},
    {"name": "面", "unit": "份", "kind": "goods"},
    {"name": "油", "unit": "份", "kind": "goods"},
    {"name": "棉被", "unit": "条", "kind": "goods"},
    {"name": "慰问金", "unit": "元", "kind": "cash"},
]


def make_campaign(actor, name="2026年春节“寒冬送温暖”走访慰问"):
    return services.save_campaign(
        actor=actor,
        data={
            "name": name,
            "start_date": datetime.date(2026, 1, 20),
            "end_date": datetime.date(2026, 2, 28),
            "description": "",
        },
        items=ITEMS,
    )


def give(actor, campaign, child, day=datetime.date(2026, 2, 1), visit=None, **by_name):
    """Record a handout by item name: give(..., 大米=1, 慰问金="200")."""
    items = {item.name: item.pk for item in campaign.items.all()}
    quantities = {items[name]: Decimal(str(value)) for name, value in by_name.items()}
    return services.record_handout(
        actor=actor, campaign=campaign, child=child, handed_on=day, quantities=quantities, visit=visit
    )
