"""Chinese by default; English on request (once translations exist)."""

import datetime
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import translation

from children.models import ClassificationKind, PaymentAccount, Township, Village
from children.services import add_classification, record_parent_situation
from dingzhou_welfare.models import Role
from subsidies.disbursement import compute_month
from subsidies.models import Programme, Standard
from subsidies.services import apply_enrolment, check_enrolment, confirm_enrolment
from tests.factories import CarerFactory, ChildFactory, TownshipFactory, VillageFactory, make_user

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


# ---------------------------------------------------------------------------------------------
# The English pages hold no Chinese but the data: everything the test makes (and renames) is ASCII.

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")  # CJK punctuation, ideographs, full-width forms
LANGUAGE_SWITCHER_OWN_NAME = "简体中文"  # the switcher names each language in that language
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-label")  # data-label heads phone table cells
M = datetime.date


def chinese_left(html: str) -> list[str]:
    """The Chinese in what a reader sees: text outside tags, scripts and styles, and shown attributes."""
    shown = [unescape(value) for value in re.findall(rf'\b(?:{"|".join(SHOWN_ATTRIBUTES)})="([^"]*)"', html)]
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    text = unescape(re.sub(r"<[^>]+>", " ", text)).replace(LANGUAGE_SWITCHER_OWN_NAME, " ", 1)
    return [match for part in (text, *shown) for match in CHINESE.findall(part)]


@pytest.fixture
def english_world(db, settings, time_machine):
    """A township, a child with a full case file paid for April 2026, and a computed April batch, all in ASCII.

    Made in English, as the audit log and the batch notes are written in the language active when they are made.
    """
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False)
    settings.BUREAU_NAME = "Dingzhou Civil Affairs Bureau"
    # Data the migrations may seed (real townships, the programmes and their standards) is Chinese: rename it.
    Township.objects.update(name=Concat(Value("Township "), "code"))
    for village in Village.objects.all():
        Village.objects.filter(pk=village.pk).update(name=f"Village {village.pk}")
    Programme.objects.update(name=Concat(Value("Programme "), "code"), aliases=[])
    Standard.objects.update(note="Hebei standard from 2020-01")
    township = TownshipFactory(code="130682190", name="Qingfeng Town")
    village = VillageFactory(township=township, name="East Village")
    with translation.override("en"):
        caseworker = make_user("caseworker_en", Role.CASEWORKER, townships=[township])
        supervisor = make_user("supervisor_en", Role.SUPERVISOR, townships=[township])
        staff = make_user("staff_en", Role.STAFF)
        staff2 = make_user("staff2_en", Role.STAFF)
        child = ChildFactory(
            name="Wang Xiaoming",
            ethnicity="Han",
            township=township,
            village=village,
            hukou_address="East Village",
            current_address="East Village",
            school_name="East Village Primary School",
            grade="4",
        )
        for parent in ("father", "mother"):
            record_parent_situation(
                actor=staff,
                child=child,
                data={"parent": parent, "name": f"Wang {parent}", "situation": "dead", "start_date": M(2020, 1, 1)},
            )
        add_classification(actor=staff, child=child, kind=ClassificationKind.ORPHAN_SCATTERED, start_date=M(2020, 1, 1))
        CarerFactory(child=child, name="Wang Grandpa", is_guardian=True, is_primary=True)
        PaymentAccount.objects.create(
            child=child,
            payee_name="Wang Grandpa",
            payee_relationship="paternal_grandparent",
            bank_name="Dingzhou Rural Bank",
            account_number="6217000012345678",
        )
        programme = Programme.objects.get(code="orphan_scattered")
        enrolment = apply_enrolment(actor=caseworker, child=child, programme=programme, applied_on=M(2026, 3, 1))
        check_enrolment(actor=supervisor, enrolment=enrolment, note="Checked at home")
        confirm_enrolment(actor=staff, enrolment=enrolment, confirmed_on=M(2026, 3, 10))
        compute_month(month=M(2026, 4, 1), actor=staff2)
    return {"caseworker": caseworker, "staff": staff, "child": child, "enrolment": enrolment}


@needs_english
def test_english_pages_have_no_chinese_left_but_the_language_switcher(client, english_world):
    child, enrolment = english_world["child"], english_world["enrolment"]
    pages = {
        None: [reverse("login")],
        "caseworker": [
            reverse("dashboard"),
            reverse("children:list"),
            reverse("children:detail", args=[child.pk]),
            reverse("children:edit", args=[child.pk]),
            reverse("subsidies:apply", args=[child.pk]),
            reverse("visits:worklist"),
            reverse("visits:create", args=[child.pk]),
            reverse("children:agreements"),
            reverse("campaigns:list"),
        ],
        "staff": [
            reverse("dashboard"),
            reverse("children:detail", args=[child.pk]),
            reverse("subsidies:programmes"),
            reverse("subsidies:queue"),
            reverse("subsidies:enrolments"),
            reverse("subsidies:enrolment", args=[enrolment.pk]),
            reverse("subsidies:changes"),
            reverse("subsidies:batches"),
            reverse("subsidies:batch", args=[M(2026, 4, 1)]),
            reverse("visits:worklist"),
            reverse("visits:intervals"),
            reverse("visits:reports"),
            reverse("children:agreements"),
            reverse("campaigns:list"),
            reverse("campaigns:create"),
            reverse("adoption:list"),
            reverse("adoption:create"),
            reverse("imports:index"),
            reverse("reports:index"),
            reverse("audit_list"),
        ],
    }
    left = {}
    for who, urls in pages.items():
        client.logout()
        if who:
            client.force_login(english_world[who])
        for url in urls:
            response = client.get(url, headers={"accept-language": "en"})
            assert response.status_code == 200, url
            assert '<html lang="en">' in response.text
            if found := chinese_left(response.text):
                left[f"{who} {url}"] = found
    assert left == {}
