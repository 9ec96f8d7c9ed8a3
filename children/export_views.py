"""The children list's Excel export: the file in the request up to exports.INLINE_MAX children, else a job."""

import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingzhou_welfare.files import file_response
from dingzhou_welfare.jobs import views as job_views
from dingzhou_welfare.queueing import queue_down_page

from . import exports
from .filters import ChildFilterForm

KEPT = set(ChildFilterForm.base_fields)  # the list's parameters a file may be asked for


def _query(request) -> dict:
    """The list's search and filters the export was asked for (the list's query string, sent in `query`)."""
    sent = QueryDict(request.POST.get("query", ""))
    return {name: value for name, value in sent.items() if name in KEPT and value}


def _filename(masked: bool) -> str:
    suffix = "" if masked else _("（未脱敏）")
    return _("儿童名单-%(at)s%(suffix)s.xlsx") % {"at": f"{timezone.localtime():%Y%m%d-%H%M}", "suffix": suffix}


@login_required
@require_POST
def child_export(request):
    query = _query(request)
    masked = not (request.POST.get("full_numbers") and exports.may_unmask(request.user))
    children = exports.filtered(request.user, query)
    count = children.order_by()[: exports.INLINE_MAX + 1].count()
    if count <= exports.INLINE_MAX:
        out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, which deletes it)
        try:
            rows = exports.write_children(children, out, masked=masked)
        except Exception:
            out.close()
            raise
        exports.record_export(actor=request.user, query=query, masked=masked, rows=rows)
        out.seek(0)
        return file_response(out, filename=_filename(masked))
    if down := queue_down_page(request):
        return down
    with transaction.atomic():
        job = exports.start_export_job(actor=request.user, query=query, masked=masked, total=children.count())
    messages.success(
        request, _("名单超过 %(n)s 名，已转为后台导出，完成后可在本页下载。") % {"n": f"{exports.INLINE_MAX:,}"}
    )
    return redirect(job.page_url())


def _job_for(user, pk):
    job = job_views.get_job_for(user, exports.jobs_visible_to(user), pk)
    if not job.masked and not exports.may_unmask(user):
        raise Http404
    return job


@login_required
def export_job(request, pk):
    job = _job_for(request.user, pk)
    return job_views.job_page(request, job, "children/export_job.html", job_query=urlencode(job.query))


@login_required
def export_download(request, pk):
    job = _job_for(request.user, pk)
    name = _filename(job.masked)
    audit = {
        "summary": _("下载儿童名单导出文件：%(name)s") % {"name": name},
        "changes": {"job": job.pk, "masked": job.masked, "rows": job.row_count},
    }
    return job_views.download(request, job, filename=name, audit=audit)


@login_required
@require_POST
def export_retry(request, pk):
    job = _job_for(request.user, pk)
    if down := queue_down_page(request):
        return down
    with transaction.atomic():
        return job_views.retry(
            request,
            job,
            restart=exports.restart_export_job,
            restarted=_("已重新开始导出。"),
            not_restarted=_("该任务仍在进行或已完成，无需重新导出。"),
        )
