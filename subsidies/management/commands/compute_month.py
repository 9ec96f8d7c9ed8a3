import time

from celery.exceptions import TimeoutError as CeleryTimeout
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from subsidies.disbursement import compute_month, start_refusal
from subsidies.models import Batch
from subsidies.months import parse_month
from subsidies.tasks import queue_month


class Command(BaseCommand):
    help = "Compute a month's disbursement batch (发放批次), e.g. compute_month 2026-11"

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--user", help="username recorded as the person who ran it")
        parser.add_argument("--queue", action="store_true", help="hand it to the Celery workers and wait for them")
        parser.add_argument("--no-wait", action="store_true", help="with --queue: return as soon as it is queued")
        parser.add_argument(
            "--timeout", type=int, default=3600, help="with --queue: seconds to wait for the workers (default 3600)"
        )

    def handle(self, *args, month, user=None, queue=False, no_wait=False, timeout=3600, **options):
        try:
            first = parse_month(month)
        except ValueError:
            raise CommandError(f"月份格式应为 YYYY-MM，例如 2026-11，而不是 {month!r}") from None
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"没有用户 {user!r}")
        if queue:
            batch = self._queue(month, first, actor, wait=not no_wait, timeout=timeout)
            if batch is None:
                return
        else:
            try:
                batch = compute_month(month=first, actor=actor)
            except ValidationError as error:
                raise CommandError("；".join(error.messages)) from None
        self.stdout.write(
            f"{batch.number} {batch.month:%Y-%m} {batch.get_status_display()}: "
            f"{batch.line_count} lines, {batch.total_amount} 元"
        )

    def _queue(self, month: str, first, actor, *, wait: bool, timeout: int) -> Batch | None:
        """Queue the month after the check the worker makes; then wait until the batch is computed."""
        if refusal := start_refusal(month=first):
            raise CommandError(refusal)
        result = queue_month(month, actor.pk if actor else None, on_commit=False)
        self.stdout.write(f"queued {result.id}")
        if not wait:
            return None
        deadline = time.monotonic() + timeout
        try:
            result.get(timeout=timeout, propagate=True, disable_sync_subtasks=False)
        except CeleryTimeout:
            raise CommandError(
                f"等待 {timeout} 秒后任务仍未开始或未完成（{result.id}）；请检查 Celery worker 是否在运行。"
            ) from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        while True:
            batch = Batch.objects.get(month=first)
            if batch.error:
                raise CommandError(f"{batch.month:%Y-%m} 的批次计算失败：{batch.error}")
            if batch.status != Batch.Status.COMPUTING:
                return batch
            if time.monotonic() > deadline:
                raise CommandError(
                    f"等待 {timeout} 秒后 {batch.month:%Y-%m} 的批次仍在计算"
                    f"（已完成 {batch.townships_done}/{batch.townships_total} 个乡镇）；完成后可在批次页面查看。"
                )
            time.sleep(1)
