"""`manage.py export_roster 2026-04 --user U -o PATH`: the batch page's roster, from the command line.

The same service as the page (`exports.write_export`, then `exports.record_export`), so the file
and the audit entry are the page's. Masked unless --full-numbers and the user's role may reveal.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from dingzhou_welfare.access import can_reveal, role_of
from subsidies import exports
from subsidies.models import Batch
from subsidies.months import parse_month
from subsidies.views.exports import EXPORT_ROLES


class Command(BaseCommand):
    help = "Write a month's roster (发放花名册) as the batch page exports it: export_roster 2026-04 --user U -o a.xlsx"

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--user", required=True, help="who exports it (bureau staff or leader); audited")
        parser.add_argument("-o", "--output", required=True, help="the file to write (.xlsx or .csv)")
        parser.add_argument(
            "--full-numbers", action="store_true", help="full ID and account numbers (roles that may reveal)"
        )
        parser.add_argument("--summary", action="store_true", help="the names-free township summary instead")

    def handle(self, *args, month, user, output, full_numbers=False, summary=False, **options):
        try:
            first = parse_month(month)
        except ValueError:
            raise CommandError(f"月份格式应为 YYYY-MM，例如 2026-11，而不是 {month!r}") from None
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有用户 {user!r}（或该用户已停用）")
        if role_of(actor) not in EXPORT_ROLES:
            raise CommandError(f"用户 {user} 不能导出花名册：只有儿童福利股和局领导可以导出。")
        if full_numbers and not can_reveal(actor):
            raise CommandError(f"用户 {user} 的角色不能导出完整号码。")
        path = Path(output)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in (exports.XLSX, exports.CSV):
            raise CommandError(f"输出文件应以 .xlsx 或 .csv 结尾，而不是 {path.name!r}")
        if not path.parent.is_dir():
            raise CommandError(f"目录 {path.parent} 不存在")
        batch = Batch.objects.filter(month=first).first()
        if batch is None:
            raise CommandError(f"{first:%Y-%m} 还没有发放批次")
        if batch.status == Batch.Status.COMPUTING:
            raise CommandError("该批次正在计算，计算完成后才能导出。")
        kind, masked = (exports.SUMMARY if summary else exports.ROSTER), not full_numbers
        with translation.override("zh-hans"):
            try:
                with path.open("wb") as out:
                    rows = exports.write_export(batch=batch, kind=kind, fmt=fmt, masked=masked, actor=actor, out=out)
            except OSError as error:
                raise CommandError(f"不能写入 {path}：{error.strerror}") from None
            with transaction.atomic():
                exports.record_export(actor=actor, batch=batch, kind=kind, fmt=fmt, masked=masked, rows=rows)
        how = "脱敏" if masked else "完整号码，已记入审计记录"
        self.stdout.write(f"{path}: {batch.number} {batch.month:%Y-%m}，{rows} 条（{how}）")
