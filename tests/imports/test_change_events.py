"""An imported roster records its children's 增员 for the national change list (subsidies/changes),
in the commit's transaction: a category from its 认定日期, a programme from its 保障起始月份."""

import pytest

from imports.roster import COLUMNS, OPTIONAL_COLUMNS
from subsidies.changes.models import ChangeEvent

from .conftest import confirm, errors_of, roster_row, upload, xlsx_bytes

pytestmark = pytest.mark.usefixtures("frozen", "programmes")


def test_an_import_records_the_additions_once(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    content = xlsx_bytes([roster_row(认定日期="2023-11-20")], COLUMNS + OPTIONAL_COLUMNS)
    _response, job = upload(client, "历史.xlsx", content, capture=django_capture_on_commit_callbacks)
    assert errors_of(job) == []
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    events = sorted(
        (e.direction, e.category, e.programme.code if e.programme else "", str(e.effective_date), str(e.month))
        for e in ChangeEvent.objects.select_related("programme")
    )
    assert events == [
        ("add", "orphan_scattered", "", "2023-11-20", "2023-11-01"),
        ("add", "orphan_scattered", "orphan_scattered", "2024-01-01", "2024-01-01"),
    ]
    assert ChangeEvent.objects.filter(national_category_code="201").count() == 2
    assert ChangeEvent.objects.filter(recorded_at__isnull=False).count() == 2
