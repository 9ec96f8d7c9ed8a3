"""The one place that decides which children (and rows about them) a user may see.

A policy on places: a user sees the rows whose township or village is in their scope. The ground
floor knows no app's models; each app registers, in its AppConfig.ready(), how its rows reach a
township and a village (`register_placed(Visit, via="child__")`), and `scope(queryset, user)`
filters any registered model. `scope_children` and `scope_related` are the same filter with the
path given by hand. The 404-ing lookup of a child is children.access.get_child_for.
"""

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import COUNTY_WIDE_ROLES, NO_CHILD_ROLES, Role, StaffProfile, Township, Village
from .roles import ROLE_PERMISSIONS


def role_of(user) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "_dzw_role", False)
    if cached is not False:
        return cached
    try:
        role = user.profile.role or None  # blank: no role yet (a role request waits for approval)
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


# model -> the path from it to the fields township_id and village_id ("" if it has them itself).
_PLACED: dict[type[Model], str] = {}


def register_placed(model: type[Model], *, via: str = "") -> None:
    """Say how `model`'s rows map to places: `via` is the lookup path to the row holding
    township_id and village_id, ending in "__" ("child__" for a row about a child)."""
    if via and not via.endswith("__"):
        raise ValueError(f"via must end in '__': {via!r}")
    _PLACED[model] = via


def placed_via(model: type[Model]) -> str:
    try:
        return _PLACED[model]
    except KeyError:
        raise LookupError(
            f"{model._meta.label} is not registered with dingzhou_welfare.access.register_placed"
        ) from None


def scope(queryset: QuerySet, user) -> QuerySet:
    """The rows of a registered model that the user may see."""
    condition = area_filter(user, prefix=placed_via(queryset.model))
    return queryset if condition is None else queryset.filter(condition)


def get_placed_or_404(queryset: QuerySet, user, **lookup):
    """The one row matching `lookup` if the user may see it, else 404 (never 403: a refusal says nothing)."""
    return get_object_or_404(scope(queryset, user), **lookup)


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
    role = role_of(user)
    if role in COUNTY_WIDE_ROLES:
        return Township.objects.all()
    if role is None or role in NO_CHILD_ROLES:
        return Township.objects.none()
    return Township.objects.filter(pk__in=_township_ids(user))


def villages_for(user):
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
