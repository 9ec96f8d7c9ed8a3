"""Version tokens of data that each web process keeps between requests.

A process keeps some things it read (the signed-in users, the children list's counts) so that
the next request need not read them again. Whoever writes such data gives its topic a new token
in the shared cache (changed()), and a process uses what it kept only under the token the
request read. A signed-in request reads every token with its session, in the same cache round
trip (dingzhou_welfare.sessions), so checking costs nothing more; a request whose session came
from elsewhere reads them once when first asked (of()).
"""

import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

USERS = "users"  # users, their role profiles, groups and permissions
CHILDREN = "children"  # children and their categories: the list's counts
TOPICS = (USERS, CHILDREN)
KEYS = {topic: f"versions:{topic}" for topic in TOPICS}


def _cache():
    return caches[settings.SESSION_CACHE_ALIAS]


def forget(topic: str) -> None:
    """A new token for the topic: what any process kept under the old one is not used again."""
    _cache().set(KEYS[topic], secrets.token_hex(8), None)  # not the clock: tests stop it


def changed(topic: str) -> None:
    """The topic's data is being written: new tokens now and at commit.

    A request that reads the old rows in between keeps what it read under the first new token only.
    """
    forget(topic)
    transaction.on_commit(lambda: forget(topic))


def from_cache(found: dict) -> dict[str, str]:
    """The tokens among values read from the cache by KEYS; a token never set is set now."""
    tokens = {topic: found[key] for topic, key in KEYS.items() if key in found}
    for topic in TOPICS:
        if topic not in tokens:
            _cache().add(KEYS[topic], secrets.token_hex(8), None)
            tokens[topic] = _cache().get(KEYS[topic])
    return tokens


def of(request, topic: str) -> str | None:
    """The topic's token as this request saw it (None when the session's cache could not be read)."""
    tokens = getattr(request, "_versions", None)
    if tokens is None:
        tokens = getattr(getattr(request, "session", None), "versions", None)
        if tokens is None:
            tokens = from_cache(_cache().get_many(list(KEYS.values())))
        request._versions = tokens
    return tokens.get(topic)
