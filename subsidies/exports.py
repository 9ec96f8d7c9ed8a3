"""Roster (发放花名册) and names-free township summary exports (DESIGN.md sections 3 and 7, STYLE.md 9).

Exports are generators of rows fed to a streaming writer, so memory stays flat however many
lines a batch has:

- `roster_rows` / `summary_rows` yield `(kind, cells)`: title, note, header, line, subtotal,
  total, blank, signature. Line cells come from `LineResource.row_exporter()` over a `values()`
  queryset read with `.iterator()`, so no model instance and no tablib dataset is built.
- `dingzhou_welfare.spreadsheets.write_xlsx` writes them with xlsxwriter in constant_memory
  mode, `write_csv` with csv.writer (UTF-8 with BOM, so Excel opens the Chinese text correctly).
- `write_export` is the one function both the page (small batches, in the request) and the
  task (`export_job_task`, big batches) call; `record_export` writes the audit entry.

Money stays Decimal: cells are written as numbers with two decimals, and subtotals are summed
in Decimal, so they equal the sum of the lines to the fen.
"""

import datetime
import itertools
import logging
from collections.abc import Callable, Iterator
from decimal import Decimal

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from children.models import Township
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.jobs import services as jobs
from dingzhou_welfare.models import AuditEntry
from dingzhou_welfare.spreadsheets import Merge, Row, Sheet, neutralise, write_csv, write_xlsx

from .models import Batch, ExportJob, Line, Programme
from .problems import SEVERITY, SEVERITY_LABELS, problem_counts, problem_rows
from .resources import LineResource
from .total_models import BatchTotal

logger = logging.getLogger(__name__)

ROSTER, SUMMARY = ExportJob.Kind.ROSTER, ExportJob.Kind.SUMMARY
XLSX, CSV = ExportJob.Format.XLSX, ExportJob.Format.CSV
ZERO = Decimal("0.00")

CHUNK_SIZE = 2000  # rows fetched per round trip (a server-side cursor on PostgreSQL)
PROGRESS_EVERY = 5000  # lines between two progress updates of a job
INLINE_MAX_LINES = 5000  # up to this many lines the page exports in the request; above, a task does

# The roster's order: township, village, child, then the child's lines.
ROSTER_ORDER = (
    "township__code",
    "township_id",
    "village_name",
    "child__name",
    "child_id",
    "programme__display_order",
    "programme_id",
    "period",
    "kind",
    "id",
)


def month_label(month: datetime.date) -> str:
    return _("%(y)d年%(m)d月") % {"y": month.year, "m": month.month}


def day_label(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def masking_label(masked: bool) -> str:
    if masked:
        return _("身份证号、银行账号已脱敏")
    return _("含完整身份证号、银行账号，仅限内部使用，请妥善保管，不得外传")


# ---------------------------------------------------------------------------------------------
# Rows


def roster_rows(
    batch: Batch,
    *,
    masked: bool = True,
    actor=None,
    progress: Callable[[int], None] | None = None,
    today: datetime.date | None = None,
) -> Iterator[Row]:
    """The roster: title, header, one row per line with a subtotal after each township, total, signatures."""
    resource = LineResource(masked=masked)
    export_row = resource.row_exporter()
    names = ["seq", *resource.field_names()]
    width = len(names)
    at = {name: i for i, name in enumerate(names)}
    today = today or timezone.localdate()

    title = _("%(bureau)s%(month)s儿童福利资金发放花名册") % {
        "bureau": settings.BUREAU_NAME,
        "month": month_label(batch.month),
    }
    yield "title", [Merge(title, width)]
    note = _("批次编号：%(number)s　状态：%(status)s　单位：元　%(masking)s") % {
        "number": batch.number,
        "status": batch.get_status_display(),
        "masking": masking_label(masked),
    }
    if actor is not None:
        note += _("　导出人：%(who)s") % {"who": actor.get_full_name() or actor.get_username()}
    yield "note", [Merge(note, width)]
    yield "header", [_("序号"), *resource.get_export_headers()]

    def summed(label: str, children: int, lines: int, amount: Decimal) -> list:
        """A subtotal or total row: the label over township and village, the counts over name and ID."""
        cells: list = [""] * width
        cells[at["amount"]] = amount
        cells[at["township"]] = Merge(label, 2)
        cells[at["child_name"]] = Merge(_("%(c)d人，%(n)d条") % {"c": children, "n": lines}, 2)
        skip = {at["township"] + 1, at["child_name"] + 1}
        return [cell for i, cell in enumerate(cells) if i not in skip]

    rows = (
        Line.objects.filter(batch_id=batch.pk)
        .order_by(*ROSTER_ORDER)
        .values(*resource.attributes(), "township_id", "child_id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    seq = 0
    total, total_children = ZERO, 0
    township_id = township_name = child_id = None
    sub, sub_lines, sub_children = ZERO, 0, 0
    for row in rows:
        if row["township_id"] != township_id:
            if township_id is not None:
                yield "subtotal", summed(_("%(t)s 小计") % {"t": township_name}, sub_children, sub_lines, sub)
            township_id, township_name = row["township_id"], neutralise(row["township__name"])
            sub, sub_lines, sub_children = ZERO, 0, 0
        if row["child_id"] != child_id:
            child_id = row["child_id"]
            sub_children += 1
            total_children += 1
        seq += 1
        sub_lines += 1
        amount = row["amount"]
        sub += amount
        total += amount
        yield "line", [seq, *export_row(row)]
        if progress is not None and seq % PROGRESS_EVERY == 0:
            progress(seq)
    if township_id is not None:
        yield "subtotal", summed(_("%(t)s 小计") % {"t": township_name}, sub_children, sub_lines, sub)
    yield "total", summed(_("合计"), total_children, seq, total)
    yield "blank", []
    yield "signature", _signature(roster_widths(), today)
    if progress is not None:
        progress(seq)


def _signature(widths: list[int], today: datetime.date) -> list:
    """经办人 / 审核人 / 审批 (签章) and 制表日期, spread evenly over the printed width."""
    labels = [
        _("经办人（签章）："),
        _("审核人（签章）："),
        _("审批（签章）："),
        _("制表日期：%(d)s") % {"d": day_label(today)},
    ]
    starts = list(itertools.accumulate(widths, initial=0))[:-1]
    cells: list = [""] * len(widths)
    for i, label in enumerate(labels):
        target = starts[1] + i * (starts[-1] - starts[1]) / len(labels)
        column = min(range(1, len(widths)), key=lambda c: abs(starts[c] - target))
        cells[column] = label
    return cells


def summary_rows(batch: Batch, *, today: datetime.date | None = None) -> Iterator[Row]:
    """Per township: children and amounts per programme and in all. No names, no ID numbers."""
    today = today or timezone.localdate()
    # Read from the totals kept with the batch (BatchTotal), never from its lines: a few hundred rows.
    stored = list(BatchTotal.objects.filter(batch_id=batch.pk))
    programmes = list(
        Programme.objects.filter(pk__in={t.programme_id for t in stored if t.programme_id}).order_by(
            "display_order", "id"
        )
    )
    township_ids = {t.township_id for t in stored}
    townships = Township.objects.filter(Q(pk__in=township_ids) | Q(pk__in=batch.townships.values("township_id")))
    cell = {(t.township_id, t.programme_id): (t.children, t.total) for t in stored if t.programme_id}
    by_township = {t.township_id: (t.children, t.total) for t in stored if t.programme_id is None}
    by_programme: dict[int, list] = {}
    for t in stored:
        if t.programme_id:
            # A child's lines are in one township: a programme's children are the townships' sums.
            figures = by_programme.setdefault(t.programme_id, [0, ZERO])
            figures[0], figures[1] = figures[0] + t.children, figures[1] + t.total
    overall = {
        "n": sum(n for n, _total in by_township.values()),
        "total": sum((total for _n, total in by_township.values()), ZERO),
    }
    width = 1 + 2 * (len(programmes) + 1)

    title = _("%(bureau)s%(month)s儿童福利资金发放汇总表（按乡镇）") % {
        "bureau": settings.BUREAU_NAME,
        "month": month_label(batch.month),
    }
    yield "title", [Merge(title, width)]
    yield (
        "note",
        [
            Merge(
                _("批次编号：%(number)s　状态：%(status)s　单位：人、元　不含儿童姓名和身份证号，可用于公示")
                % {"number": batch.number, "status": batch.get_status_display()},
                width,
            )
        ],
    )
    yield "header", [_("乡镇（街道）"), *(Merge(neutralise(p.name), 2) for p in programmes), Merge(_("合计"), 2)]
    yield "header", ["", *([_("人数"), _("金额（元）")] * (len(programmes) + 1))]
    for township in townships.order_by("code"):
        cells: list = [neutralise(township.name)]
        for programme in programmes:
            n, total = cell.get((township.pk, programme.pk), (0, ZERO))
            cells += [n, total]
        n, total = by_township.get(township.pk, (0, ZERO))
        yield "line", [*cells, n, total]
    cells = [_("合计")]
    for programme in programmes:
        cells += list(by_programme.get(programme.pk, (0, ZERO)))
    yield "total", [*cells, overall["n"] or 0, overall["total"] or ZERO]
    yield "blank", []
    yield (
        "signature",
        [_("制表单位：%(b)s") % {"b": settings.BUREAU_NAME}, *[""] * 2, _("制表日期：%(d)s") % {"d": day_label(today)}],
    )


def problem_sheet_rows(batch: Batch) -> Iterator[Row]:
    """The batch's problem list as kept when it was computed: counts by kind, waivers, then the children."""
    width = len(PROBLEM_WIDTHS)
    yield "title", [Merge(_("%(m)s发放批次问题清单") % {"m": month_label(batch.month)}, width)]
    yield "note", [Merge(_("批次编号：%(number)s　计算时间：%(at)s") % {
        "number": batch.number,
        "at": timezone.localtime(batch.computed_at).strftime("%Y-%m-%d %H:%M") if batch.computed_at else "—",
    }, width)]  # fmt: skip
    yield "header", [_("问题类型"), _("处理要求"), _("儿童数"), Merge(_("豁免"), 3)]
    for entry in problem_counts(batch):
        waiver = entry["waiver"]
        waived = (
            _("%(who)s %(at)s：%(r)s")
            % {
                "who": waiver.waived_by.get_full_name() or waiver.waived_by.get_username(),
                "at": timezone.localtime(waiver.waived_at).strftime("%Y-%m-%d %H:%M"),
                "r": neutralise(waiver.reason),
            }
            if waiver
            else "—"
        )
        yield "line", [str(entry["label"]), str(entry["severity_label"]), entry["count"], Merge(waived, 3)]
    yield "blank", []
    yield "header", [_("序号"), _("问题类型"), _("处理要求"), _("乡镇"), _("儿童姓名"), _("说明")]
    for seq, problem in enumerate(problem_rows(batch).iterator(chunk_size=CHUNK_SIZE), start=1):
        yield (
            "line",
            [
                seq,
                problem.get_kind_display(),
                str(SEVERITY_LABELS[SEVERITY[problem.kind]]),
                problem.township.name,
                neutralise(problem.child.name),
                neutralise(problem.detail),
            ],
        )


PROBLEM_WIDTHS = [6, 26, 22, 12, 12, 50]


def summary_widths(batch: Batch) -> list[int]:
    programmes = BatchTotal.objects.filter(batch_id=batch.pk, programme__isnull=False).values("programme_id")
    programmes = programmes.distinct().count()
    return [14, *[8, 13] * (programmes + 1)]


def roster_widths() -> list[int]:
    resource = LineResource()
    return [6, *(resource.WIDTHS[name] for name in resource.field_names())]


def write_export(
    *,
    batch: Batch,
    kind: str,
    fmt: str,
    out,
    masked: bool = True,
    actor=None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write one export of a batch to `out` (a path or a binary file); returns the number of data rows.

    The one function behind both the direct download and the export task.
    """
    if kind == ROSTER:
        rows = roster_rows(batch, masked=masked, actor=actor, progress=progress)
        widths, sheet = roster_widths(), _("发放花名册")
    else:
        rows = summary_rows(batch)
        widths, sheet = summary_widths(batch), _("乡镇汇总")
    if fmt == XLSX:
        # The roster workbook carries the problem list on a second sheet, as the approver saw it.
        more = [Sheet(_("问题清单"), problem_sheet_rows(batch), PROBLEM_WIDTHS)] if kind == ROSTER else []
        return write_xlsx(rows, out, widths=widths, sheet_name=sheet, portrait=sum(widths) <= 100, more_sheets=more)
    return write_csv(rows, out)


def download_name(batch: Batch, kind: str, fmt: str, masked: bool) -> str:
    if kind == SUMMARY:
        return _("%(m)s发放汇总表（按乡镇）.%(f)s") % {"m": f"{batch.month:%Y-%m}", "f": fmt}
    return _("%(m)s发放花名册（%(how)s）.%(f)s") % {
        "m": f"{batch.month:%Y-%m}",
        "how": _("脱敏") if masked else _("完整号码"),
        "f": fmt,
    }


@transaction.atomic
def record_export(*, actor, batch: Batch, kind: str, fmt: str, masked: bool, rows: int, job=None) -> AuditEntry:
    """The audit entry of an export: EXPORT for the roster (personal data), DOWNLOAD for the summary.

    A full-number roster of an approved batch also marks the batch exported (`mark_exported`).
    """
    personal = kind == ROSTER
    if personal:
        summary = _("导出%(m)s发放花名册（%(f)s，%(how)s，%(n)d条）") % {
            "m": f"{batch.month:%Y-%m}",
            "f": fmt,
            "how": _("已脱敏") if masked else _("未脱敏，含完整身份证号和银行账号"),
            "n": rows,
        }
    else:
        summary = _("导出%(m)s发放汇总表（%(f)s，不含个人信息，%(n)d个乡镇）") % {
            "m": f"{batch.month:%Y-%m}",
            "f": fmt,
            "n": rows,
        }
    changes = {
        "batch": batch.number,
        "batch_id": batch.pk,
        "kind": kind,
        "format": fmt,
        "masked": masked if personal else True,
        "rows": rows,
    }
    if job is not None:
        changes["job"] = job.pk
    entry = log_action(
        actor=actor,
        action=AuditEntry.Action.EXPORT if personal else AuditEntry.Action.DOWNLOAD,
        obj=batch,
        summary=summary,
        changes=changes,
    )
    if personal and not masked:
        mark_exported(actor=actor, batch=batch)
    return entry


def mark_exported(*, actor, batch: Batch) -> bool:
    """The first full-number roster of an approved batch is the one that goes to the bank: 已导出发放.

    A draft batch's roster is a preview and changes nothing; a second export of an exported batch
    leaves it as it is. Returns whether the batch changed.
    """
    changed = Batch.objects.filter(pk=batch.pk, status=Batch.Status.APPROVED).update(status=Batch.Status.EXPORTED)
    if changed:
        batch.status = Batch.Status.EXPORTED
        log_action(
            actor=actor,
            action=AuditEntry.Action.DECISION,
            obj=batch,
            summary=_("%(m)s发放批次已导出完整花名册交银行发放") % {"m": f"{batch.month:%Y-%m}"},
            changes={"status": [str(Batch.Status.APPROVED.label), str(Batch.Status.EXPORTED.label)]},
        )
    return bool(changed)


# ---------------------------------------------------------------------------------------------
# Export jobs: a page starts one, a task runs it, the page shows its state, the file stays.


def jobs_visible_to(user):
    """Bureau staff see every export job; anyone else (the leader) only their own."""
    from dingzhou_welfare.access import role_of
    from dingzhou_welfare.models import Role

    visible = ExportJob.objects.select_related("batch", "requested_by")
    return visible if role_of(user) == Role.STAFF else visible.filter(requested_by=user)


def start_export_job(*, batch: Batch, actor, fmt: str, masked: bool = True, kind: str = ROSTER) -> ExportJob:
    job = ExportJob.objects.create(
        batch=batch,
        kind=kind,
        format=fmt,
        masked=masked,
        requested_by=actor,
        language=translation.get_language() or "",
        total=batch.lines.count(),
    )
    export_job_task.delay_on_commit(job.pk)
    return job


def restart_export_job(*, job: ExportJob) -> bool:
    """Queue a failed or stuck job again. The claim in `run_export_job` keeps a rerun harmless."""
    return jobs.restart(job, task=export_job_task)


def _job_path(job: ExportJob) -> str:
    return f"exports/{job.batch.month:%Y%m}-{job.kind}-{job.pk}.{job.format}"


def run_export_job(*, job_id: int) -> str | None:
    """Claim the job, write its file under MEDIA_ROOT/exports/, record progress, audit; the file name out.

    The claim is a conditional UPDATE: a job already running (and not stale) or done is left
    alone, so a duplicate delivery or a rerun does nothing. The file is written beside its
    final name and renamed when complete, so a killed worker never leaves a half file to download.
    """
    if not jobs.claim(ExportJob, job_id=job_id, started_at=timezone.now(), error=""):
        return None
    job = ExportJob.objects.select_related("batch", "requested_by").get(pk=job_id)
    name = _job_path(job)

    def progress(done: int) -> None:
        jobs.record_progress(ExportJob, job_id=job_id, done=done)

    try:
        with jobs.job_file(name) as partial, translation.override(job.language or settings.LANGUAGE_CODE):
            rows = write_export(
                batch=job.batch,
                kind=job.kind,
                fmt=job.format,
                masked=job.masked,
                actor=job.requested_by,
                out=str(partial),
                progress=progress,
            )
    except Exception as error:  # recorded on the job for the page; the worker log has the traceback
        logger.exception("export job %s failed", job_id)
        jobs.fail(ExportJob, job_id=job_id, error=jobs.error_text(error))
        return None
    with transaction.atomic():
        jobs.finish(ExportJob, job_id=job_id, file=name, row_count=rows, progress=rows)
        with translation.override(job.language or settings.LANGUAGE_CODE):
            record_export(
                actor=job.requested_by,
                batch=job.batch,
                kind=job.kind,
                fmt=job.format,
                masked=job.masked,
                rows=rows,
                job=job,
            )
    return name


def purge_old_exports(*, now: datetime.datetime | None = None) -> int:
    """Delete export files older than KEEP_FILES_FOR (they hold personal data); the job rows stay."""
    return jobs.purge_old_files(ExportJob, now=now)


@shared_task(acks_late=True, time_limit=4 * 3600)
def export_job_task(job_id: int) -> str | None:
    return run_export_job(job_id=job_id)


@shared_task
def purge_old_exports_task() -> int:
    return purge_old_exports()
