"""The children list, as filtered, as an Excel workbook: scoped, masked by role, audited.

Up to INLINE_MAX children are written in the request (xlsxwriter in constant_memory mode, one row at
a time, read from the database in chunks) and streamed back as a file; more go to a job
(dingzhou_welfare/jobs) whose page shows the progress and keeps the file for download.
The list's own search and filters (children.filters) pick the rows, for the requester's scope.
"""

import logging
from collections.abc import Callable, Iterator
from types import SimpleNamespace

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dingzhou_welfare.access import role_of, scope_ids
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.idnumbers import mask_id_number
from dingzhou_welfare.jobs import services as jobs
from dingzhou_welfare.models import COUNTY_WIDE_ROLES, AuditEntry
from dingzhou_welfare.spreadsheets import Merge, write_xlsx

from .filters import ChildFilter
from .listing import OpenKindCodes, children_for
from .models import Child, ChildExportJob, ClassificationKind, Sex, age_on

logger = logging.getLogger(__name__)

INLINE_MAX = 10_000  # above this many children, a job writes the file
CHUNK = 2_000
FIELDS = [
    "pk",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "status",
    "likely_duplicate",
    "township__name",
    "village__name",
]
HEADERS = [
    "序号",
    "姓名",
    "性别",
    "出生日期",
    "年龄",
    "身份证号",
    "乡镇（街道）",
    "村（社区）",
    "儿童类别",
    "状态",
    "疑似重复",
]
WIDTHS = [7, 12, 6, 12, 6, 22, 16, 16, 28, 8, 9]


def filtered(user, query: dict):
    """The children the list shows the user for `query` (its GET parameters), in the list's order."""
    return ChildFilter(query or None, queryset=children_for(user), request=SimpleNamespace(user=user)).qs


def export_rows(children, *, masked: bool, progress: Callable[[int], None] | None = None) -> Iterator:
    """Tagged rows (dingzhou_welfare.spreadsheets) of the children, read in chunks of CHUNK."""
    today = timezone.localdate()
    sexes = {value: str(label) for value, label in Sex.choices}
    statuses = {value: str(label) for value, label in Child.Status.choices}
    kinds = {value: str(label) for value, label in ClassificationKind.choices}
    yes, no = _("是"), _("否")
    yield "title", [Merge(_("儿童信息名单"), len(HEADERS))]
    how = _("身份证号已脱敏") if masked else _("含完整身份证号，注意保密")
    yield (
        "note",
        [
            Merge(
                _("导出时间：%(at)s；%(how)s") % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}", "how": how},
                len(HEADERS),
            )
        ],
    )
    yield "header", [_(h) for h in HEADERS]
    rows = children.annotate(open_kinds=OpenKindCodes()).values(*FIELDS, "open_kinds")
    for n, child in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
        number = child["id_number"]
        codes = sorted(child["open_kinds"].split(",")) if child["open_kinds"] else []
        yield (
            "line",
            [
                n,
                child["name"],
                sexes.get(child["sex"], child["sex"]),
                f"{child['birth_date']:%Y-%m-%d}",
                age_on(child["birth_date"], today),
                (mask_id_number(number) if masked else number) if number else "",
                child["township__name"],
                child["village__name"] or "",
                "、".join(kinds.get(code, code) for code in codes),
                statuses.get(child["status"], child["status"]),
                yes if child["likely_duplicate"] else no,
            ],
        )
        if progress is not None and n % CHUNK == 0:
            progress(n)


def write_children(children, out, *, masked: bool, progress=None) -> int:
    """Write the workbook to `out` (a path or binary file); how many children it holds."""
    return write_xlsx(
        export_rows(children, masked=masked, progress=progress), out, widths=WIDTHS, sheet_name=_("儿童名单")
    )


def may_unmask(user) -> bool:
    """Full ID numbers only for roles that may see them on the case file."""
    from dingzhou_welfare.access import can_reveal

    return can_reveal(user)


def record_export(*, actor, query: dict, masked: bool, rows: int, job=None) -> AuditEntry:
    summary = _("导出儿童名单（Excel，%(how)s，%(n)d名）") % {
        "how": _("已脱敏") if masked else _("未脱敏，含完整身份证号"),
        "n": rows,
    }
    changes = {"query": query, "masked": masked, "rows": rows, "format": "xlsx"}
    if job is not None:
        changes["job"] = job.pk
    return log_action(
        actor=actor, action=AuditEntry.Action.EXPORT, obj=job or "children_list", summary=summary, changes=changes
    )


def scope_townships(user) -> list[int] | None:
    """The townships whose children the user's file may hold (None: the county)."""
    if role_of(user) in COUNTY_WIDE_ROLES:
        return None
    return list(scope_ids(user)[0])


def start_export_job(*, actor, query: dict, masked: bool, total: int) -> ChildExportJob:
    job = ChildExportJob.objects.create(
        query=query,
        townships=scope_townships(actor),
        masked=masked,
        requested_by=actor,
        total=total,
        language=translation.get_language() or "",
    )
    export_children_task.delay_on_commit(job.pk)
    return job


def restart_export_job(*, job: ChildExportJob) -> bool:
    return jobs.restart(job, task=export_children_task)


def jobs_visible_to(user):
    """A user sees the children-list exports they asked for."""
    return ChildExportJob.objects.filter(requested_by=user)


def run_export_job(*, job_id: int) -> str | None:
    """Claim the job, write its file under MEDIA_ROOT/exports/, audit it; the file's name."""
    if not jobs.claim(ChildExportJob, job_id=job_id, error=""):
        return None
    job = ChildExportJob.objects.select_related("requested_by").get(pk=job_id)
    name = f"exports/children-{job.pk}.xlsx"
    try:
        with jobs.job_file(name) as partial, translation.override(job.language or settings.LANGUAGE_CODE):
            rows = write_children(
                filtered(job.requested_by, job.query),
                str(partial),
                masked=job.masked,
                progress=lambda done: jobs.record_progress(ChildExportJob, job_id=job_id, done=done),
            )
    except Exception as error:  # recorded on the job for its page; the worker log has the traceback
        logger.exception("children export job %s failed", job_id)
        jobs.fail(ChildExportJob, job_id=job_id, error=jobs.error_text(error))
        return None
    with transaction.atomic():
        jobs.finish(ChildExportJob, job_id=job_id, file=name, row_count=rows, progress=rows)
        with translation.override(job.language or settings.LANGUAGE_CODE):
            record_export(actor=job.requested_by, query=job.query, masked=job.masked, rows=rows, job=job)
    return name


@shared_task(acks_late=True, time_limit=4 * 3600)
def export_children_task(job_id: int) -> str | None:
    return run_export_job(job_id=job_id)


@shared_task
def purge_old_children_exports_task() -> int:
    return jobs.purge_old_files(ChildExportJob)
