"""The one place that decides which children a user may see.

Every view, list, search, export and file download goes through
`scope_children` (or `get_child_for`, which 404s outside the scope).
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import COUNTY_WIDE_ROLES, NO_CHILD_ROLES, Role, StaffProfile
from .roles import ROLE_PERMISSIONS


def role_of(user) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_dzw_role", False)
    if cached is not False:
        return cached
    try:
        role = user.profile.role
    except StaffProfile.DoesNotExist:
        role = None
    user._dzw_role = role
    return role


def area_filter(user, prefix: str = "") -> Q | None:
    """A filter on township/village fields for the user's scope; None means everything.

    `prefix` points at the child from another model, e.g. "child__".
    Users without a role, administrators, and scoped users with no township
    assigned see nothing.
    """
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        return None
    nothing = Q(pk__in=[])
    if role is None or role in NO_CHILD_ROLES:
        return nothing
    village_ids = _village_ids(user)
    if village_ids:
        return Q(**{f"{prefix}village_id__in": village_ids})
    township_ids = _township_ids(user)
    if not township_ids:
        return nothing
    return Q(**{f"{prefix}township_id__in": township_ids})


# Each user's township and village ids, kept by each web process under (user, role, scope
# version): the profile is read with the user on every request (backends.py), and its
# scope_version goes up whenever the role or scope is saved, so a change is seen at once.
_SCOPES: dict[tuple[int, str, int], tuple[tuple[int, ...], tuple[int, ...]]] = {}
_SCOPES_KEPT = 5000


def scope_ids(user) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(township ids, village ids) assigned to the user; village ids only for a caseworker limited to some."""
    cached = getattr(user, "_dzw_scope", None)
    if cached is not None:
        return cached
    profile = user.profile
    key = (user.pk, profile.role, profile.scope_version)
    ids = _SCOPES.get(key)
    if ids is None:
        limited = profile.role == Role.CASEWORKER
        ids = (
            tuple(profile.townships.values_list("id", flat=True)),
            tuple(profile.villages.values_list("id", flat=True)) if limited else (),
        )
        if len(_SCOPES) >= _SCOPES_KEPT:
            _SCOPES.clear()
        _SCOPES[key] = ids
    user._dzw_scope = ids
    return ids


def forget_scopes() -> None:
    """Drop the scopes this process keeps (tests, whose rolled-back users' ids come back)."""
    _SCOPES.clear()


def _village_ids(user) -> tuple[int, ...]:
    return scope_ids(user)[1]


def _township_ids(user) -> tuple[int, ...]:
    return scope_ids(user)[0]


def scope_key(user) -> tuple:
    """What decides which children the user sees (area_filter): equal keys, equal children."""
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        return ("county",)
    if role is None or role in NO_CHILD_ROLES:
        return ("nothing",)
    return ("area", *scope_ids(user))


def scope_children(queryset, user):
    condition = area_filter(user)
    return queryset if condition is None else queryset.filter(condition)


def scope_related(queryset, user, child_field: str = "child"):
    """Scope any model that points at a child (documents, audit entries, visits...)."""
    condition = area_filter(user, prefix=f"{child_field}__")
    return queryset if condition is None else queryset.filter(condition)


def get_child_for(user, pk, *, for_change: bool = False):
    """The child with this pk if the user may see it (and change it), else 404.

    A read-only role (the leader) on a write URL gets 404 as well, not 403: every
    refusal looks the same, so a page never says more than "not found".
    """
    from children.models import Child

    child = get_object_or_404(scope_children(Child.objects.select_related("township", "village"), user), pk=pk)
    if for_change and not can_change_children(user):
        raise Http404
    return child


def role_may(user, permission: str) -> bool:
    """Whether the user's role grants `permission` ("app.codename"), as dingzhou_welfare/roles.py says.

    A role's group holds exactly these permissions (roles.sync_role_groups), so this answers as
    user.has_perm() would, from the role already loaded for the scope: has_perm() reads every
    permission of the user and their groups (two queries) on each request that asks. A user
    without a role (a superuser included) may do nothing with children, as they see none.
    """
    return permission in ROLE_PERMISSIONS.get(role_of(user), ())


def can_change_children(user) -> bool:
    return role_may(user, "children.change_child")


def can_reveal(user) -> bool:
    return role_may(user, "children.reveal_personal_data")


def townships_for(user):
    """The townships a user may pick in forms and filters."""
    from children.models import Township

    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        return Township.objects.all()
    if role is None or role in NO_CHILD_ROLES:
        return Township.objects.none()
    return Township.objects.filter(pk__in=_township_ids(user))


def villages_for(user):
    from children.models import Village

    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        return Village.objects.select_related("township")
    if role is None or role in NO_CHILD_ROLES:
        return Village.objects.none()
    if villages_limited(user):
        return Village.objects.filter(pk__in=_village_ids(user)).select_related("township")
    return Village.objects.filter(township__in=_township_ids(user)).select_related("township")


def villages_limited(user) -> bool:
    """A caseworker responsible for some villages only (their children must be in one of them)."""
    return role_of(user) == Role.CASEWORKER and bool(_village_ids(user))


def require_role(user, *roles) -> None:
    if role_of(user) not in roles:
        raise Http404
