"""Operator helpers for the PostgreSQL database named in DATABASE_URL: create it when it is missing.

Used by `manage.py ensure_database` (bin/demo runs it before `migrate`), so that a missing database
is created, or the operator reads one sentence saying how to create it, instead of a traceback.
"""

import psycopg
from psycopg import sql

POSTGRESQL_ENGINES = {"django.db.backends.postgresql", "dingzhou_welfare.postgresql"}


class DatabaseSetupError(Exception):
    """One plain sentence for the operator."""


def is_postgresql(settings_dict: dict) -> bool:
    return settings_dict.get("ENGINE") in POSTGRESQL_ENGINES


def connection_params(settings_dict: dict, *, dbname: str | None = None) -> dict:
    params = {
        "dbname": dbname or settings_dict["NAME"],
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "connect_timeout": 5,
    }
    return {key: value for key, value in params.items() if value is not None}


def ensure_database(settings_dict: dict) -> bool:
    """Create the database of `settings_dict` if it does not exist. True if it was created.

    Asks the server's maintenance database `postgres` whether it exists, so that "does not exist" is
    told apart from "cannot connect"; raises DatabaseSetupError with how to do it by hand otherwise.
    """
    name = settings_dict["NAME"]
    user = settings_dict.get("USER") or "postgres"
    host = settings_dict.get("HOST") or "localhost"
    port = str(settings_dict.get("PORT") or 5432)
    by_hand = f"createdb -h {host} -p {port} -U postgres -O {user} {name}"
    try:
        with psycopg.connect(**connection_params(settings_dict, dbname="postgres"), autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return False
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg.errors.DuplicateDatabase:
                return False  # created by someone else at the same moment
    except psycopg.errors.InsufficientPrivilege:
        raise DatabaseSetupError(
            f"数据库 {name} 不存在，用户 {user} 无权创建它；请让数据库管理员运行：{by_hand}"
        ) from None
    except psycopg.OperationalError as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        reason = lines[-1] if lines else type(error).__name__
        raise DatabaseSetupError(
            f"无法连接 PostgreSQL {host}:{port}（{reason}），不能检查或创建数据库 {name}；"
            f"请先启动 PostgreSQL 并检查 DATABASE_URL，然后运行：{by_hand}"
        ) from None
    return True
