"""The report's figures against the records built in tests/reports/conftest.py (worked out by hand there)."""

import datetime
from decimal import Decimal

from children.models import Child, ClassificationKind
from children.services import add_classification
from reports.documents import build_monthly_report
from reports.figures import Period, Scope, compute_report
from subsidies.models import Batch, Line

M = datetime.date
D = Decimal
Kind = ClassificationKind


def kinds(report):
    return {row.kind: row.flow for row in report.kinds}


def programmes(report):
    return {row.code: row for row in report.programmes}


def townships(report):
    return {row.label: row for row in report.townships}


def test_money_of_a_month_and_the_year_to_date_to_the_fen(world):
    report = compute_report(Period.of(M(2026, 5, 1)))
    orphans, dibao = programmes(report)["orphan_scattered"], programmes(report)["rural_dibao"]
    assert (orphans.period.normal, orphans.period.arrears, orphans.period.total) == (D("2000"), D("2000"), D("4000"))
    assert (dibao.period.normal, dibao.period.arrears) == (D("530.00"), D("0"))
    assert report.programmes_total.period.total == D("4530.00")
    assert orphans.year.total == D("12000.00")  # January to April 2,000 a month, May 4,000
    assert dibao.year.total == D("2650.00")
    assert report.programmes_total.year.total == D("14650.00")
    assert report.programmes_total.year.arrears == D("2000.00")
    assert (orphans.paid_last_month, dibao.paid_last_month) == (2, 1)  # normal payments in May: A1, B1; A2
    # The same money as a plain sum over the approved batches' lines.
    paid = Line.objects.filter(batch__status=Batch.Status.APPROVED, batch__month__gte=M(2026, 1, 1))
    assert sum(line.amount for line in paid) == report.programmes_total.year.total


def test_money_per_township_adds_up_to_the_total(world):
    report = compute_report(Period.of(M(2026, 5, 1)))
    rows = townships(report)
    assert rows["清风店镇"].period.total == D("1530.00")
    assert rows["庞村镇"].period.total == D("3000.00")
    assert rows["庞村镇"].period.arrears == D("2000.00")
    assert rows["清风店镇"].year.total == D("11650.00")
    assert rows["庞村镇"].year.total == D("3000.00")
    assert report.townships_total.period.total == report.programmes_total.period.total
    assert report.townships_total.year.total == report.programmes_total.year.total


def test_a_range_counts_additions_and_removals_with_their_reasons(world):
    report = compute_report(Period(M(2026, 1, 1), M(2026, 5, 1)))
    orphan = kinds(report)[Kind.ORPHAN_SCATTERED]
    # 31 December: A1 and A3; B1 from 15 February; A3 adopted on 10 April.
    assert (orphan.begin, orphan.added, orphan.removed, orphan.end) == (2, 1, 1, 2)
    assert orphan.removed_by == {"adopted": 1}
    assert [r.label for r in report.kind_reasons] == ["被收养"]
    poverty = kinds(report)[Kind.HARDSHIP_POVERTY]
    assert (poverty.begin, poverty.added, poverty.removed, poverty.end) == (1, 0, 0, 1)
    scattered = programmes(report)["orphan_scattered"].flow
    # Paid in December: nobody; from January A1 and A3, from March B1; A3 paid through April.
    assert (scattered.begin, scattered.added, scattered.removed, scattered.end) == (0, 3, 1, 2)
    assert scattered.removed_by == {"adopted": 1}
    assert report.programmes_total.period.total == D("14650.00")
    for row in [*report.kinds, *report.programmes]:
        flow = row.flow
        assert flow.begin + flow.added - flow.removed == flow.end


def test_one_month_begins_where_the_month_before_ends(world):
    may = compute_report(Period.of(M(2026, 5, 1)))
    april = compute_report(Period.of(M(2026, 4, 1)))
    for code in ("orphan_scattered", "rural_dibao"):
        assert programmes(may)[code].flow.begin == programmes(april)[code].flow.end
    scattered = programmes(may)["orphan_scattered"].flow
    assert (scattered.begin, scattered.removed, scattered.end) == (3, 1, 2)  # A3's last month was April


def test_each_child_is_counted_once_by_precedence(world, staff):
    # A1 also becomes a disabled child: still counted once, as an orphan (orphans come first).
    Child.objects.filter(pk=world["a1"].pk).update(
        disability_type="physical", disability_grade=2, disability_cert_no="13068220150314001042"
    )
    add_classification(actor=staff, child=world["a1"], kind=Kind.DISABLED, start_date=M(2026, 5, 3))
    report = compute_report(Period.of(M(2026, 5, 1)))
    rows = kinds(report)
    assert rows[Kind.DISABLED].end == 1
    assert rows[Kind.DISABLED].once == 0
    assert rows[Kind.ORPHAN_SCATTERED].once == 2
    assert rows[Kind.HARDSHIP_POVERTY].once == 1
    assert report.kinds_total.end == 4  # entries
    assert report.classified_children == 3  # children
    assert programmes(report)["orphan_scattered"].flow.once == 2
    assert programmes(report)["rural_dibao"].flow.once == 1
    assert report.protected_children == 3
    assert townships(report)["清风店镇"].kinds.once == 2
    assert townships(report)["庞村镇"].kinds.once == 1


def test_a_township_sees_only_its_own_children_and_money(world, township_a):
    report = compute_report(Period.of(M(2026, 5, 1)), Scope((township_a.pk,), label="清风店镇"))
    assert report.programmes_total.period.total == D("1530.00")
    assert report.programmes_total.year.total == D("11650.00")
    assert report.classified_children == 2
    assert [row.label for row in report.townships] == ["清风店镇"]


def test_a_village_scope_counts_only_its_village(world, township_a, village_a):
    report = compute_report(Period.of(M(2026, 5, 1)), Scope((township_a.pk,), (village_a.pk,)))
    assert report.classified_children == 1  # A1 (A3's category ended in April)
    assert report.programmes_total.period.total == D("1000.00")


def test_a_draft_batch_is_not_money_paid_and_the_report_says_so(world):
    report = compute_report(Period.of(M(2026, 6, 1)))
    assert report.programmes_total.period.total == D("0")
    assert report.programmes_total.year.total == D("14650.00")
    assert [(m.month, m.status) for m in report.unpaid_months] == [(M(2026, 6, 1), "draft")]
    assert report.months[-1].pending == world["june"].total_amount == D("2530.00")
    assert any("2026年6月（待审批）" in p for p in report.summary())


def test_a_closed_file_counts_nowhere_after_closing(world):
    Child.objects.filter(pk=world["a2"].pk).update(status=Child.Status.CLOSED, closed_on=M(2026, 5, 10))
    may = compute_report(Period.of(M(2026, 5, 1)))
    assert kinds(may)[Kind.HARDSHIP_POVERTY].end == 0
    assert kinds(may)[Kind.HARDSHIP_POVERTY].begin == 1
    april = compute_report(Period.of(M(2026, 4, 1)))
    assert kinds(april)[Kind.HARDSHIP_POVERTY].end == 1


def test_summary_reads_like_the_bureaus_own(world):
    report = build_monthly_report(Period(M(2026, 1, 1), M(2026, 5, 1)), Scope(label="全市"))
    text = "\n".join(report.summary())
    assert "截至2026年5月31日，全市纳入困境儿童分类保障的儿童共3人" in text
    assert "散居孤儿基本生活费2人" in text
    assert "2026年1—5月孤儿和事实无人抚养儿童动态新增1人，动态减员1人（被收养1人）" in text
    assert "2026年1—5月已发放各类保障资金14,650.00元（1.47万元）" in text
    assert "补发2,000.00元" in text


def test_the_figures_take_a_fixed_number_of_queries(world, django_assert_max_num_queries, township_b):
    for n in range(5):  # more children change nothing in the number of queries
        add_classification(
            actor=None,
            child=Child.objects.create(
                name=f"丙{n}",
                sex="M",
                no_id_reason="测试",
                birth_date=M(2015, 1, 1),
                hukou_type="rural",
                township=township_b,
            ),
            kind=Kind.HARDSHIP_POVERTY,
            start_date=M(2026, 5, 2),
        )
    compute_report(Period.of(M(2026, 5, 1)))  # the first report sums each approved batch once (BatchMoney)
    # 12 reads of a report whose batches are summed already (the last one the bank returns' paid, returned
    # and reissued sums of the period, one aggregate whatever the number of payments), the savepoint around
    # them, and on PostgreSQL the two SET LOCAL of the report's transaction.
    with django_assert_max_num_queries(16):
        compute_report(Period.of(M(2026, 5, 1)))


def test_an_approved_batch_is_summed_once_and_to_the_fen(world):
    from reports.figures.money import summarise_batches
    from reports.models import BatchMoney, BatchMoneyDone

    compute_report(Period.of(M(2026, 5, 1)))
    approved = Batch.objects.filter(status=Batch.Status.APPROVED)
    assert BatchMoneyDone.objects.count() == approved.count() == 5
    for batch in approved:
        lines = Line.objects.filter(batch=batch)
        summed = BatchMoney.objects.filter(batch=batch)
        assert sum(m.amount for m in summed) == sum(line.amount for line in lines) == batch.total_amount
        assert sum(m.lines for m in summed) == lines.count()
    assert summarise_batches(approved.values_list("pk", flat=True)) == 0  # nothing summed twice
    assert not BatchMoneyDone.objects.filter(batch=world["june"]).exists()  # a draft is never summed
