from django.db import migrations


def load(apps, schema_editor):
    from subsidies.defaults import load_defaults

    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
