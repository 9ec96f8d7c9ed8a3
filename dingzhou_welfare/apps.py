from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DingzhouWelfareConfig(AppConfig):
    name = "dingzhou_welfare"
    verbose_name = _("系统与审计")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group, Permission
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .models import StaffProfile
        from .versions import USERS, changed

        def users_changed(**kwargs):
            changed(USERS)

        # Cache upkeep only (no business rule): each process keeps its signed-in users
        # (dingzhou_welfare/signed_in.py) until a user, a role profile or a permission is written.
        User = get_user_model()
        for model in (User, StaffProfile, Group, Permission):
            post_save.connect(users_changed, sender=model, weak=False, dispatch_uid=f"users_save_{model.__name__}")
            post_delete.connect(users_changed, sender=model, weak=False, dispatch_uid=f"users_del_{model.__name__}")
        for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(users_changed, sender=through, weak=False, dispatch_uid=f"users_m2m_{through.__name__}")
