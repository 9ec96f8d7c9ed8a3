"""The signed-in user and their role profile, kept in each web process between requests.

Every page reads its user with the profile (one query, dingzhou_welfare.backends). Users change
seldom: a login, an administrator's edit of a role, scope, group or password. Each such write
gives the users' version a new token (signals in apps.py, dingzhou_welfare.versions), which
every request reads with its session. While the token is the one a process kept a user under,
the session's password hash still matches, and for at most KEEP_SECONDS (for writes that send no
signal, such as QuerySet.update()), the process builds the request's user from the row values it
kept, without a query: a new instance for every request, as a query would give. Only where the
tokens are in a cache that every process shares (settings.KEEP_SIGNED_IN_USERS: Redis).
"""

from dataclasses import dataclass
from time import monotonic

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import DEFAULT_DB_ALIAS
from django.utils.crypto import constant_time_compare

from . import versions
from .models import StaffProfile

KEEP_SECONDS = 300
KEPT_USERS = 10_000  # beyond this many users in one process, start again
_kept: dict[tuple, "Kept"] = {}


def _values(instance) -> tuple:
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def _build(model, values: tuple):
    return model.from_db(DEFAULT_DB_ALIAS, [field.attname for field in model._meta.concrete_fields], values)


@dataclass(frozen=True)
class Kept:
    version: str
    auth_hash: str
    user: tuple
    profile: tuple | None  # None: no profile
    with_profile: bool  # the profile was read with the user (or is known to be missing)
    until: float

    @classmethod
    def of(cls, user, version: str) -> "Kept":
        cache = user._state.fields_cache
        profile = cache.get("profile")
        return cls(
            version=version,
            auth_hash=user.get_session_auth_hash(),
            user=_values(user),
            profile=_values(profile) if profile is not None else None,
            with_profile="profile" in cache,
            until=monotonic() + KEEP_SECONDS,
        )

    def build(self):
        user = _build(get_user_model(), self.user)
        if self.with_profile:
            profile = _build(StaffProfile, self.profile) if self.profile is not None else None
            user._state.fields_cache["profile"] = profile
            if profile is not None:
                profile._state.fields_cache["user"] = user
        return user


def forget() -> None:
    """This process keeps no user (tests)."""
    _kept.clear()


def get_user(request):
    """The request's user, as django.contrib.auth.get_user() gives it, from what this process kept if it may."""
    session = request.session
    try:
        key = (session[SESSION_KEY], session[BACKEND_SESSION_KEY])
    except KeyError:
        return auth.get_user(request)
    if not settings.KEEP_SIGNED_IN_USERS:
        return auth.get_user(request)
    version = versions.of(request, versions.USERS)
    kept = _kept.get(key)
    session_hash = session.get(HASH_SESSION_KEY)
    if (
        kept is not None
        and version is not None
        and kept.version == version
        and monotonic() < kept.until
        and session_hash
        and constant_time_compare(session_hash, kept.auth_hash)
    ):
        return kept.build()
    user = auth.get_user(request)
    if version is not None and user.is_authenticated:
        if len(_kept) >= KEPT_USERS:
            _kept.clear()
        _kept[key] = Kept.of(user, version)
    return user
