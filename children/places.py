"""Townships and villages by name for the selects of busy pages, kept in memory for a minute.

The children list offers the townships (and a township's villages) in its filter form on every
request; reading them each time was a query or two per page. Reference data changes seldom (the
admin site, a roster import adding a village): this process drops its copy when it writes one,
and every other process reads the tables again within KEEP_SECONDS. Which places a user may pick
still comes from the scope (access.py), which is never kept past a change.
"""

import time

from dingzhou_welfare.access import role_of, scope_ids
from dingzhou_welfare.models import COUNTY_WIDE_ROLES, NO_CHILD_ROLES, Role

from .models import Township, Village

KEEP_SECONDS = 60

_kept = {"at": None, "townships": [], "villages": [], "by_township": {}}


def _places() -> dict:
    """All townships as (id, name), all villages as (id, name, township id), in the models' order."""
    now = time.monotonic()
    if _kept["at"] is None or now - _kept["at"] > KEEP_SECONDS:
        villages = list(Village.objects.values_list("pk", "name", "township_id"))
        by_township = {}
        for village in villages:
            by_township.setdefault(village[2], []).append(village)
        _kept.update(
            townships=list(Township.objects.values_list("pk", "name")),
            villages=villages,
            by_township=by_township,
            at=now,
        )
    return _kept


def forget() -> None:
    """Read the tables again next time (after this process wrote to them)."""
    _kept["at"] = None


def township_choices(user) -> list[tuple[int, str]]:
    """(id, name) of the townships a user may pick: access.townships_for(user), from memory."""
    role = role_of(user)
    if role is None or role in NO_CHILD_ROLES:
        return []
    townships = _places()["townships"]
    if role in COUNTY_WIDE_ROLES:
        return townships
    mine = set(scope_ids(user)[0])
    return [(pk, name) for pk, name in townships if pk in mine]


def village_choices(user, township_id: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the villages a user may pick, of one township if given: access.villages_for(user)."""
    role = role_of(user)
    if role is None or role in NO_CHILD_ROLES:
        return []
    kept = _places()
    villages = kept["villages"] if township_id is None else kept["by_township"].get(township_id, [])
    if role not in COUNTY_WIDE_ROLES:
        township_ids, village_ids = scope_ids(user)
        if role == Role.CASEWORKER and village_ids:
            mine = set(village_ids)
            villages = [v for v in villages if v[0] in mine]
        else:
            mine = set(township_ids)
            villages = [v for v in villages if v[2] in mine]
    return [(pk, name) for pk, name, township in villages if township_id is None or township == township_id]
