import datetime

import pytest

from .support import make_campaign


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def campaign(frozen, staff):
    return make_campaign(staff)
