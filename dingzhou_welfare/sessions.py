"""Django's cache sessions, reading the data version tokens in the same cache round trip.

Every signed-in request reads its session; reading the tokens of dingzhou_welfare.versions with
it (one MGET) lets a process check what it kept (the user, the list's counts) without another
round trip to Redis, and without the query the user would otherwise cost.
"""

from django.contrib.sessions.backends import cache

from . import versions


class SessionStore(cache.SessionStore):
    versions = None  # the tokens read with the session, once it is loaded

    def load(self):
        try:
            found = self._cache.get_many([self.cache_key, *versions.KEYS.values()])
            self.versions = versions.from_cache(found)
        except Exception:
            # As Django's: some backends raise on invalid keys; the session is then reset.
            found, self.versions = {}, {}
        session_data = found.get(self.cache_key)
        if session_data is not None:
            return session_data
        self._session_key = None
        return {}
