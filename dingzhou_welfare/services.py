"""Writes to users' accounts, roles and second factors.

Access to children is never given by one person alone (issue 18): an administrator's change that
gives a user more than they had (another role, another township, more villages; the administrator
role included, since it holds the power to approve) is kept as a pending `RoleRequest` and applied
only when a second person approves it: another administrator or the leader, never the one who asked
and never the user it is for. Changes that take access away apply at once. Nobody changes their own
role or scope.

The first account of a new installation (an administrator, from `createsuperuser`) has no one to
approve its requests yet: while no other administrator and no leader exists, in any state, its
first grant of the leader role applies at once, audited as such. From then on the leader approves.

`actor=None` is the command line and data loading (demo data, tests' factories): whoever runs them
holds the server already, so their changes apply at once.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import role_of
from .audit import log_action
from .models import APPROVER_ROLES, COUNTY_WIDE_ROLES, AuditEntry, Role, RoleRequest, StaffProfile


@transaction.atomic
def save_staff_user(*, actor, data: dict, user=None):
    """Create or change a user's account; their role and township scope apply at once, or wait for a
    second person's approval when they grant more access (`request_access`)."""
    User = get_user_model()
    created = user is None
    user = user or User(username=data["username"])
    profile = None if created else StaffProfile.objects.filter(user=user).first()
    access = _access(data["role"], data.get("townships"), data.get("villages"))
    if actor is not None and not created and actor.pk == user.pk and _current_access(profile) != access:
        raise ValidationError({"role": _("不能修改自己的角色或负责范围，请由另一位管理员修改。")})
    before = _describe(user, profile) if not created else {}
    user.username = data["username"]
    user.first_name = data["full_name"]
    user.is_active = data.get("is_active", True)
    if data.get("password"):
        user.set_password(data["password"])
    user.save()
    profile, _created = StaffProfile.objects.get_or_create(user=user, defaults={"role": ""})
    profile.phone = data.get("phone", "")
    profile.save()
    request_access(actor=actor, user=user, **access)
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


def request_access(*, actor, user, role: str, townships, villages) -> RoleRequest | None:
    """Give `user` this role and scope, or ask for it: the pending request when a second person must
    approve, None when it applied at once (less access, the same, the command line, or the first leader)."""
    profile = user.profile
    access = _access(role, townships, villages)
    current = _current_access(profile)
    if access == current:
        return None
    if actor is None or not grants(current, access):
        _apply_access(profile, **access)
        return None
    if _first_leader(actor, role):
        _apply_access(profile, **access)
        log_action(
            actor=actor,
            action=AuditEntry.Action.DECISION,
            obj=user,
            summary=_("首次设置局领导 %(u)s：系统中尚无其他管理员或局领导可以批准，直接生效") % {"u": user.username},
        )
        return None
    RoleRequest.objects.filter(user=user, status=RoleRequest.Status.PENDING).update(
        status=RoleRequest.Status.SUPERSEDED
    )
    pending = RoleRequest.objects.create(user=user, role=role, requested_by=actor)
    pending.townships.set(access["townships"])
    pending.villages.set(access["villages"])
    log_action(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=pending,
        summary=_("申请变更用户 %(u)s 的角色，待批准") % {"u": user.username},
        changes=_access_changes(profile, pending),
    )
    return pending


@transaction.atomic
def decide_role_request(*, actor, role_request: RoleRequest, approve: bool) -> RoleRequest:
    """The second person's decision: approve (the role and scope apply now) or reject; audited."""
    role_request = RoleRequest.objects.select_for_update().select_related("user").get(pk=role_request.pk)
    if role_of(actor) not in APPROVER_ROLES:
        raise ValidationError(_("只有系统管理员或局领导可以审批角色变更。"))
    if role_request.status != RoleRequest.Status.PENDING:
        raise ValidationError(_("这项申请已经是“%(s)s”状态。") % {"s": role_request.get_status_display()})
    if actor.pk in (role_request.requested_by_id, role_request.user_id):
        raise ValidationError(_("申请人和被变更角色的用户本人不能审批这项申请，须由另一位管理员或局领导审批。"))
    profile = StaffProfile.objects.select_for_update().get(user=role_request.user)
    changes = _access_changes(profile, role_request)
    role_request.status = RoleRequest.Status.APPROVED if approve else RoleRequest.Status.REJECTED
    role_request.decided_by = actor
    role_request.decided_at = timezone.now()
    role_request.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        access = _access(role_request.role, role_request.townships.all(), role_request.villages.all())
        _apply_access(profile, **access)
    summary = _("批准用户 %(u)s 的角色变更申请") if approve else _("驳回用户 %(u)s 的角色变更申请")
    log_action(
        actor=actor,
        action=AuditEntry.Action.DECISION,
        obj=role_request,
        summary=summary % {"u": role_request.user.username},
        changes=changes,
    )
    return role_request


def grants(current: dict, wanted: dict) -> bool:
    """Whether `wanted` gives more than `current`: another role (none is less), more townships, or
    more villages for a caseworker (no villages is the whole township)."""
    role = wanted["role"]
    if not role:
        return False
    if role != current["role"]:
        return True
    if role in COUNTY_WIDE_ROLES or role == Role.ADMINISTRATOR:
        return False
    if not set(wanted["townships"]) <= set(current["townships"]):
        return True
    if current["villages"]:
        return not wanted["villages"] or not set(wanted["villages"]) <= set(current["villages"])
    return False


def _first_leader(actor, role: str) -> bool:
    """The leader role given by the only administrator of a new installation (see the docstring)."""
    if role != Role.LEADER or role_of(actor) != Role.ADMINISTRATOR:
        return False
    return not StaffProfile.objects.filter(role__in=APPROVER_ROLES).exclude(user=actor).exists()


def _access(role: str, townships, villages) -> dict:
    """A role and scope as compared and stored: ids, villages only for a caseworker, none for county roles."""
    township_ids = sorted(getattr(t, "pk", t) for t in townships or [])
    village_ids = sorted(getattr(v, "pk", v) for v in villages or []) if role == Role.CASEWORKER else []
    return {"role": role or "", "townships": township_ids, "villages": village_ids}


def _current_access(profile) -> dict:
    if profile is None:
        return _access("", [], [])
    return _access(
        profile.role, profile.townships.values_list("pk", flat=True), profile.villages.values_list("pk", flat=True)
    )


def _apply_access(profile, *, role: str, townships, villages) -> None:
    profile.role = role
    profile.scope_version += 1
    profile.save()
    profile.townships.set(townships)
    profile.villages.set(villages)
    user = profile.user
    user.is_staff = role == Role.ADMINISTRATOR  # the admin site holds reference data only
    user.save(update_fields=["is_staff"])
    user.groups.set(Group.objects.filter(name=role))


def _access_changes(profile, role_request: RoleRequest) -> dict:
    before = {
        "role": profile.get_role_display(),
        "townships": "、".join(profile.townships.values_list("name", flat=True)),
        "villages": "、".join(profile.villages.values_list("name", flat=True)),
    }
    after = {
        "role": role_request.get_role_display(),
        "townships": "、".join(role_request.townships.values_list("name", flat=True)),
        "villages": "、".join(role_request.villages.values_list("name", flat=True)),
    }
    return {k: [before[k], after[k]] for k in after if before[k] != after[k]}


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


RECOVERY_CODES = 10


@transaction.atomic
def enrol_second_factor(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the user's new authenticator when the code it shows is right; None when it is not.

    Returns the one-time recovery codes (django-otp's static device), replacing any earlier ones:
    shown once, for the day the phone is lost.
    """
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=_("恢复码"))
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    log_action(actor=user, action=AuditEntry.Action.UPDATE, obj=user, summary=_("启用两步验证"))
    return codes


@transaction.atomic
def reset_second_factor(*, actor, user) -> int:
    """The administrator's reset after a lost phone: the user's authenticator and recovery codes go,
    and the user enrols again at the next sign-in (or at once, if signed in)."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    log_action(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=user,
        summary=_("重置用户 %(u)s 的两步验证") % {"u": user.username},
    )
    return removed
