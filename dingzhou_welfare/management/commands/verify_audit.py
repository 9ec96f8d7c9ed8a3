"""manage.py verify_audit: walk the audit trail's hash chain and name the first row that breaks it."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dingzhou_welfare.audit import first_broken_entry

REASONS = {
    "prev": "所记上一条的哈希与实际上一条不符：其前有记录被删除、插入或改动",
    "content": "内容与其哈希不符：本条在写入后被改动",
}


class Command(BaseCommand):
    help = "校验审计记录的哈希链；发现断点时报告第一条有问题的记录并以非零状态退出。"

    def handle(self, *args, **options):
        entry, reason, checked = first_broken_entry()
        if entry is not None:
            at = timezone.localtime(entry.at)
            raise CommandError(
                f"审计链在第 {entry.pk} 号记录处断开（{at:%Y-%m-%d %H:%M:%S}，{entry.object_type}）："
                f"{REASONS[reason]}。此前 {checked} 条记录完好。"
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完好：共 {checked} 条记录。"))
