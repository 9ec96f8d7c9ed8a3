"""The demo visits: a spread a demo can walk through, the same for the same seed and day."""

from io import StringIO

import pytest
from django.core.management import call_command

from visits.models import MandatoryReport, Visit, VisitSchedule


@pytest.fixture
def demo(db, settings, frozen):
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_data", "--scale", "0.1", stdout=out)
    return out.getvalue()


def test_demo_visits_cover_what_a_demo_shows(demo):
    assert "探访记录" in demo
    assert Visit.objects.filter(status="returned", visitor__username="demo_caseworker2").count() == 1
    assert Visit.objects.filter(status="submitted", child__township__code="130682102").exists()  # to review
    assert MandatoryReport.objects.filter(status="open", reported_by__username="demo_caseworker").count() == 1
    assert MandatoryReport.objects.filter(status="handled").count() == 1
    schedules = VisitSchedule.objects.all()
    assert schedules.filter(patrol=True, patrol_source="auto").exists()
    assert schedules.filter(patrol=True, patrol_source="manual").count() == 1
    overdue = schedules.filter(due_on__lt="2026-06-01").count()
    assert 0.05 < overdue / schedules.count() < 0.4
    assert schedules.filter(last_visited_on__isnull=True).exists()
    # Every visit is consistent with the model's own rules.
    for visit in Visit.objects.all()[:200]:
        visit.full_clean()
