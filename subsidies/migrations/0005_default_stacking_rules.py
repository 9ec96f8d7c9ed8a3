from django.db import migrations


def load(apps, schema_editor):
    from subsidies.defaults import load_stacking

    # Only the pairs not set yet: a county's own edits stay as they are.
    load_stacking(apps)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0004_eligibility_suspension_extension_cumulative")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
