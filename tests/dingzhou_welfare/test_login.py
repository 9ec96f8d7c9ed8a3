"""Logging in: throttled by django-axes, sessions that expire when idle, passwords that are not trivial."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.test import override_settings
from django.urls import reverse

from ..factories import PASSWORD

START = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_right_password_logs_in(client, clock, caseworker_a):
    response = log_in(client, "caseworker_a", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_wrong_password_says_so_in_chinese(client, clock, caseworker_a):
    response = log_in(client, "caseworker_a", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确。连续多次失败后账号将被暂时锁定。" in response.text


def test_five_failures_lock_the_account_even_for_the_right_password(client, clock, caseworker_a):
    assert settings.AXES_FAILURE_LIMIT == 5
    for attempt in range(4):
        assert log_in(client, "caseworker_a", f"wrong-{attempt}").status_code == 200
    locked = log_in(client, "caseworker_a", "wrong-5")
    assert locked.status_code == 429
    response = log_in(client, "caseworker_a", PASSWORD)
    assert response.status_code == 429
    assert "账号暂时锁定" in response.text
    assert "登录失败次数过多" in response.text
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_lock_is_per_username_and_address(client, clock, caseworker_a, caseworker_b):
    for attempt in range(5):
        log_in(client, "caseworker_a", f"wrong-{attempt}")
    assert log_in(client, "caseworker_b", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, clock, caseworker_a):
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    for attempt in range(5):
        log_in(client, "caseworker_a", f"wrong-{attempt}")
    clock.shift(datetime.timedelta(minutes=16))
    assert log_in(client, "caseworker_a", PASSWORD).status_code == 302


def test_trying_while_locked_restarts_the_cool_off(client, clock, caseworker_a):
    for attempt in range(5):
        log_in(client, "caseworker_a", f"wrong-{attempt}")
    clock.shift(datetime.timedelta(minutes=14))
    assert log_in(client, "caseworker_a", PASSWORD).status_code == 429
    clock.shift(datetime.timedelta(minutes=2))
    assert log_in(client, "caseworker_a", PASSWORD).status_code == 429
    clock.shift(datetime.timedelta(minutes=16))
    assert log_in(client, "caseworker_a", PASSWORD).status_code == 302


def test_success_resets_the_count(client, clock, caseworker_a):
    for attempt in range(4):
        log_in(client, "caseworker_a", f"wrong-{attempt}")
    assert log_in(client, "caseworker_a", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for attempt in range(4):
        log_in(client, "caseworker_a", f"again-{attempt}")
    assert log_in(client, "caseworker_a", PASSWORD).status_code == 302


def test_an_inactive_user_cannot_log_in(client, clock, caseworker_a):
    caseworker_a.is_active = False
    caseworker_a.save()
    assert log_in(client, "caseworker_a", PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def test_session_settings():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # renewed once a minute instead
    assert settings.SESSION_RENEW_SECONDS == 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


# Database sessions: with REDIS_URL the sessions live in Redis, which expires them on its own
# clock (TTL = SESSION_COOKIE_AGE, renewed at most once a minute), out of reach of time-machine.
@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.db")
def test_session_expires_after_30_idle_minutes(client, clock, caseworker_a):
    assert log_in(client, "caseworker_a", PASSWORD).status_code == 302
    # Activity keeps it alive: each request starts the 30 minutes again.
    for _ in range(3):
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("dashboard")).status_code == 200
    clock.shift(datetime.timedelta(minutes=31))
    response = client.get(reverse("children:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.db")
def test_an_active_session_is_written_at_most_once_a_minute(client, clock, caseworker_a):
    from django.contrib.sessions.models import Session

    def expiry():
        return Session.objects.get().expire_date

    log_in(client, "caseworker_a", PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200  # the first page renews the session
    renewed = expiry()
    assert renewed == START + datetime.timedelta(minutes=30)
    clock.shift(datetime.timedelta(seconds=59))
    assert client.get(reverse("children:list")).status_code == 200
    assert expiry() == renewed  # not written again within the minute
    clock.shift(datetime.timedelta(seconds=1))
    assert client.get(reverse("children:list")).status_code == 200
    assert expiry() == START + datetime.timedelta(minutes=31)


def test_anonymous_pages_make_no_session(client, clock, db):
    from django.contrib.sessions.models import Session

    assert client.get(reverse("login")).status_code == 200
    assert not Session.objects.exists()


def test_logout_is_post_only_and_ends_the_session(client, clock, caseworker_a):
    log_in(client, "caseworker_a", PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!xyz", "密码长度太短。密码必须包含至少 10 个字符。"),
        ("password123", "这个密码太常见了。"),
        ("4718290365", "密码只包含数字。"),
        ("caseworker_new", "密码跟 用户名 太相似了。"),
    ],
)
def test_validators_reject_weak_passwords(password, message):
    from django.contrib.auth.models import User

    with pytest.raises(password_validation.ValidationError) as error:
        password_validation.validate_password(password, User(username="caseworker_new"))
    assert message in error.value.messages


def test_password_change_page_uses_the_validators(client, caseworker_a):
    client.force_login(caseworker_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert "密码长度太短" in response.text
    caseworker_a.refresh_from_db()
    assert caseworker_a.check_password(PASSWORD)
