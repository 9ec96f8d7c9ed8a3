"""`manage.py export_bank_file 2026-04 --user U -o PATH [--layout CODE]`: the batch's bank payment file.

The page's job, run here and now (`bank.start_bank_file` then `bank.run_bank_file_job`), so the file
kept, its checksum, the audit entries and the batch's 已送银行 are the page's; the kept file is then
copied to PATH. Payments left out (no account) are listed on the output.
"""

import shutil
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from dingzhou_welfare.access import role_of
from dingzhou_welfare.models import Role
from subsidies import bank
from subsidies.models import BankFileJob, BankLayout, Batch
from subsidies.months import parse_month


class Command(BaseCommand):
    help = "Write an approved batch's bank payment file: export_bank_file 2026-04 --user U -o DF202604.txt"

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--user", required=True, help="who sends it (bureau staff); audited")
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument("--layout", default="generic", help="the bank layout's code (default: generic)")

    def handle(self, *args, month, user, output, layout, **options):
        with translation.override("zh-hans"):
            self._handle(month, user, Path(output), layout)

    def _handle(self, month, user, path, code):
        try:
            first = parse_month(month)
        except ValueError:
            raise CommandError(f"月份格式应为 YYYY-MM，例如 2026-11，而不是 {month!r}") from None
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有用户 {user!r}（或该用户已停用）")
        if role_of(actor) != Role.STAFF:
            raise CommandError(f"用户 {user} 不能生成银行代发文件：只有儿童福利股可以生成。")
        layout = BankLayout.objects.filter(code=code, active=True).first()
        if layout is None:
            known = "、".join(BankLayout.objects.filter(active=True).values_list("code", flat=True)) or "无"
            raise CommandError(f"没有启用的银行文件格式 {code!r}；可用：{known}")
        if not path.parent.is_dir():
            raise CommandError(f"目录 {path.parent} 不存在")
        batch = Batch.objects.filter(month=first).first()
        if batch is None:
            raise CommandError(f"{first:%Y-%m} 还没有发放批次")
        try:
            with transaction.atomic():
                job = bank.start_bank_file(batch=batch, layout=layout, actor=actor, queue=False)
        except bank.BankFileError as error:
            raise CommandError(str(error)) from None
        bank.run_bank_file_job(job_id=job.pk)
        job = BankFileJob.objects.get(pk=job.pk)
        if job.status != BankFileJob.Status.DONE:
            raise CommandError(f"生成失败，未写入文件：{job.error}")
        try:
            with job.file.open("rb") as source, path.open("wb") as out:
                shutil.copyfileobj(source, out)
        except OSError as error:
            raise CommandError(f"不能写入 {path}：{error.strerror}") from None
        self.stdout.write(
            f"{path}: {batch.number} {batch.month:%Y-%m}，{layout.name}，{job.row_count} 笔，{job.amount} 元，"
            f"sha256 {job.sha256}"
        )
        if job.left_out_count:
            self.stdout.write(f"未列入文件 {job.left_out_count} 笔：")
            for item in job.left_out:
                self.stdout.write(
                    f"  {item['township']} {item['child']} {item['period']} {item['amount']} 元：{item['reason']}"
                )
            if job.left_out_count > len(job.left_out):
                self.stdout.write(f"  （只列出前 {len(job.left_out)} 笔，全部见文件页面）")
