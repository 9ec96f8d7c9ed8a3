"""Default visit intervals per risk tier (DOMAIN.md 4.3: monthly for key patrol targets, quarterly for
other children at some risk; these are the bureau's to change on the intervals page)."""

from django.db import migrations

DEFAULTS = {"high": 30, "medium": 90, "low": 180, "first": 30}


def load(apps, schema_editor):
    VisitInterval = apps.get_model("visits", "VisitInterval")
    for tier, days in DEFAULTS.items():
        VisitInterval.objects.get_or_create(tier=tier, defaults={"days": days})


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
