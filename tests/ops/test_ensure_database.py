"""bin/demo's first step on PostgreSQL: the database in DATABASE_URL is created when missing, or the
operator reads one sentence saying how to create it."""

import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from psycopg import sql

from dingzhou_welfare.databases import DatabaseSetupError, connection_params, ensure_database, is_postgresql

on_postgresql = pytest.mark.skipif(
    not is_postgresql(settings.DATABASES["default"]), reason="creating a database needs PostgreSQL (DATABASE_URL)"
)


def server(**changes) -> dict:
    return {**settings.DATABASES["default"], **changes}


def admin_execute(statement, *params):
    with psycopg.connect(**connection_params(server(), dbname="postgres"), autocommit=True) as conn:
        conn.execute(statement, params or None)


@pytest.fixture
def missing_name():
    name = f"dzw_ops_missing_{uuid.uuid4().hex[:8]}"
    yield name
    if is_postgresql(settings.DATABASES["default"]):
        admin_execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@on_postgresql
def test_a_missing_database_is_created_once(missing_name):
    assert ensure_database(server(NAME=missing_name)) is True
    with psycopg.connect(**connection_params(server(), dbname=missing_name)) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (missing_name,)
    assert ensure_database(server(NAME=missing_name)) is False


@on_postgresql
def test_a_user_who_may_not_create_it_is_told_how(missing_name):
    role = f"dzw_ops_nocreate_{uuid.uuid4().hex[:6]}"
    admin_execute(sql.SQL("CREATE ROLE {} LOGIN NOCREATEDB").format(sql.Identifier(role)))
    try:
        with pytest.raises(DatabaseSetupError) as refused:
            ensure_database(server(NAME=missing_name, USER=role, PASSWORD=""))
    finally:
        admin_execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    message = str(refused.value)
    assert f"数据库 {missing_name} 不存在" in message
    assert "createdb -h" in message and f"-O {role} {missing_name}" in message
    assert "\n" not in message


# The command reads settings.DATABASES only; the test's own connection is untouched.
overrides_databases = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES:UserWarning")


@overrides_databases
def test_an_unreachable_server_is_one_sentence(settings):
    settings.DATABASES = {
        **settings.DATABASES,
        "default": {
            "ENGINE": "dingzhou_welfare.postgresql",
            "NAME": "dzw_ops_nowhere",
            "HOST": "127.0.0.1",
            "PORT": "1",
            "USER": "welfare",
            "PASSWORD": "",
        },
    }
    with pytest.raises(CommandError) as refused:
        call_command("ensure_database")
    message = str(refused.value)
    assert message.startswith("无法连接 PostgreSQL 127.0.0.1:1")
    assert "createdb -h 127.0.0.1 -p 1 -U postgres -O welfare dzw_ops_nowhere" in message
    assert "\n" not in message


@overrides_databases
def test_sqlite_needs_nothing(settings, capsys):
    settings.DATABASES = {**settings.DATABASES, "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    call_command("ensure_database")
    assert capsys.readouterr().out == ""
