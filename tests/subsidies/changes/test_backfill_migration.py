"""The migration that adds the change events records the history already entered: a database
populated before it yields each classification's and paying enrolment's 增员 and 减员."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("subsidies", "0010_default_bank_layouts")]
D = datetime.date.fromisoformat


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_migrations_after")
def test_backfill_records_the_history_of_a_populated_database():
    old = migrate(BEFORE)
    Township = old.get_model("dingzhou_welfare", "Township")
    township = Township.objects.create(code="130682101", name="清风店镇", kind="town")
    Child = old.get_model("children", "Child")
    child = Child.objects.create(
        name="王小明", sex="M", birth_date=D("2015-03-14"), hukou_type="rural", township_id=township.pk,
        id_number="130682201503140011",
    )  # fmt: skip
    other = Child.objects.create(name="李小红", sex="F", birth_date=D("2012-05-01"), hukou_type="rural",
                                 township_id=township.pk, no_id_reason="未落户")  # fmt: skip
    Classification = old.get_model("children", "Classification")
    Classification.objects.create(child=child, kind="orphan_scattered", start_date=D("2024-03-05"))
    Classification.objects.create(
        child=other, kind="left_behind", start_date=D("2023-01-10"), end_date=D("2025-06-30"), end_reason="turned_16"
    )
    Programme = old.get_model("subsidies", "Programme")
    programme, _ = Programme.objects.get_or_create(
        code="orphan_scattered",
        defaults={"name": "散居孤儿基本生活费", "fund_type_code": "201", "eligible_kinds": ["orphan_scattered"],
                  "start_rule": "month_after_confirmation", "stop_rule": "month_after_event"},
    )  # fmt: skip
    Enrolment = old.get_model("subsidies", "Enrolment")
    paying = Enrolment.objects.create(
        child=child, programme=programme, status="ended", applied_on=D("2024-03-06"), start_month=D("2024-04-01"),
        confirmed_at=datetime.datetime(2024, 3, 20, 2, tzinfo=datetime.UTC), end_month=D("2025-02-01"),
        ended_on=D("2025-02-10"), end_reason="died",
    )  # fmt: skip
    Enrolment.objects.create(child=other, programme=programme, status="refused", applied_on=D("2024-01-02"))

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    ChangeEvent = new.get_model("subsidies", "ChangeEvent")
    events = sorted(
        (e.child_id, e.direction, e.category, e.programme_id or 0, e.national_category_code, str(e.effective_date),
         str(e.month), e.reason_code)
        for e in ChangeEvent.objects.all()
    )  # fmt: skip
    assert events == [
        (child.pk, "add", "orphan_scattered", 0, "201", "2024-03-05", "2024-03-01", "classified"),
        (child.pk, "add", "orphan_scattered", programme.pk, "201", "2024-03-20", "2024-04-01", "enrolled"),
        (child.pk, "remove", "orphan_scattered", programme.pk, "201", "2025-02-10", "2025-03-01", "died"),
        (other.pk, "add", "left_behind", 0, "", "2023-01-10", "2023-01-01", "classified"),
        (other.pk, "remove", "left_behind", 0, "", "2025-06-30", "2025-06-01", "turned_16"),
    ]
    assert ChangeEvent.objects.filter(enrolment_id=paying.pk).count() == 2
    layout = new.get_model("subsidies", "ChangeListLayout").objects.get(code="national")
    assert layout.columns.count() == 18
