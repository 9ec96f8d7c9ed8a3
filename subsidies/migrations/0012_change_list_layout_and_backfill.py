"""The national change list's default layout (subsidies/changes/defaults.py), and the change events
of the history already entered: each classification's start and end, each paying enrolment's first
month and ending. A layout already there under the same code is left as it is; events already
recorded stay (the backfill is idempotent)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from subsidies.changes.defaults import load_default_layout
    from subsidies.changes.history import backfill

    load_default_layout(apps)
    backfill(
        Classification=apps.get_model("children", "Classification"),
        Enrolment=apps.get_model("subsidies", "Enrolment"),
        Programme=apps.get_model("subsidies", "Programme"),
        ChangeEvent=apps.get_model("subsidies", "ChangeEvent"),
    )


def backwards(apps, schema_editor):
    apps.get_model("subsidies", "ChangeEvent").objects.all().delete()
    apps.get_model("subsidies", "ChangeListLayout").objects.filter(code="national").delete()


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0011_change_events"), ("children", "0008_fill_next_review")]

    operations = [migrations.RunPython(forwards, backwards)]
