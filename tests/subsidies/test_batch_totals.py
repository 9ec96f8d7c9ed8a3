"""The batch's summary totals kept with it (BatchTotal): equal to the lines, to the fen, after compute,
recompute (a child moved, months reconciled) and 重发; the migration fills them for batches already
computed; the batch page reads them and does no aggregate over the lines."""

import datetime
import importlib
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.models import Child, Township, Village
from dingzhou_welfare.models import Role
from subsidies import exports
from subsidies.disbursement import compute_month, compute_township, finish_batch, pending_townships, start_batch
from subsidies.models import Batch, BatchTotal, Enrolment, Line, Programme
from subsidies.summaries import totals_by
from tests.factories import make_user

from . import returns_support as support
from .conftest import enrol, make_orphan
from .returns_support import M, import_file, rows_for, xlsx

frozen, staff2, draft, sent = support.frozen, support.staff2, support.draft, support.sent

ZERO = Decimal("0.00")
B = "6217000099998888"  # child_b's account in the shared bank fixtures
KIND = {"normal": "normal", "arrears": "arrears", "adjustment": "adjustments", "reissue": "reissued"}
FIGURES = ("children", "lines", "normal", "arrears", "adjustments", "reissued", "total")


def from_the_lines(batch) -> dict:
    """Every figure added up here, in Decimal, line by line: (township, programme), (township, None),
    ("programme", programme) and ("batch",)."""
    figures = defaultdict(lambda: {"children": set(), "lines": 0, **dict.fromkeys(FIGURES[2:], ZERO)})
    for township_id, programme_id, child_id, kind, amount in Line.objects.filter(batch=batch).values_list(
        "township_id", "programme_id", "child_id", "kind", "amount"
    ):
        for key in ((township_id, programme_id), (township_id, None), ("programme", programme_id), ("batch",)):
            f = figures[key]
            f["children"].add(child_id)
            f["lines"] += 1
            f[KIND[kind]] += amount
            f["total"] += amount
    return {key: (len(f["children"]), *(f[k] for k in FIGURES[1:])) for key, f in figures.items()}


def figures_of(row) -> tuple:
    return tuple(getattr(row, name) for name in FIGURES)


def assert_totals_true(batch: Batch) -> None:
    batch.refresh_from_db()
    expected = from_the_lines(batch)
    stored = {(t.township_id, t.programme_id): t for t in BatchTotal.objects.filter(batch=batch)}
    assert set(stored) == {key for key in expected if len(key) == 2 and key[0] != "programme"}
    for key, row in stored.items():
        assert figures_of(row) == expected[key], key
        assert all(getattr(row, name).as_tuple().exponent == -2 for name in FIGURES[2:])  # to the fen
    by_programme, by_township = totals_by(batch, "programme"), totals_by(batch, "township")
    names = {p.name: p.pk for p in Programme.objects.all()}
    assert {names[r.label]: figures_of(r) for r in by_programme.rows} == {
        key[1]: value for key, value in expected.items() if key[0] == "programme"
    }
    townships = {t.name: t.pk for t in Township.objects.all()}
    assert {townships[r.label]: figures_of(r) for r in by_township.rows} == {
        key[0]: value for key, value in expected.items() if len(key) == 2 and key[1] is None
    }
    whole = expected.get(("batch",), (0, 0, ZERO, ZERO, ZERO, ZERO, ZERO))
    assert figures_of(by_programme.total) == figures_of(by_township.total) == whole
    assert (whole[1], whole[-1]) == (batch.line_count, batch.total_amount)


# ---------------------------------------------------------------------------------------------
# The demo data (demo_data seeds an approved month and a draft)


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("demo_data", "--scale", "0.1", stdout=StringIO())
    return Batch.objects.order_by("month")


def test_demo_batches_totals_equal_their_lines_after_compute_and_recompute(demo, staff):
    approved, draft_batch = demo
    assert approved.status == Batch.Status.APPROVED and draft_batch.status == Batch.Status.DRAFT
    assert draft_batch.line_count > 100
    for batch in demo:
        assert_totals_true(batch)

    # Before the draft is computed again: a paid child moves to another township (their lines go
    # along, and the old township's totals are rewritten), another child's months are reconciled
    # (arrears, deductions), and one enrolment ends.
    moved_line = Line.objects.filter(batch=draft_batch, kind=Line.Kind.NORMAL).order_by("id").first()
    child = moved_line.child
    village = Village.objects.exclude(township=child.township).order_by("id").first()
    Child.objects.filter(pk=child.pk).update(township=village.township, village=village)
    reconciled = Enrolment.objects.filter(lines__batch=draft_batch).exclude(child=child).order_by("id").first()
    Enrolment.objects.filter(pk=reconciled.pk).update(
        needs_reconcile=True, prior_paid_through=None, start_month=M(2025, 1, 1)
    )
    ended = Enrolment.objects.filter(lines__batch=draft_batch).exclude(child__in=[child, reconciled.child]).last()
    Enrolment.objects.filter(pk=ended.pk).update(
        status=Enrolment.Status.ENDED, end_month=approved.month, end_reason=Enrolment.EndReason.MOVED_AWAY
    )

    again = compute_month(month=draft_batch.month, actor=staff)
    assert again.pk == draft_batch.pk
    assert set(Line.objects.filter(batch=again, child=child).values_list("township_id", flat=True)) == {
        village.township_id
    }
    assert Line.objects.filter(batch=again, kind=Line.Kind.ARREARS).exists()
    assert not Line.objects.filter(batch=again, enrolment=ended, kind=Line.Kind.NORMAL).exists()
    assert_totals_true(again)


def test_the_migration_fills_batches_already_computed(demo):
    before = {b.pk: sorted(map(figures_of, b.totals.all())) for b in demo}
    BatchTotal.objects.all().delete()
    migration = importlib.import_module("subsidies.migrations.0016_batch_totals")
    migration.fill_totals(apps, None)
    for batch in demo:
        assert sorted(map(figures_of, batch.totals.all())) == before[batch.pk]
        assert_totals_true(batch)
    migration.fill_totals(apps, None)  # run twice: the same rows, none doubled
    assert sum(len(rows) for rows in before.values()) == BatchTotal.objects.count()


def test_a_child_moved_between_two_townships_computations(
    frozen, child_a, child_b, township_a, township_b, village_b, staff, staff2, supervisor_a, programmes
):
    """The old township is done when the child moves; the new one takes the child's lines and rewrites
    the old township's totals in its own transaction."""
    supervisor_b = make_user("supervisor_b", Role.SUPERVISOR, townships=[township_b])
    enrolled(child_a, supervisor_a, staff, staff2, programmes, M(2026, 1, 20))
    enrolled(child_b, supervisor_b, staff, staff2, programmes, M(2026, 1, 20))
    batch = start_batch(month=M(2026, 4, 1), actor=staff)
    compute_township(batch_id=batch.pk, township_id=township_a.pk)
    assert BatchTotal.objects.get(batch=batch, township=township_a, programme=None).lines == 3
    Child.objects.filter(pk=child_a.pk).update(township=township_b, village=village_b)
    compute_township(batch_id=batch.pk, township_id=township_b.pk)
    for township_id in pending_townships(batch):
        compute_township(batch_id=batch.pk, township_id=township_id)
    batch = finish_batch(batch_id=batch.pk)
    assert not BatchTotal.objects.filter(batch=batch, township=township_a).exists()
    assert BatchTotal.objects.get(batch=batch, township=township_b, programme=None).children == 2
    assert_totals_true(batch)


# ---------------------------------------------------------------------------------------------
# 重发 (the bank's returns, paid again in the next batch)


def test_reissue_lines_are_in_the_next_batchs_totals(sent, staff, child_b):
    april = sent
    returned = support.payments_of(april)[B]
    job = import_file(april, staff, xlsx(rows_for(april, {B: ("失败", "户名不符")})))
    assert job.status == job.Status.DONE, job.errors or job.error
    assert_totals_true(april)  # a return changes no line, so no total

    child_b.payment_account.payee_name = "李小四"
    child_b.payment_account.save()
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    assert Line.objects.filter(batch=may, kind=Line.Kind.REISSUE).exists()
    assert totals_by(may, "programme").total.reissued == returned.amount
    assert_totals_true(may)
    may = compute_month(month=M(2026, 5, 1), actor=staff)  # recomputed: re-issued once, totals still true
    assert totals_by(may, "township").total.reissued == returned.amount
    assert_totals_true(may)


# ---------------------------------------------------------------------------------------------
# The readers: the batch page and the summary sheet


def page_queries(client, batch) -> list[str]:
    url = reverse("subsidies:batch", args=[batch.month])
    client.get(url)  # the first view after signing in also saves the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def aggregates_over_lines(queries: list[str]) -> list[str]:
    return [
        sql
        for sql in queries
        if '"subsidies_line"' in sql and ("SUM(" in sql.upper() or "COUNT(DISTINCT" in sql.upper())
    ]


def enrolled(child, checker, staff, staff2, programmes, confirmed_on):
    make_orphan(child, staff)
    enrol(
        child,
        programmes["orphan_scattered"],
        applicant=staff,
        checker=checker,
        confirmer=staff2,
        applied_on=confirmed_on - datetime.timedelta(days=10),
        confirmed_on=confirmed_on,
    )


def test_the_page_reads_the_kept_totals_whatever_the_number_of_lines(
    client, frozen, child_a, child_a2, child_b, township_b, staff, staff2, supervisor_a, programmes
):
    client.force_login(staff)
    enrolled(child_a, supervisor_a, staff, staff2, programmes, M(2026, 3, 20))  # April only
    small = compute_month(month=M(2026, 4, 1), actor=staff)
    few = page_queries(client, small)
    assert small.line_count == 1

    supervisor_b = make_user("supervisor_b", Role.SUPERVISOR, townships=[township_b])
    for child, checker in ((child_a2, supervisor_a), (child_b, supervisor_b)):
        enrolled(child, checker, staff, staff2, programmes, M(2026, 1, 20))  # arrears for February and March
    large = compute_month(month=M(2026, 4, 1), actor=staff)
    assert large.line_count >= 5
    many = page_queries(client, large)
    assert len(many) == len(few)
    assert aggregates_over_lines(few) == aggregates_over_lines(many) == []
    assert_totals_true(large)

    with CaptureQueriesContext(connection) as captured:
        rows = list(exports.summary_rows(large))
        exports.summary_widths(large)
    assert aggregates_over_lines([q["sql"] for q in captured.captured_queries]) == []
    total = next(cells for kind, cells in rows if kind == "total")
    assert (total[-2], total[-1]) == (3, large.total_amount)
