"""Version tokens of data that each web process keeps between requests.

A process keeps some things it read (the signed-in users, the children list's counts) so that
the next request need not read them again. Whoever writes such data gives its topic a new token
in the shared cache (changed()), and a process uses what it kept only under the token the
request read. A signed-in request reads every token with its session, in the same cache round
trip (dingzhou_welfare.sessions), so checking costs nothing more; a request whose session came
from elsewhere reads them once when first asked (of()).
"""

import logging
import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

USERS = "users"  # users, their role profiles, groups and permissions
CHILDREN = "children"  # children and their categories: the list's counts
TOPICS = (USERS, CHILDREN)
KEYS = {topic: f"versions:{topic}" for topic in TOPICS}
logger = logging.getLogger(__name__)


def _cache():
    return caches[settings.SESSION_CACHE_ALIAS]


_stale_keys: set[str] = set()  # cache keys this process could not write: deleted once the cache answers


def forget_later(*keys: str) -> None:
    _stale_keys.update(keys)


def delete_stale() -> None:
    """Delete the keys this process could not write while the cache was down (raises if it still is)."""
    if _stale_keys:
        keys = list(_stale_keys)
        _cache().delete_many(keys)
        _stale_keys.difference_update(keys)


def forget(topic: str) -> None:
    """A new token for the topic: what any process kept under the old one is not used again.

    With the cache down the token is deleted once it answers again (a token never set is set anew by
    the first reader); until then no request reads any token, so nothing kept is used.
    """
    try:
        _cache().set(KEYS[topic], secrets.token_hex(8), None)  # not the clock: tests stop it
    except Exception as error:
        logger.warning("version token of %s not renewed (%r): deleted when the cache answers", topic, error)
        forget_later(KEYS[topic])


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
            try:
                delete_stale()
                tokens = from_cache(_cache().get_many(list(KEYS.values())))
            except Exception as error:
                logger.warning("version tokens not read (%r): nothing kept is used", error)
                tokens = {}
        request._versions = tokens
    return tokens.get(topic)
