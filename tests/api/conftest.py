"""An approved April 2026 batch for three children in two townships, and API clients with tokens."""

import datetime

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.services import create_client
from dingzhou_welfare.models import Role
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import Programme
from subsidies.problems import BLOCKING, SEVERITY, waive_problem
from tests.factories import ensure_reference_data, make_user
from tests.subsidies.conftest import enrol, make_orphan

M = datetime.date


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The throttle counts in the cache, which outlives a test in the local-memory backend."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def programmes(db):
    ensure_reference_data()
    return {p.code: p for p in Programme.objects.all()}


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False)
    return time_machine


@pytest.fixture
def staff2(db):
    return make_user("staff2", Role.STAFF)


@pytest.fixture
def batch(frozen, child_a, child_a2, child_b, township_b, staff, staff2, supervisor_a, programmes):
    """April 2026, approved: February to April for each child (two months in arrears)."""
    supervisor_b = make_user("supervisor_b", Role.SUPERVISOR, townships=[township_b])
    for child, checker in ((child_a, supervisor_a), (child_a2, supervisor_a), (child_b, supervisor_b)):
        make_orphan(child, staff)
        enrol(
            child,
            programmes["orphan_scattered"],
            applicant=staff,
            checker=checker,
            confirmer=staff2,
            applied_on=M(2026, 1, 5),
            confirmed_on=M(2026, 1, 20),
        )
    draft = compute_month(month=M(2026, 4, 1), actor=staff)
    for kind in set(draft.problems.values_list("kind", flat=True)):
        if SEVERITY.get(kind) == BLOCKING:
            waive_problem(batch=draft, kind=kind, reason="测试：已核实", actor=staff2)
    return approve_batch(batch=draft, actor=staff2)


@pytest.fixture
def masked_client(administrator):
    client, token = create_client(actor=administrator, name="省儿童福利信息系统", granted_personal_data=False)
    return client, token


@pytest.fixture
def personal_client(administrator):
    client, token = create_client(actor=administrator, name="县财政代发系统", granted_personal_data=True)
    return client, token


def api_for(token: str) -> APIClient:
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return caller
