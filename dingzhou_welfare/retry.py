"""A GET whose database connection was lost mid-request is answered again, once, on a new connection.

A PostgreSQL restart (or ``pg_terminate_backend``) ends every connection, including one a request is
using. The kept connection's health check (dingzhou_welfare/postgresql) replaces a connection that
was already gone when the request's first query ran; one that goes while the view is running makes
the view raise ``OperationalError``/``InterfaceError``. This middleware's process_exception then
runs the view again on a fresh connection, for GET and HEAD only (they write nothing the clerk
asked for), once, and only when no response byte has been sent (a view's exception comes before its
response; a streaming response that fails while it is being sent is not retried) and no transaction
is left open. A second failure, or a lost connection in a POST, is answered as before (a 500).
"""

import logging

from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

RETRIED = "_dzw_retried_after_lost_connection"


def _lost_connections() -> list:
    """The connections that are gone (broken, or closed by Django when a rollback failed), or [] when
    a transaction is still open on one of them."""
    lost = []
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            return []
        if conn.connection is None or not conn.is_usable():
            lost.append(conn)
    return lost


class RetryLostConnectionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.method not in ("GET", "HEAD") or getattr(request, RETRIED, False):
            return None
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        lost = _lost_connections()
        if not lost:
            return None
        setattr(request, RETRIED, True)
        logger.warning("database connection lost during GET %s, answering again: %r", request.path, exception)
        for conn in lost:
            conn.close()  # the next query opens a new one
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
