from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = _("儿童信息")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from dingzhou_welfare.access import register_placed
        from dingzhou_welfare.tasks import requeue_stalled_jobs, watch_stalled

        from .exports import restart_export_job
        from .listing import children_changed
        from .models import (
            Carer,
            Child,
            ChildDocument,
            ChildExportJob,
            Classification,
            GuardianshipAgreement,
            ParentSituation,
        )

        register_placed(Child)
        watch_stalled("children.exports", lambda: requeue_stalled_jobs(ChildExportJob, restart=restart_export_job))
        for model in (Classification, ParentSituation, Carer, ChildDocument, GuardianshipAgreement):
            register_placed(model, via="child__")

        # Cache upkeep only (no business rule): the children list keeps its counts a while
        # (dingzhou_welfare/pagination.py) until a child or a category is written.
        for model in (Child, Classification):
            post_save.connect(children_changed, sender=model, dispatch_uid=f"children_changed_save_{model.__name__}")
            post_delete.connect(children_changed, sender=model, dispatch_uid=f"children_changed_del_{model.__name__}")
