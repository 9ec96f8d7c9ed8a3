"""The monthly report composed: every section's figures for a period and a scope, read in one transaction."""

import contextlib
import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Classification
from subsidies.models import Enrolment, Programme
from subsidies.months import add_months

from .bureau import bureau_paragraph
from .classifications import BASIC_LIVING_KINDS, KindRow, kind_flows, kind_rows
from .counting import Flow, Reason, reasons_of
from .money import Disbursed, MonthMoney, add_up, chart_months, disbursed, money_rows, unpaid_runs
from .period import Period, Scope
from .programmes import ProgrammeGroup, ProgrammeRow, programme_flows, programme_groups, programme_rows
from .summary import summary_paragraphs
from .townships import TownshipRow, township_rows

CHART_MONTHS = 12


@dataclass
class Report:
    period: Period
    scope: Scope
    computed_at: datetime.datetime
    kinds: list[KindRow]
    kinds_total: Flow
    kind_reasons: list[Reason]
    programmes: list[ProgrammeRow]
    programmes_total: ProgrammeRow
    programme_reasons: list[Reason]
    townships: list[TownshipRow]
    townships_total: TownshipRow
    months: list[MonthMoney]
    sections: list = field(default_factory=list)  # visits, agreements, adoption... (reports.sections)
    disbursed: Disbursed | None = None  # 应发 and 实发 of the period

    @property
    def as_of(self) -> datetime.date:
        """The day the figures are as of: the period's last day, or the day computed when that is earlier."""
        return as_of(self.period, self.computed_at)

    @property
    def unfinished(self) -> bool:
        """The period has not ended yet: its figures are as of today, not as of its last day."""
        return self.as_of < self.period.last_day

    @property
    def unpaid_months(self) -> list[MonthMoney]:
        """Months of the period without an approved batch: their money is not in the report."""
        return [m for m in self.months if self.period.first <= m.month <= self.period.last and not m.paid]

    @property
    def unpaid_spans(self) -> list[str]:
        return unpaid_runs(self.unpaid_months)

    @property
    def classified_children(self) -> int:
        return self.kinds_total.once

    @property
    def programme_groups(self) -> tuple[ProgrammeGroup, ProgrammeGroup, ProgrammeGroup]:
        """困境儿童分类保障, 机构集中供养儿童 and other programmes, each with its subtotal (reports.glossary)."""
        return programme_groups(self.programmes)

    @property
    def classified_protection(self) -> ProgrammeGroup:
        return self.programme_groups[0]

    @property
    def protected_children(self) -> int:
        """困境儿童分类保障: the sum of the seven programme lines at the end of the period."""
        return self.classified_protection.total.flow.end

    @property
    def protected_distinct_children(self) -> int:
        """The children behind `protected_children`, each counted once (fewer when a child holds two)."""
        return self.classified_protection.total.flow.once

    @property
    def institutional_children(self) -> int:
        """机构集中供养儿童 at the end of the period."""
        return self.programme_groups[1].total.flow.end

    @property
    def basic_living_flow(self) -> Flow:
        flow = Flow()
        for row in self.kinds:
            if row.kind in BASIC_LIVING_KINDS:
                flow.add(row.flow)
        return flow

    def bureau_paragraph(self) -> str:
        """The paragraph the bureau publishes (DOMAIN.md 0), every number a population of reports.glossary."""
        return bureau_paragraph(self)

    def summary(self) -> list[str]:
        """The report's opening paragraphs, in the words of the bureau's own summary (DOMAIN.md 0)."""
        return summary_paragraphs(self)


def as_of(period: Period, at: datetime.datetime) -> datetime.date:
    return min(period.last_day, timezone.localdate(at))


@contextlib.contextmanager
def _one_read():
    """The report's queries in one transaction; on PostgreSQL without JIT compilation.

    The grouped counts are estimated as costly enough for PostgreSQL's JIT, whose compiling then takes
    several times longer than the query itself (5 s of 6 at a million children); the queries are
    short, so they run interpreted. The per-child groupings sort a few hundred thousand rows: in memory.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")  # group a province's children in memory, not on disk
        yield


def compute_report(period: Period, scope: Scope | None = None, *, sections=None) -> Report:
    """Every figure of the report for a period and a scope. `sections`: extra section builders (reports.sections)."""
    with _one_read():
        return _compute_report(period, scope, sections=sections)


def _compute_report(period: Period, scope: Scope | None, *, sections) -> Report:
    scope = scope or Scope(label=_("全市"))
    computed_at = timezone.now()
    programmes = list(Programme.objects.order_by("display_order", "id"))
    townships = list(scope.townships())
    chart_from = add_months(period.last, -(CHART_MONTHS - 1)) if len(period.months) <= CHART_MONTHS else period.first

    by_kind = kind_flows(period, scope, as_of(period, computed_at))
    by_programme = programme_flows(period, scope, programmes)
    money = add_up(period, money_rows(period, scope, chart_from), chart_from)

    kinds, kinds_total = kind_rows(by_kind)
    rows, total = programme_rows(programmes, by_programme, money)
    township_list, township_total = township_rows(townships, by_kind, by_programme, money)
    report = Report(
        period=period,
        scope=scope,
        computed_at=computed_at,
        kinds=kinds,
        kinds_total=kinds_total,
        kind_reasons=reasons_of(Classification.EndReason.choices, set(kinds_total.removed_by)),
        programmes=rows,
        programmes_total=total,
        programme_reasons=reasons_of(Enrolment.EndReason.choices, set(total.flow.removed_by)),
        townships=township_list,
        townships_total=township_total,
        months=chart_months(period, scope, chart_from, money),
        disbursed=disbursed(period, scope, total.period),
    )
    for build in sections or ():
        section = build(report)
        if section is not None:
            report.sections.append(section)
    return report
