"""PostgreSQL-only indexes for the children list at a million rows.

- pinyin order: the ICU collation zh-Hans-CN-x-icu, alone and within a township;
- name and ID prefix search (LIKE 'x%'): varchar_pattern_ops.
SQLite has neither, and needs neither at a county's size.
"""

from django.db import migrations

INDEXES = [
    ("child_name_pinyin", '(name COLLATE "zh-Hans-CN-x-icu"), id'),
    ("child_township_name_pinyin", 'township_id, (name COLLATE "zh-Hans-CN-x-icu"), id'),
    ("child_village_name_pinyin", 'village_id, (name COLLATE "zh-Hans-CN-x-icu"), id'),
    ("child_name_prefix", "name varchar_pattern_ops"),
    ("child_id_number_prefix", "id_number varchar_pattern_ops"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON children_child ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("children", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
