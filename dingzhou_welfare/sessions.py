"""Sessions in PostgreSQL with Redis as their cache, reading the data version tokens in the same cache
round trip; signing in and reading pages go on while Redis is down.

Every signed-in request reads its session; reading the tokens of dingzhou_welfare.versions with
it (one MGET) lets a process check what it kept (the user, the list's counts) without another
round trip to Redis, and without the query the user would otherwise cost. When Redis is up a page
reads its session from Redis alone; a session is written to both (at most once a minute,
dingzhou_welfare.middleware).

When Redis fails (refused, or no answer within settings.REDIS_TIMEOUT), the session is read from
the database and the request has no tokens, so nothing kept is used (versions.of() gives None).
The cache keys that could not be deleted or rewritten meanwhile (a session signed out, a token
renewed) are deleted once Redis answers again, before anything is read from it, so that a session
ended while Redis was down does not come back from the cache. That list lives in the process: a
process restarted in between forgets it (the cache's own expiry, SESSION_COOKIE_AGE, still ends
such a session).
"""

import logging

from django.contrib.sessions.backends import cached_db

from . import versions

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    versions = None  # the tokens read with the session, once it is loaded

    def load(self):
        try:
            versions.delete_stale()
            found = self._cache.get_many([self.cache_key, *versions.KEYS.values()])
            self.versions = versions.from_cache(found)
        except Exception as error:
            logger.warning("sessions read from the database: the cache failed (%r)", error)
            found, self.versions = None, {}
        session_data = found.get(self.cache_key) if found is not None else None
        if session_data is not None:
            return session_data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        if found is not None:
            try:
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
            except Exception:
                logger.warning("session not cached", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("session cache not asked", exc_info=True)
        return super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create=False):
        super(cached_db.SessionStore, self).save(must_create)
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception as error:
            logger.warning("session saved to the database only (%r)", error)
            versions.forget_later(self.cache_key)

    def delete(self, session_key=None):
        super(cached_db.SessionStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception as error:
            logger.warning("session deleted from the database only (%r)", error)
            versions.forget_later(self.cache_key_prefix + session_key)
