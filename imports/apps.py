from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("数据导入")

    def ready(self):
        from dingzhou_welfare.tasks import requeue_stalled_jobs, watch_stalled

        from .models import ImportJob
        from .services import restart_import

        watch_stalled("imports", lambda: requeue_stalled_jobs(ImportJob, restart=restart_import))
