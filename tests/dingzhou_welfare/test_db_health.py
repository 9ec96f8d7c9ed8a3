"""The kept PostgreSQL connection's health check: no query when the connection is quiet, and a
connection the server ended is replaced before the request's first query; JIT off
(dingzhou_welfare/postgresql)."""

import select

import psycopg
import pytest
from django.db import close_old_connections, connection

from children.models import Township

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's health check"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def kept_connection(settings):
    """The connection as a web process keeps it: persistent, health-checked, between two requests."""
    connection.settings_dict["CONN_MAX_AGE"] = 600
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.close()
    connection.ensure_connection()
    yield connection
    connection.settings_dict["CONN_MAX_AGE"] = 0
    connection.close()


def statements_sent(monkeypatch):
    sent = []
    real_execute = psycopg.Cursor.execute

    def execute(cursor, query, *args, **kwargs):
        sent.append(str(query))
        return real_execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", execute)
    return sent


def test_a_quiet_connection_is_kept_without_a_select_1(kept_connection, monkeypatch):
    backend = kept_connection.connection.info.backend_pid
    sent = statements_sent(monkeypatch)
    close_old_connections()  # what a request's start does

    Township.objects.count()
    assert len(sent) == 1  # the count alone
    assert "COUNT" in sent[0]
    assert kept_connection.connection.info.backend_pid == backend


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(kept_connection):
    backend = kept_connection.connection.info.backend_pid
    params = kept_connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend])
    # The server's notice and the closed socket reach this side.
    poller = select.poll()
    poller.register(kept_connection.connection.fileno(), select.POLLIN)
    assert poller.poll(5000)

    close_old_connections()  # the next request starts

    Township.objects.count()  # no error: the health check reopened the connection
    assert kept_connection.connection.info.backend_pid != backend


def test_inside_a_transaction_the_check_is_left_to_django(kept_connection, monkeypatch):
    kept_connection.connection.execute("BEGIN")
    sent = statements_sent(monkeypatch)
    kept_connection.health_check_done = False

    kept_connection.close_if_health_check_failed()

    assert sent == ["SELECT 1"]
    kept_connection.connection.execute("ROLLBACK")


def test_jit_is_off_on_the_apps_connections(kept_connection):
    with kept_connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def terminate_own_backend_at(table: str):
    """An execute wrapper that ends the request's own connection on the server just before the first
    query reading `table`, and waits until this side sees it gone: a PostgreSQL restart mid-request."""
    done = []

    def wrapper(execute, sql, params, many, context):
        if table in sql and not done:
            done.append(sql)
            wrapped = context["connection"]
            backend = wrapped.connection.info.backend_pid
            params_ = wrapped.get_connection_params()
            params_.pop("cursor_factory", None)
            params_.pop("context", None)
            with psycopg.connect(**params_, autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [backend])
            poller = select.poll()
            poller.register(wrapped.connection.fileno(), select.POLLIN)
            assert poller.poll(5000)
        return execute(sql, params, many, context)

    return wrapper, done


def test_a_get_whose_connection_is_terminated_mid_request_is_answered(kept_connection, client, staff, child_a):
    from django.urls import reverse

    client.force_login(staff)
    client.raise_request_exception = False
    backend = kept_connection.connection.info.backend_pid
    wrapper, done = terminate_own_backend_at('"children_child"')
    with kept_connection.execute_wrapper(wrapper):
        response = client.get(reverse("children:list"))
    assert done, "the page read no child"
    assert response.status_code == 200
    assert child_a.name in response.text
    assert kept_connection.connection.info.backend_pid != backend


def test_a_post_whose_connection_is_terminated_is_not_repeated(kept_connection, client, staff, child_a):
    from django.urls import reverse

    client.force_login(staff)
    client.raise_request_exception = False
    wrapper, done = terminate_own_backend_at('"children_child"')
    with kept_connection.execute_wrapper(wrapper):
        response = client.post(reverse("children:edit", args=[child_a.pk]), {})
    assert done
    assert response.status_code == 500
