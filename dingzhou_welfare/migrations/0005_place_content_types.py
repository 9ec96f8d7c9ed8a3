"""The content types of townships and villages follow the models, so their permissions (and the
administrator group holding them) stay attached: the rows are relabelled, not recreated.

A database where post_migrate already created the new content types (a flushed test database, a
migrate interrupted and rerun) has both: the groups and users holding the new one's permissions
get the old one's, the new one goes, and the old one is relabelled.
"""

from django.conf import settings
from django.db import migrations

PLACES = ("township", "village")


def relabel(apps, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    for model in PLACES:
        kept = ContentType.objects.filter(app_label=from_label, model=model).first()
        if kept is None:
            continue
        duplicate = ContentType.objects.filter(app_label=to_label, model=model).first()
        if duplicate is not None:
            for permission in Permission.objects.filter(content_type=duplicate):
                same = Permission.objects.filter(content_type=kept, codename=permission.codename).first()
                if same is None:
                    continue
                for group in Group.objects.filter(permissions=permission):
                    group.permissions.add(same)
                for user in User.objects.filter(user_permissions=permission):
                    user.user_permissions.add(same)
            duplicate.delete()
        kept.app_label = to_label
        kept.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    relabel(apps, "children", "dingzhou_welfare")


def backwards(apps, schema_editor):
    relabel(apps, "dingzhou_welfare", "children")


class Migration(migrations.Migration):
    dependencies = [
        ("dingzhou_welfare", "0004_places_move_here"),
        ("children", "0005_places_moved_to_dingzhou_welfare"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
