from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The top floor: pages that compose several apps (the dashboard) and the demo data command."""

    name = "home"
    verbose_name = _("首页")
