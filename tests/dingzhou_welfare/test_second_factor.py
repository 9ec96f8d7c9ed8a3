"""Two-factor sign-in with django-otp (issue 19, item 8): required for staff, leaders and administrators."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dingzhou_welfare.models import AuditEntry
from tests.factories import PASSWORD

SETUP, VERIFY = reverse("two_factor_setup"), reverse("two_factor_verify")


@pytest.fixture(autouse=True)
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def sign_in(client, user, next_path="/"):
    return client.post(f"{reverse('login')}?next={next_path}", {"username": user.username, "password": PASSWORD})


def code(device, *, later=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time += later
    return f"{totp.token():06d}"


def enrol(client, user) -> tuple[TOTPDevice, list[str]]:
    sign_in(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"token": code(device), "next": "/"})
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", response.content.decode())
    client.post(reverse("logout"))
    return device, codes


@pytest.mark.parametrize("who", ["staff", "leader", "administrator"])
def test_these_roles_enrol_by_qr_code_at_first_sign_in(client, request, who):
    user = request.getfixturevalue(who)
    response = sign_in(client, user, "/children/")
    assert response.url == f"{SETUP}?next=/children/"
    assert client.get("/children/").url == f"{SETUP}?next=/children/"  # no page before the second factor
    page = client.get(SETUP).content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, made here, no network
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert f"issuer={device.config_url.split('issuer=')[1]}" in device.config_url

    wrong = client.post(SETUP, {"token": "000000", "next": "/children/"})
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code made django-otp wait; a test need not
    device.save()

    done = client.post(SETUP, {"token": code(device), "next": "/children/"})
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(codes)
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(actor=user, summary="启用两步验证").exists()


def test_an_enrolled_user_gives_a_code_at_each_sign_in(client, staff):
    device, _codes = enrol(client, staff)
    response = sign_in(client, staff, "/children/")
    assert response.url == f"{VERIFY}?next=/children/"
    assert client.get("/").url == f"{VERIFY}?next=/"
    # The code used at enrolment cannot be used again (django-otp keeps the last step used): the next one is.
    replay = client.post(VERIFY, {"token": code(device), "next": "/children/"})
    assert "验证码不正确" in replay.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    ok = client.post(VERIFY, {"token": code(device, later=30), "next": "/children/"})
    assert ok.url == "/children/"
    assert client.get("/children/").status_code == 200


def test_a_recovery_code_works_once(client, leader):
    _device, codes = enrol(client, leader)
    sign_in(client, leader)
    assert client.post(VERIFY, {"token": codes[0].upper(), "next": "/"}).url == "/"
    client.post(reverse("logout"))
    sign_in(client, leader)
    again = client.post(VERIFY, {"token": codes[0], "next": "/"})
    assert again.status_code == 200
    assert "验证码不正确" in again.content.decode()
    assert StaticToken.objects.filter(device__user=leader).count() == 9


@pytest.mark.parametrize("who", ["caseworker_a", "supervisor_a"])
def test_optional_for_caseworkers_and_supervisors(client, request, who):
    user = request.getfixturevalue(who)
    assert sign_in(client, user).url == "/"
    assert client.get("/").status_code == 200
    assert client.get(SETUP).status_code == 200  # they may enrol...
    device = TOTPDevice.objects.get(user=user)
    client.post(SETUP, {"token": code(device), "next": "/"})
    client.post(reverse("logout"))
    assert sign_in(client, user).url == f"{VERIFY}?next=/"  # ...and once enrolled are asked too


def test_off_when_not_required(client, staff, settings):
    settings.TWO_FACTOR_REQUIRED = False
    assert sign_in(client, staff).url == "/"
    assert client.get("/").status_code == 200


def test_wrong_codes_are_throttled_by_django_otp(client, staff):
    device, _codes = enrol(client, staff)
    sign_in(client, staff)
    client.post(VERIFY, {"token": "123456", "next": "/"})
    # Right after a failure even the right code waits (django-otp doubles the wait per failure).
    throttled = client.post(VERIFY, {"token": code(device, later=30), "next": "/"})
    assert "错误次数过多" in throttled.content.decode()
    assert client.get("/").url == f"{VERIFY}?next=/"


def test_wrong_codes_count_as_failed_logins_for_axes(client, staff, settings):
    """Guessing codes locks the account as guessing passwords does (django-axes, 5 failures)."""
    enrol(client, staff)
    sign_in(client, staff)
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        TOTPDevice.objects.filter(user=staff).update(throttling_failure_count=0)
        assert client.post(VERIFY, {"token": "123456", "next": "/"}).status_code == 200
    TOTPDevice.objects.filter(user=staff).update(throttling_failure_count=0)
    locked = client.post(VERIFY, {"token": "123456", "next": "/"})
    assert locked.status_code == 429
    assert "账号暂时锁定" in locked.content.decode()
    assert client.get("/").url.startswith(reverse("login"))  # signed out
    assert sign_in(client, staff).status_code == 429  # and the right password is refused for now


def test_the_administrator_resets_a_lost_phone(client, administrator, staff):
    enrol(client, staff)
    client.force_login(administrator)  # past both factors (force_login skips the sign-in form)
    page = client.get(reverse("user_edit", args=[staff.pk])).content.decode()
    assert "重置两步验证" in page
    response = client.post(reverse("user_reset_second_factor", args=[staff.pk]))
    assert response.url == reverse("user_edit", args=[staff.pk])
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    entry = AuditEntry.objects.get(summary=f"重置用户 {staff.username} 的两步验证")
    assert (entry.actor, entry.object_id) == (administrator, str(staff.pk))
    client.post(reverse("logout"))
    assert sign_in(client, staff).url == f"{SETUP}?next=/"  # enrols again


def test_a_signed_in_session_of_a_reset_user_must_enrol_again(client, staff, administrator):
    from dingzhou_welfare.services import reset_second_factor

    device, _codes = enrol(client, staff)
    sign_in(client, staff)
    client.post(VERIFY, {"token": code(device, later=30), "next": "/"})
    assert client.get("/").status_code == 200
    reset_second_factor(actor=administrator, user=staff)
    assert client.get("/").url == f"{SETUP}?next=/"


@pytest.mark.parametrize("who", ["caseworker_a", "staff"])
def test_only_the_administrator_may_reset(client, request, who, leader):
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("user_reset_second_factor", args=[leader.pk])).status_code == 404
