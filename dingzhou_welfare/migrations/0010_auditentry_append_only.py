"""On PostgreSQL, a trigger refuses every UPDATE and DELETE of an audit row (SQLite: nothing to do).

TRUNCATE is left alone: Django's test runner empties tables with it between transactional tests.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION dzw_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '审计记录只能追加，不能修改或删除（% %）', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER dzw_audit_append_only BEFORE UPDATE OR DELETE ON dingzhou_welfare_auditentry
    FOR EACH ROW EXECUTE FUNCTION dzw_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS dzw_audit_append_only ON dingzhou_welfare_auditentry;
DROP FUNCTION IF EXISTS dzw_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("dingzhou_welfare", "0009_auditentry_fill_hashes")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
