"""Writes to users' accounts and roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import log_action
from .models import AuditEntry, Role, StaffProfile


@transaction.atomic
def save_staff_user(*, actor, data: dict, user=None):
    """Create or change a user with one role (a group of the same name) and a township scope."""
    User = get_user_model()
    created = user is None
    user = user or User(username=data["username"])
    before = _describe(user, StaffProfile.objects.filter(user=user).first()) if not created else {}
    user.username = data["username"]
    user.first_name = data["full_name"]
    user.is_active = data.get("is_active", True)
    user.is_staff = data["role"] == Role.ADMINISTRATOR  # the admin site holds reference data only
    if data.get("password"):
        user.set_password(data["password"])
    user.save()
    profile, _created = StaffProfile.objects.get_or_create(user=user, defaults={"role": data["role"]})
    profile.role = data["role"]
    profile.phone = data.get("phone", "")
    profile.scope_version += 1
    profile.save()
    profile.townships.set(data.get("townships") or [])
    profile.villages.set(data.get("villages") or [] if data["role"] == Role.CASEWORKER else [])
    user.groups.set([Group.objects.get(name=data["role"])])
    after = _describe(user, profile)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if data.get("password"):
        changes["password"] = ["", _("已设置")]
    log_action(
        actor=actor,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        obj=user,
        summary=_("用户 %(u)s") % {"u": user.username},
        changes=changes,
    )
    return user


def _describe(user, profile) -> dict:
    if profile is None:
        return {"username": user.username, "is_active": user.is_active}
    return {
        "username": user.username,
        "full_name": user.first_name,
        "is_active": user.is_active,
        "role": profile.get_role_display(),
        "townships": "、".join(profile.townships.values_list("name", flat=True)),
        "villages": "、".join(profile.villages.values_list("name", flat=True)),
    }


@transaction.atomic
def make_administrator(*, user, actor=None):
    """Give `user` the administrator role (no township, no child): the first account of an installation
    is made by `createsuperuser`, and without the role it could not open the user pages."""
    return save_staff_user(
        actor=actor,
        data={"username": user.username, "full_name": user.first_name, "role": Role.ADMINISTRATOR, "is_active": True},
        user=user,
    )
