from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("巡视探访")

    def ready(self):
        from children import casefile
        from dingzhou_welfare.access import register_placed

        from .models import MandatoryReport, Visit, VisitDraft
        from .views import child_visits_context

        for model in (Visit, MandatoryReport, VisitDraft):
            register_placed(model, via="child__")
        casefile.register_section(child_visits_context)
