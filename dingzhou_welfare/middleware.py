"""Sessions that end after SESSION_COOKIE_AGE without activity, renewed at most once a minute;
the signed-in user, kept in the process between requests; the Content-Security-Policy."""

import time

from csp import middleware as csp_middleware
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.utils.functional import SimpleLazyObject

from . import signed_in

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


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with the user built from what this process kept when it may (dingzhou_welfare.signed_in)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = signed_in.get_user(request)
    return request._cached_user


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's Content-Security-Policy on every response but PDFs, which browsers show in their
    own viewer: a policy made for our pages (object-src 'none') has no business there."""

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("application/pdf"):
            return response
        return super().process_response(request, response)
