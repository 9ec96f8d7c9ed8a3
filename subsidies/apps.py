from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = _("保障与发放")

    def ready(self):
        from children import casefile
        from dingzhou_welfare.access import register_placed
        from dingzhou_welfare.tasks import requeue_stalled_jobs, watch_stalled

        from .bank.returns import restart_return
        from .changes.services import connect as connect_changes
        from .endings import connect
        from .exports import restart_export_job
        from .models import BankReturnJob, ChangeEvent, Enrolment, ExportJob
        from .tasks import requeue_stalled_batches
        from .views import child_enrolments_context
        from .views.bank_returns import child_payments_context

        watch_stalled("subsidies.batches", requeue_stalled_batches)
        watch_stalled("subsidies.exports", lambda: requeue_stalled_jobs(ExportJob, restart=restart_export_job))
        # Endings in the registry reach the enrolments (children/hooks.py).
        connect()
        # Categories begun and ended are recorded as changes for the national system (增员/减员).
        connect_changes()
        register_placed(ChangeEvent, via="child__")
        register_placed(Enrolment, via="child__")
        casefile.register_section(child_enrolments_context)
        casefile.register_section(child_payments_context)
        watch_stalled("subsidies.bank_returns", lambda: requeue_stalled_jobs(BankReturnJob, restart=restart_return))
