import datetime

import pytest
import time_machine

from children.models import Classification, ClassificationKind, ParentSituation
from children.services import add_classification, record_parent_situation
from children.tasks import end_classifications_past_age_limit
from dingzhou_welfare.models import AuditEntry
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def run_on(day):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(1, 0), tzinfo=datetime.UTC)):
        return end_classifications_past_age_limit()


def left_behind(child, actor):
    for parent in ("father", "mother"):
        record_parent_situation(
            actor=actor,
            child=child,
            data={
                "parent": parent,
                "situation": ParentSituation.Situation.WORKING_AWAY,
                "start_date": datetime.date(2019, 1, 1),
            },
        )
    return add_classification(
        actor=actor, child=child, kind=ClassificationKind.LEFT_BEHIND, start_date=datetime.date(2020, 1, 1)
    )


def test_left_behind_ends_on_the_16th_birthday_and_hardship_on_the_18th(staff, township_a, village_a):
    child = ChildFactory(township=township_a, village=village_a, birth_date=datetime.date(2010, 6, 15))
    entry = left_behind(child, staff)
    hardship = add_classification(
        actor=staff, child=child, kind=ClassificationKind.HARDSHIP_POVERTY, start_date=datetime.date(2020, 1, 1)
    )

    assert run_on(datetime.date(2026, 6, 14)) == 0
    assert run_on(datetime.date(2026, 6, 15)) == 1
    entry.refresh_from_db()
    assert (entry.end_date, entry.end_reason) == (datetime.date(2026, 6, 15), Classification.EndReason.TURNED_16)
    hardship.refresh_from_db()
    assert hardship.end_date is None
    assert AuditEntry.objects.filter(child=child, actor=None, summary__contains="年满16周岁").count() == 1

    # Rerunning the same night changes nothing; the 18th birthday ends the rest.
    assert run_on(datetime.date(2026, 6, 15)) == 0
    assert run_on(datetime.date(2028, 6, 15)) == 1
    hardship.refresh_from_db()
    assert hardship.end_reason == Classification.EndReason.TURNED_18
