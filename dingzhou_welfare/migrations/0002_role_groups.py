from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_groups(apps, schema_editor):
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    from dingzhou_welfare.roles import ROLE_PERMISSIONS, sync_role_groups

    # Townships and villages were children's models until dingzhou_welfare 0004 moved them.
    # Supervisor trainings came with 0007, which grants their permissions itself.
    then = {
        role: [code.replace("dingzhou_welfare.", "children.") for code in codes if not code.endswith("_supervisortraining")]
        for role, codes in ROLE_PERMISSIONS.items()
    }
    sync_role_groups(apps, role_permissions=then)


class Migration(migrations.Migration):
    dependencies = [
        ("dingzhou_welfare", "0001_initial"),
        ("children", "0002_postgres_search_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
