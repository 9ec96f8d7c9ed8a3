"""Django's PostgreSQL backend, checking a kept connection's health without a query, and with
PostgreSQL's JIT compilation off.

With CONN_HEALTH_CHECKS, Django sends ``SELECT 1`` before the first query of every request on a
persistent connection: one more round trip on every page. A server that ends a connection
(restart, ``pg_terminate_backend``, an idle timeout) sends an error and closes the socket, so an
idle connection whose socket has nothing to read is still open. Only when something is waiting
(that notice, or anything else the server sent unasked) does the check fall back to Django's
``SELECT 1``, which reads it and fails if the connection is gone.

JIT compiles a query's expressions once its estimated cost passes ``jit_above_cost``. Only queries
over a large registry reach it, and there it cost more than it saved: the dashboard's agreement
coverage for one township of a million children ran 1.1 s with JIT (2.2 s of compiling, spread
over parallel workers) and 0.13 s without (bench/README.md). ``DATABASE_JIT=true`` keeps it on.
Set once per connection (a ``SET``, not a startup option, which PgBouncer refuses).
"""

import select

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def init_connection_state(self):
        super().init_connection_state()
        if not settings.DATABASE_JIT:
            with self.connection.cursor() as cursor:
                cursor.execute("SET jit = off")

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self._idle_and_quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _idle_and_quiet(self) -> bool:
        """Open, outside a transaction, and nothing unread from the server."""
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return False
        poller = select.poll()
        try:
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False
