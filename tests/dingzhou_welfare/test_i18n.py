"""Chinese by default; English on request (once translations exist)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ENGLISH_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
needs_english = pytest.mark.skipif(
    not ENGLISH_CATALOGUE.exists(),
    reason="no English translations yet (locale/en/LC_MESSAGES/django.mo): the msgids are Chinese, "
    "so English pages would still read in Chinese",
)


@pytest.fixture
def client_a(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


def test_default_language_is_simplified_chinese(client_a):
    assert settings.LANGUAGE_CODE == "zh-hans"
    response = client_a.get(reverse("children:list"))
    assert '<html lang="zh-hans">' in response.text
    assert "<h1>儿童信息</h1>" in response.text


def test_login_page_is_chinese_for_anonymous_users(client):
    response = client.get(reverse("login"))
    assert "登录" in response.text
    assert '<html lang="zh-hans">' in response.text


def test_accept_language_and_set_language_switch_the_active_language(client_a):
    """The switch works whatever the catalogue holds: the page declares the language it was made in."""
    assert '<html lang="en">' in client_a.get(reverse("children:list"), headers={"accept-language": "en"}).text
    response = client_a.post(reverse("set_language"), {"language": "en", "next": reverse("children:list")})
    assert response.status_code == 302
    assert response.url == reverse("children:list")
    assert client_a.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client_a.get(reverse("children:list")).text
    client_a.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client_a.get(reverse("children:list")).text


def test_unknown_language_falls_back_to_chinese(client_a):
    response = client_a.get(reverse("children:list"), headers={"accept-language": "fr"})
    assert '<html lang="zh-hans">' in response.text


@needs_english
def test_english_ui(client_a):
    response = client_a.get(reverse("children:list"), headers={"accept-language": "en"})
    assert "儿童信息" not in response.text
    assert "Children" in response.text


@needs_english
def test_english_ui_through_set_language(client_a):
    client_a.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "儿童信息" not in client_a.get(reverse("children:list")).text
