"""Care campaign routes for the every-URL scope walk (see tests/scope_support.py)."""

from tests.scope_support import Case
from visits.campaigns.models import Campaign

from .support import give, make_campaign

ROUTES = {
    "campaigns:list": Case({"get": 200}, "registry"),
    "campaigns:detail": Case({"get": 200}, "registry"),
    "campaigns:xlsx": Case({"get": 200}, "registry"),
    "campaigns:create": Case({"get": 200, "post": 400}, "staff"),
    "campaigns:edit": Case({"get": 200, "post": 400}, "staff"),
    "campaigns:children": Case({"get": 200}, "writers"),
    "campaigns:handout": Case({"get": 200, "post": 400}, "child-write"),
    "campaigns:handout_remove": Case({"post": 302}, "child-write"),
}


def prepare(target, *, child_name, staff):
    """One campaign for the cast, and a handout to each child."""
    campaign = Campaign.objects.first() or make_campaign(staff)
    give(staff, campaign, target["child"], 大米=1)
    target["campaign"] = campaign


def url_kwargs(name, target):
    if name in ("campaigns:list", "campaigns:create"):
        return {}
    kwargs = {"pk": target["campaign"].pk}
    if name in ("campaigns:handout", "campaigns:handout_remove"):
        kwargs["child_pk"] = target["child"].pk
    return kwargs
