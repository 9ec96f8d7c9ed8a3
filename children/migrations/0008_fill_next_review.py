"""Give every open classification its next annual review date, from its start date.

The reviews on the anniversaries before this system were done on paper, so the date set is the
first anniversary of the start date on or after the day of the migration (not one years past,
which would flood the work list with reviews that may well have happened). Ended classifications
need no review.
"""

import datetime

from django.db import migrations
from django.utils import timezone


def anniversary(start: datetime.date, year: int) -> datetime.date:
    try:
        return start.replace(year=year)
    except ValueError:  # 29 February
        return datetime.date(year, 2, 28)


def fill(apps, schema_editor):
    Classification = apps.get_model("children", "Classification")
    today = timezone.localdate()
    rows = []
    for entry in Classification.objects.filter(end_date__isnull=True, next_review__isnull=True).only("start_date"):
        due = anniversary(entry.start_date, max(today.year, entry.start_date.year + 1))
        if due < today:
            due = anniversary(entry.start_date, today.year + 1)
        entry.next_review = due
        rows.append(entry)
    Classification.objects.bulk_update(rows, ["next_review"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("children", "0007_classification_annual_review")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
