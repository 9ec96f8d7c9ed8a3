from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from subsidies.disbursement import compute_month
from subsidies.months import parse_month
from subsidies.tasks import queue_month


class Command(BaseCommand):
    help = "Compute a month's disbursement batch (发放批次), e.g. compute_month 2026-11"

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--user", help="username recorded as the person who ran it")
        parser.add_argument("--queue", action="store_true", help="hand it to the Celery workers instead")

    def handle(self, *args, month, user=None, queue=False, **options):
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
            result = queue_month(month, actor.pk if actor else None, on_commit=False)
            self.stdout.write(f"queued {result.id}")
            return
        try:
            batch = compute_month(month=first, actor=actor)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(
            f"{batch.number} {batch.month:%Y-%m} {batch.get_status_display()}: "
            f"{batch.line_count} lines, {batch.total_amount} 元"
        )
