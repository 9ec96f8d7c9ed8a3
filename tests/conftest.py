"""The cast: townships A and B, one user per role, a child in each township."""

import pytest
from django.conf import settings
from django.utils import translation

from children import places
from dingzhou_welfare import signed_in, versions
from dingzhou_welfare.access import forget_scopes
from dingzhou_welfare.models import Role
from dingzhou_welfare.pagination import forget_counts

from .factories import ChildFactory, TownshipFactory, VillageFactory, make_user


@pytest.fixture(autouse=True)
def fresh_kept_data():
    """What a web process keeps between requests (users and their scopes, the place names, the
    list's counts) starts afresh in each test: a rolled-back test's ids come back in the next one."""
    forget_scopes()
    places.forget()
    forget_counts()
    signed_in.forget()
    for topic in versions.TOPICS:
        versions.forget(topic)


@pytest.fixture(autouse=True)
def chinese_to_begin_with():
    """A request in English leaves English active in the thread (LocaleMiddleware does not switch back);
    each test starts in the default language, as a new request would."""
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def township_a(db):
    return TownshipFactory(code="130682101", name="清风店镇")


@pytest.fixture
def township_b(db):
    return TownshipFactory(code="130682102", name="庞村镇")


@pytest.fixture
def village_a(township_a):
    return VillageFactory(township=township_a, name="东村")


@pytest.fixture
def village_a2(township_a):
    return VillageFactory(township=township_a, name="西村")


@pytest.fixture
def village_b(township_b):
    return VillageFactory(township=township_b, name="南村")


@pytest.fixture
def caseworker_a(township_a):
    return make_user("caseworker_a", Role.CASEWORKER, townships=[township_a])


@pytest.fixture
def caseworker_village(township_a, village_a):
    """A caseworker responsible for one village of township A only."""
    return make_user("caseworker_village", Role.CASEWORKER, townships=[township_a], villages=[village_a])


@pytest.fixture
def caseworker_b(township_b):
    return make_user("caseworker_b", Role.CASEWORKER, townships=[township_b])


@pytest.fixture
def supervisor_a(township_a):
    return make_user("supervisor_a", Role.SUPERVISOR, townships=[township_a])


@pytest.fixture
def staff(db):
    return make_user("staff", Role.STAFF)


@pytest.fixture
def leader(db):
    return make_user("leader", Role.LEADER)


@pytest.fixture
def administrator(db):
    return make_user("administrator", Role.ADMINISTRATOR)


@pytest.fixture
def outsider(django_user_model):
    """Logged in, but with no role at all."""
    return django_user_model.objects.create_user("outsider", password="Test-password-2026!")


@pytest.fixture
def child_a(township_a, village_a):
    return ChildFactory(township=township_a, village=village_a, name="王小明")


@pytest.fixture
def child_a2(township_a, village_a2):
    return ChildFactory(township=township_a, village=village_a2, name="赵小红", sex="F")


@pytest.fixture
def child_b(township_b, village_b):
    return ChildFactory(township=township_b, village=village_b, name="刘小军")


@pytest.fixture
def latest_migrations_after(transactional_db):
    """A migration test that fails half-way must not leave the database at an old state for the tests
    after it: whatever happened, migrate to the latest migrations again (nothing to do when it passed)."""
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
