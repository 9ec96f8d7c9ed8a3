# ruff: noqa: S608 - table names come from the models' Meta; every value is a query parameter.
"""When each child is next due a visit, and the nightly due/overdue figures.

Row by row when a visit is recorded (`refresh_child`), set-based every night (`run_nightly`):
a handful of INSERT ... SELECT / UPDATE ... FROM statements over the schedule table, so the cost
grows with the rows that changed and one pass over indexed columns, never with a Python loop over
children. Every step writes the same result when run twice (idempotent).
"""

import dataclasses
import datetime
import time

from django.db import connection, transaction
from django.utils import timezone

from children.models import Child
from dingzhou_welfare.models import Role, StaffProfile

from .models import IntervalTier, RiskLevel, Visit, VisitInterval, VisitSchedule, VisitWorkload

DUE_SOON_DAYS = 14  # the work list's "due soon": within two weeks
DEFAULT_DAYS = {IntervalTier.HIGH: 30, IntervalTier.MEDIUM: 90, IntervalTier.LOW: 180, IntervalTier.FIRST: 30}


def intervals() -> dict[str, int]:
    days = dict(DEFAULT_DAYS)
    days.update(VisitInterval.objects.values_list("tier", "days"))
    return days


def tier_of(*, risk_level: str, patrol: bool, visited: bool) -> str:
    if patrol or risk_level == RiskLevel.HIGH:
        return IntervalTier.HIGH
    if not visited or not risk_level:
        return IntervalTier.FIRST
    return risk_level


def latest_due(*, base: datetime.date, tier: str, days: dict[str, int] | None = None) -> datetime.date:
    """The latest date the next visit may be: the base date plus the tier's interval."""
    return base + datetime.timedelta(days=(days or intervals())[tier])


def due_on(schedule: VisitSchedule, days: dict[str, int] | None = None) -> datetime.date:
    """The schedule's due date: the visitor's planned date, but never later than the tier's interval allows."""
    tier = tier_of(risk_level=schedule.risk_level, patrol=schedule.patrol, visited=schedule.last_visited_on is not None)
    limit = latest_due(base=schedule.last_visited_on or schedule.registered_on, tier=tier, days=days)
    return min(schedule.planned_on, limit) if schedule.planned_on else limit


def refresh_child(child: Child, *, today: datetime.date | None = None) -> VisitSchedule | None:
    """Bring one child's schedule up to date with its latest visit (call inside the writing transaction).

    Patrol flags are set by the services, not here. Returns None for a child no longer on the registry.
    """
    today = today or timezone.localdate()
    if child.status != Child.Status.ACTIVE:
        VisitSchedule.objects.filter(child=child).delete()
        return None
    schedule = VisitSchedule.objects.select_for_update().filter(child=child).first()
    if schedule is None:
        schedule = VisitSchedule(child=child, registered_on=today)
    schedule.township_id, schedule.village_id = child.township_id, child.village_id
    latest = Visit.objects.filter(child=child).order_by("-visited_on", "-id").first()
    schedule.last_visit = latest
    schedule.last_visited_on = latest.visited_on if latest else None
    schedule.planned_on = latest.next_visit_due if latest else None
    schedule.risk_level = latest.risk_level if latest else ""
    schedule.due_on = due_on(schedule)
    schedule.save()
    return schedule


@dataclasses.dataclass
class NightlyResult:
    removed: int = 0
    added: int = 0
    moved: int = 0
    redated: int = 0
    workload_rows: int = 0
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)  # per step, for the benchmark

    def lap(self, step: str, since: float) -> float:
        now = time.perf_counter()
        self.seconds[step] = round(now - since, 3)
        return now


def _add_days(column: str, days: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + {days})"
    return f"date({column}, '+' || {days} || ' days')"


def _tables() -> dict[str, str]:
    profile = StaffProfile._meta
    return {
        "child": Child._meta.db_table,
        "schedule": VisitSchedule._meta.db_table,
        "visit": Visit._meta.db_table,
        "interval": VisitInterval._meta.db_table,
        "workload": VisitWorkload._meta.db_table,
        "profile": profile.db_table,
        "profile_villages": profile.get_field("villages").remote_field.through._meta.db_table,
        "profile_townships": profile.get_field("townships").remote_field.through._meta.db_table,
        "user": profile.get_field("user").related_model._meta.db_table,
    }


def _tier_sql(alias: str) -> str:
    """The interval tier of a schedule row, in SQL (the same rule as tier_of)."""
    return (
        f"CASE WHEN {alias}.patrol OR {alias}.risk_level = 'high' THEN 'high' "
        f"WHEN {alias}.last_visited_on IS NULL OR {alias}.risk_level = '' THEN 'first' "
        f"ELSE {alias}.risk_level END"
    )


def _ensure_intervals() -> None:
    for tier, days in DEFAULT_DAYS.items():
        VisitInterval.objects.get_or_create(tier=tier, defaults={"days": days})


def refresh_schedules(*, today: datetime.date) -> NightlyResult:
    """Set-based: drop closed children, add new ones (from their latest visit, if any), follow moves
    between townships and villages, and re-date every row whose due date the rules now put elsewhere."""
    _ensure_intervals()
    t = _tables()
    result = NightlyResult()
    lap = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {t['schedule']} WHERE child_id IN (SELECT id FROM {t['child']} WHERE status <> %s)",
            [Child.Status.ACTIVE],
        )
        result.removed = cursor.rowcount
        lap = result.lap("removed", lap)
        # New rows: the latest visit of each child without a schedule (none for most new children),
        # dated in the same statement by the same rule as due_on().
        limit = _add_days("COALESCE(v.visited_on, %(today)s)", "i.days")
        cursor.execute(
            f"""
            INSERT INTO {t["schedule"]} (child_id, township_id, village_id, risk_level, patrol, patrol_source,
                patrol_reason, patrol_since, last_visit_id, last_visited_on, planned_on, registered_on, due_on,
                updated_at)
            SELECT c.id, c.township_id, c.village_id, COALESCE(v.risk_level, ''),
                   COALESCE(v.risk_level = 'high', %(false)s),
                   CASE WHEN v.risk_level = 'high' THEN 'auto' ELSE '' END,
                   '', CASE WHEN v.risk_level = 'high' THEN v.visited_on END,
                   v.id, v.visited_on, v.next_visit_due, %(today)s,
                   CASE WHEN v.next_visit_due IS NOT NULL AND v.next_visit_due < {limit}
                        THEN v.next_visit_due ELSE {limit} END,
                   %(now)s
            FROM {t["child"]} c
            LEFT JOIN (
                SELECT id, child_id, visited_on, next_visit_due, risk_level,
                       ROW_NUMBER() OVER (PARTITION BY child_id ORDER BY visited_on DESC, id DESC) AS n
                FROM {t["visit"]}
                WHERE child_id IN (
                    SELECT c2.id FROM {t["child"]} c2
                    WHERE c2.status = %(active)s
                      AND NOT EXISTS (SELECT 1 FROM {t["schedule"]} s2 WHERE s2.child_id = c2.id))
            ) v ON v.child_id = c.id AND v.n = 1
            JOIN {t["interval"]} i ON i.tier = CASE WHEN v.risk_level = 'high' THEN 'high'
                                                    WHEN v.id IS NULL THEN 'first' ELSE v.risk_level END
            WHERE c.status = %(active)s AND NOT EXISTS (SELECT 1 FROM {t["schedule"]} s WHERE s.child_id = c.id)
            """,
            {"false": False, "today": today, "now": timezone.now(), "active": Child.Status.ACTIVE},
        )
        result.added = cursor.rowcount
        lap = result.lap("added", lap)
        cursor.execute(
            f"""
            UPDATE {t["schedule"]} SET township_id = c.township_id, village_id = c.village_id
            FROM {t["child"]} c
            WHERE c.id = {t["schedule"]}.child_id
              AND (c.township_id <> {t["schedule"]}.township_id
                   OR c.village_id IS DISTINCT FROM {t["schedule"]}.village_id)
            """.replace("IS DISTINCT FROM", "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT")
        )
        result.moved = cursor.rowcount
        lap = result.lap("moved", lap)
        # Re-date in place: the interval joined by each row's tier; only rows whose date moves are written.
        limit = _add_days("COALESCE(s.last_visited_on, s.registered_on)", "i.days")
        new_due = f"CASE WHEN s.planned_on IS NOT NULL AND s.planned_on < {limit} THEN s.planned_on ELSE {limit} END"
        cursor.execute(
            f"""
            UPDATE {t["schedule"]} AS s SET due_on = {new_due}
            FROM {t["interval"]} i
            WHERE i.tier = {_tier_sql("s")} AND s.due_on <> {new_due}
            """
        )
        result.redated = cursor.rowcount
        lap = result.lap("redated", lap)
    return result


def compute_workload(*, today: datetime.date) -> int:
    """Replace the day's figures: one row per township, one per caseworker (their villages, or their
    whole township when they have no villages assigned)."""
    t = _tables()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    counts = """
        COUNT(*),
        SUM(CASE WHEN s.due_on >= %(today)s AND s.due_on <= %(soon)s THEN 1 ELSE 0 END),
        SUM(CASE WHEN s.due_on < %(today)s THEN 1 ELSE 0 END),
        SUM(CASE WHEN s.last_visited_on IS NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN s.patrol THEN 1 ELSE 0 END),
        SUM(CASE WHEN s.patrol AND s.due_on < %(today)s THEN 1 ELSE 0 END)
    """
    columns = "(day, township_id, caseworker_id, children, due_soon, overdue, never_visited, patrol, " + (
        "patrol_overdue, computed_at)"
    )
    params = {"today": today, "soon": soon, "now": timezone.now(), "caseworker": Role.CASEWORKER, "true": True}
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {t['workload']} WHERE day = %(today)s", params)
        cursor.execute(
            f"""INSERT INTO {t["workload"]} {columns}
            SELECT %(today)s, s.township_id, NULL, {counts}, %(now)s
            FROM {t["schedule"]} s GROUP BY s.township_id""",
            params,
        )
        rows = cursor.rowcount
        # Caseworkers with villages: their villages' children, counted under each village's township.
        cursor.execute(
            f"""INSERT INTO {t["workload"]} {columns}
            SELECT %(today)s, s.township_id, p.user_id, {counts}, %(now)s
            FROM {t["profile"]} p
            JOIN {t["user"]} u ON u.id = p.user_id AND u.is_active = %(true)s
            JOIN {t["profile_villages"]} pv ON pv.staffprofile_id = p.id
            JOIN {t["schedule"]} s ON s.village_id = pv.village_id
            WHERE p.role = %(caseworker)s
            GROUP BY s.township_id, p.user_id""",
            params,
        )
        rows += cursor.rowcount
        cursor.execute(
            f"""INSERT INTO {t["workload"]} {columns}
            SELECT %(today)s, s.township_id, p.user_id, {counts}, %(now)s
            FROM {t["profile"]} p
            JOIN {t["user"]} u ON u.id = p.user_id AND u.is_active = %(true)s
            JOIN {t["profile_townships"]} pt ON pt.staffprofile_id = p.id
            JOIN {t["schedule"]} s ON s.township_id = pt.township_id
            WHERE p.role = %(caseworker)s
              AND NOT EXISTS (SELECT 1 FROM {t["profile_villages"]} pv WHERE pv.staffprofile_id = p.id)
            GROUP BY s.township_id, p.user_id""",
            params,
        )
        rows += cursor.rowcount
    return rows


@transaction.atomic
def run_nightly(*, today: datetime.date | None = None) -> NightlyResult:
    """The nightly job: schedules, then the day's figures, in one transaction (readers see before or after)."""
    today = today or timezone.localdate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # one run at a time; a second waits and then finds little to do
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('visits.run_nightly'))")
            cursor.execute("SET LOCAL work_mem = '64MB'")  # the first build sorts the latest visit of each child
    result = refresh_schedules(today=today)
    began = time.perf_counter()
    result.workload_rows = compute_workload(today=today)
    result.lap("workload", began)
    return result
