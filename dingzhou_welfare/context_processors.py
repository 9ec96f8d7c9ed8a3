"""What every page's frame (templates/base.html) shows: the bureau's name and the menu."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .access import role_of
from .models import Role

WORKERS = {Role.CASEWORKER, Role.SUPERVISOR, Role.STAFF, Role.LEADER}

# The menu: each entry's page, its label, and the roles it is shown to (None: every signed-in user).
# A link only saves a click: every page checks its own permissions whatever the menu shows.
MENU = [
    ("dashboard", _("首页"), None),
    ("children:list", _("儿童信息"), WORKERS),  # not the administrator, who sees no child
    ("visits:worklist", _("巡视探访"), WORKERS),
    ("subsidies:queue", _("保障审核"), WORKERS),
    ("children:reviews", _("年度复核"), WORKERS),
    ("subsidies:programmes", _("保障标准"), WORKERS),
    ("children:agreements", _("委托监护"), WORKERS),
    ("campaigns:list", _("走访慰问"), WORKERS),
    ("subsidies:batches", _("发放批次"), {Role.STAFF, Role.LEADER}),
    ("adoption:list", _("收养登记"), {Role.STAFF, Role.LEADER}),
    ("reports:index", _("统计报表"), {Role.SUPERVISOR, Role.STAFF, Role.LEADER}),
    ("imports:index", _("数据导入"), {Role.STAFF}),
    ("audit_list", _("审计记录"), {Role.STAFF, Role.LEADER}),
    ("user_list", _("用户管理"), {Role.ADMINISTRATOR}),
    ("role_requests", _("角色审批"), {Role.ADMINISTRATOR, Role.LEADER}),
    ("api:clients", _("接口客户端"), {Role.ADMINISTRATOR}),
    ("admin:index", _("基础数据"), {Role.ADMINISTRATOR}),
]


@lru_cache(maxsize=64)
def menu_for(role: str | None, language: str, prefix: str) -> list[tuple[str, str]]:
    """(address, label) of the role's menu, made once per role and language in each process."""
    return [(reverse(name), str(label)) for name, label, roles in MENU if roles is None or role in roles]


def bureau(request):
    context = {"BUREAU_NAME": settings.BUREAU_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["menu"] = menu = menu_for(role_of(user), get_language(), get_script_prefix())
        context["menu_current"] = current_section(menu, request.path)
    return context


def current_section(menu: list[tuple[str, str]], path: str) -> str:
    """The address of the menu entry the page belongs to: the longest one the path starts with
    (the home page only on itself), or "" when the page is in no section of the menu."""
    best = ""
    for address, _label in menu:
        inside = path == address if address.count("/") <= 1 else path.startswith(address)
        if inside and len(address) > len(best):
            best = address
    return best
