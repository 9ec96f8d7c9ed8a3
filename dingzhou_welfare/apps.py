from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DingzhouWelfareConfig(AppConfig):
    name = "dingzhou_welfare"
    verbose_name = _("系统与审计")
