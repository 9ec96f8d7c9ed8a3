"""`manage.py import_bank_returns PATH --user U [--month YYYY-MM] [--layout CODE] [--dry-run]`: read the
bank's return file against a batch sent to the bank (the latest one unless --month says which).

The page's job, run here and now: the check prints the preview (paid, returned with reasons, still
unconfirmed); without --dry-run the commit follows, as when staff press 确认导入 on the page. The
same file twice changes nothing; a file with any bad row writes nothing and names each row.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from dingzhou_welfare.access import role_of
from dingzhou_welfare.models import Role
from subsidies.bank import returns
from subsidies.models import BankReturnJob, BankReturnLayout, Batch
from subsidies.months import parse_month

Status = BankReturnJob.Status


class Command(BaseCommand):
    help = "Import a bank return file: import_bank_returns HZ202604.xlsx --user U [--month 2026-04]"

    def add_arguments(self, parser):
        parser.add_argument("path", help="the return file (.xlsx, or .csv in UTF-8 or GBK)")
        parser.add_argument("--user", required=True, help="who imports it (bureau staff); audited")
        parser.add_argument("--month", help="the batch (YYYY-MM); default: the latest batch sent to the bank")
        parser.add_argument("--layout", default="generic", help="the return layout's code (default: generic)")
        parser.add_argument("--dry-run", action="store_true", help="check and show the preview only")

    def handle(self, *args, path, user, month, layout, dry_run, **options):
        with translation.override("zh-hans"):
            self._handle(Path(path), user, month, layout, dry_run)

    def _handle(self, path, user, month, code, dry_run):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有用户 {user!r}（或该用户已停用）")
        if role_of(actor) != Role.STAFF:
            raise CommandError(f"用户 {user} 不能导入银行回盘：只有儿童福利股可以导入。")
        layout = BankReturnLayout.objects.filter(code=code, active=True).first()
        if layout is None:
            known = "、".join(BankReturnLayout.objects.filter(active=True).values_list("code", flat=True)) or "无"
            raise CommandError(f"没有启用的回盘格式 {code!r}；可用：{known}")
        if not path.is_file():
            raise CommandError(f"文件 {path} 不存在")
        batch = self._batch(month)
        try:
            with path.open("rb") as handle, transaction.atomic():
                job = returns.start_return(
                    batch=batch, layout=layout, upload=File(handle, name=path.name), actor=actor, queue=False
                )
        except returns.ReturnRefused as refused:
            raise CommandError(" ".join(refused.errors)) from None
        returns.run_check(job_id=job.pk)
        job = BankReturnJob.objects.get(pk=job.pk)
        if job.status == Status.REFUSED and job.duplicate_of_id:
            self.stdout.write(f"{path}: {job.errors[0]}")
            return
        if job.status != Status.READY:
            raise CommandError("文件未导入，未写入任何数据：\n" + "\n".join(job.errors or [job.error]))
        self._preview(path, batch, job)
        if dry_run:
            self.stdout.write("（--dry-run：只检查，未写入）")
            return
        returns.confirm_return(job=job, actor=actor, queue=False)
        returns.run_commit(job_id=job.pk)
        job = BankReturnJob.objects.get(pk=job.pk)
        if job.status != Status.DONE:
            raise CommandError("导入失败，未写入任何数据：" + "；".join(job.errors or [job.error]))
        self.stdout.write(f"已导入。sha256 {job.sha256}")

    def _batch(self, month) -> Batch:
        if month:
            try:
                first = parse_month(month)
            except ValueError:
                raise CommandError(f"月份格式应为 YYYY-MM，例如 2026-04，而不是 {month!r}") from None
            batch = Batch.objects.filter(month=first).first()
            if batch is None:
                raise CommandError(f"{first:%Y-%m} 还没有发放批次")
            return batch
        batch = Batch.objects.filter(status=Batch.Status.SENT_TO_BANK).order_by("-month").first()
        if batch is None:
            raise CommandError("没有已送银行的批次：请先生成银行代发文件")
        return batch

    def _preview(self, path, batch, job):
        self.stdout.write(
            f"{path}: {batch.number} {batch.month:%Y-%m}，{job.rows} 笔：已发放 {job.to_paid} 笔 {job.amount_paid} 元，"
            f"退票 {job.to_returned} 笔 {job.amount_returned} 元，无变化 {job.unchanged} 笔；"
            f"仍待银行确认 {job.unconfirmed} 笔"
        )
        for item in job.returned_list:
            self.stdout.write(
                f"  第{item['line']}行 {item['child']} {item['account']} {item['amount']} 元："
                f"{item['reason']}（{item['bank_reason']}）"
            )
