from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("统计报表")

    def ready(self):
        from dingzhou_welfare.tasks import requeue_stalled_jobs, watch_stalled

        from .jobs import restart_job
        from .models import ReportJob

        watch_stalled("reports", lambda: requeue_stalled_jobs(ReportJob, restart=restart_job))
