import datetime

import pytest

from tests.factories import CarerFactory

NOW = datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC)  # 18:00 in Dingzhou, 1 June 2026


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def cared_for(child_a, child_a2, child_b):
    """The cast's children with a primary carer of full capacity (otherwise every child is high risk)."""
    for child in (child_a, child_a2, child_b):
        CarerFactory(child=child)
    return child_a, child_a2, child_b
