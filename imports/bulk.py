"""Bulk inserts for the commit: COPY on PostgreSQL, bulk_create elsewhere.

Django 5.2's bulk_create on PostgreSQL sends each column as an array (INSERT ... SELECT UNNEST),
and psycopg builds those arrays in Python: for 100,000 children with their carers, accounts,
classifications, enrolments and audit entries that was most of the commit's time. COPY sends the
rows as they are. Rows are plain dicts of attribute -> value; every other field gets its model
default (computed once per call, so a callable default must not need to differ per row), and
auto_now / auto_now_add fields get the current time. Ids come from the table's own sequence, so
they are the ids PostgreSQL would have given, and the caller gets them back in row order.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone


def insert(model, rows: list[dict]) -> list[int]:
    """Insert the rows; return their ids in order. Runs inside the caller's transaction."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        if any(obj.pk is None for obj in objects):  # pragma: no cover - old SQLite without RETURNING
            raise RuntimeError("bulk_create did not return ids")
        return [obj.pk for obj in objects]
    meta = model._meta
    fields = list(meta.concrete_fields)
    now = timezone.now()
    defaults = {}
    for field in fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:
            defaults[field.attname] = field.get_default()
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    pk_name = meta.pk.attname
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        names = [f.attname for f in fields]
        table = connection.ops.quote_name(meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = []
                for name in names:
                    if name == pk_name:
                        values.append(pk)
                        continue
                    value = row[name] if name in row else defaults[name]
                    if name in json_fields:
                        value = json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
                    values.append(value)
                copy.write_row(values)
    return ids
