"""The rows written before the chain existed become its first links, in id order."""

from django.db import migrations

from dingzhou_welfare.audit import HASHED_FIELDS, entry_hash


def fill_hashes(apps, schema_editor):
    AuditEntry = apps.get_model("dingzhou_welfare", "AuditEntry")
    previous = ""
    batch = []
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        entry.prev_hash = previous
        entry.hash = previous = entry_hash({name: getattr(entry, name) for name in HASHED_FIELDS})
        batch.append(entry)
        if len(batch) == 2000:
            AuditEntry.objects.bulk_update(batch, ["prev_hash", "hash"])
            batch = []
    AuditEntry.objects.bulk_update(batch, ["prev_hash", "hash"])


class Migration(migrations.Migration):
    dependencies = [("dingzhou_welfare", "0008_auditentry_hash_chain")]

    operations = [migrations.RunPython(fill_hashes, migrations.RunPython.noop, elidable=False)]
