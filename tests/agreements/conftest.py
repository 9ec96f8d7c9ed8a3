"""Fixtures of the agreement tests: frozen time and a left-behind child of township A."""

import datetime

import pytest

from .support import make_left_behind


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def left_behind_a(frozen, child_a, staff):
    return make_left_behind(child_a, staff)
