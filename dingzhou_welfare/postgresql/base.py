"""Django's PostgreSQL backend, checking a kept connection's health without a query.

With CONN_HEALTH_CHECKS, Django sends ``SELECT 1`` before the first query of every request on a
persistent connection: one more round trip on every page. A server that ends a connection
(restart, ``pg_terminate_backend``, an idle timeout) sends an error and closes the socket, so an
idle connection whose socket has nothing to read is still open. Only when something is waiting
(that notice, or anything else the server sent unasked) does the check fall back to Django's
``SELECT 1``, which reads it and fails if the connection is gone.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
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
