"""Helpers: a left-behind child built through the real services, and a valid agreement's data."""

import datetime

from children import services
from children.models import ClassificationKind, ParentSituation
from tests.factories import make_id_number
from tests.upload_support import PDF, PNG  # noqa: F401 - imported by the tests from here

GRANDMOTHER_ID = make_id_number(datetime.date(1958, 4, 2), "F")


def make_left_behind(child, actor, since=datetime.date(2024, 3, 1)):
    """Both parents working away since `since`, and the rural left-behind classification from then."""
    for parent, name in (("father", "王建军"), ("mother", "李丽娜")):
        services.record_parent_situation(
            actor=actor,
            child=child,
            data={
                "parent": parent,
                "name": name,
                "situation": ParentSituation.Situation.WORKING_AWAY,
                "start_date": since,
                "work_place": "北京市大兴区某物流公司",
            },
        )
    services.add_classification(actor=actor, child=child, kind=ClassificationKind.LEFT_BEHIND, start_date=since)
    return child


def agreement_data(**overrides) -> dict:
    data = {
        "father_name": "王建军",
        "father_work_place": "北京市大兴区某物流公司",
        "father_phone": "13800001111",
        "mother_name": "李丽娜",
        "mother_work_place": "天津市西青区某电子厂",
        "reason_unable": "父母双方外出务工",
        "carer_name": "王桂兰",
        "carer_id_number": GRANDMOTHER_ID,
        "carer_relationship": "paternal_grandparent",
        "carer_phone": "13800002222",
        "carer_address": "清风店镇东村三组12号",
        "carer_health": "健康",
        "carer_full_capacity": True,
        "carer_able_to_care": True,
        "no_harm_record": True,
        "no_bad_habits": True,
        "no_neglect_record": True,
        "no_infectious_disease": True,
        "no_other_unsuitability": True,
        "period_start": datetime.date(2026, 3, 1),
        "period_end": datetime.date(2027, 2, 28),
        "carer_duties": "照料儿童的日常生活。",
        "parent_duties": "每周至少联系一次。",
        "school_notified_on": datetime.date(2026, 3, 2),
        "village_notified_on": datetime.date(2026, 3, 2),
    }
    data.update(overrides)
    return data


def form_data(**overrides) -> dict:
    """What the agreement form posts (dates as text, unticked boxes left out)."""
    posted = {}
    for name, value in agreement_data(**overrides).items():
        if value is False:
            continue
        if value is True:
            posted[name] = "on"
        elif isinstance(value, datetime.date):
            posted[name] = value.isoformat()
        else:
            posted[name] = value
    return posted
