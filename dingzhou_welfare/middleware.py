"""Sessions that end after SESSION_COOKIE_AGE without activity, renewed at most once a minute."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

RENEWED_KEY = "_renewed_at"


class IdleSessionMiddleware:
    """Marks a signed-in session changed when it was last renewed more than a minute ago.

    Django's SESSION_SAVE_EVERY_REQUEST writes the session on every request (with the cache
    backend a read and a write of Redis besides the load); a session saved is a session whose
    idle time starts again. Saving it once a minute at most keeps the idle timeout to within
    a minute, and spares those writes on every page a clerk or a caseworker opens.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            if now - session.get(RENEWED_KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                session[RENEWED_KEY] = now
        return self.get_response(request)
