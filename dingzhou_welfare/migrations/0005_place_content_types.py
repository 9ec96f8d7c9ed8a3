"""The content types of townships and villages follow the models, so their permissions (and the
administrator group holding them) stay attached: the rows are relabelled, not recreated."""

from django.db import migrations

PLACES = ("township", "village")


def relabel(apps, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in PLACES:
        if ContentType.objects.filter(app_label=to_label, model=model).exists():
            continue  # already there (a database that ran post_migrate in between): leave both
        ContentType.objects.filter(app_label=from_label, model=model).update(app_label=to_label)


def forwards(apps, schema_editor):
    relabel(apps, "children", "dingzhou_welfare")


def backwards(apps, schema_editor):
    relabel(apps, "dingzhou_welfare", "children")


class Migration(migrations.Migration):
    dependencies = [
        ("dingzhou_welfare", "0004_places_move_here"),
        ("children", "0005_places_moved_to_dingzhou_welfare"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
