"""Roster and summary exports of a batch: the form, the job page, the download.

Bureau staff and the leader only; everyone else gets 404, like anything outside their scope.
Small batches are written in the request; bigger ones go to a task whose page shows its
progress and survives a reload. Both call `exports.write_export`.
"""

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dingzhou_welfare.access import can_reveal, require_role, role_of
from dingzhou_welfare.files import file_response
from dingzhou_welfare.jobs import views as job_views
from dingzhou_welfare.models import Role
from dingzhou_welfare.queueing import queue_down_page

from .. import exports
from ..models import Batch, ExportJob

EXPORT_ROLES = (Role.STAFF, Role.LEADER)


class ExportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("导出内容"), choices=ExportJob.Kind.choices, initial=ExportJob.Kind.ROSTER
    )
    format = forms.ChoiceField(
        label=gettext_lazy("格式"), choices=ExportJob.Format.choices, initial=ExportJob.Format.XLSX
    )
    full_numbers = forms.BooleanField(
        label=gettext_lazy("导出完整身份证号和银行账号（不脱敏，记入审计记录）"), required=False
    )

    def __init__(self, *args, may_reveal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_reveal:
            del self.fields["full_numbers"]

    @property
    def masked(self) -> bool:
        return not self.cleaned_data.get("full_numbers", False)


def _batch(month) -> Batch:
    return get_object_or_404(Batch, month=month)


def _job_for(user, pk) -> ExportJob:
    """The job if the user may see it: the requester, or bureau staff; an unmasked file only for who may reveal."""
    require_role(user, *EXPORT_ROLES)
    job = job_views.get_job_for(user, exports.jobs_visible_to(user), pk)
    if not job.masked and not can_reveal(user):
        raise Http404
    return job


def _page(request, batch, form, status=200):
    return render(
        request,
        "subsidies/export.html",
        {
            "batch": batch,
            "form": form,
            "may_reveal": can_reveal(request.user),
            "role_label": Role(role_of(request.user)).label,
            "ready": batch.status != Batch.Status.COMPUTING,
            "inline_max": exports.INLINE_MAX_LINES,
            "jobs": job_views.jobs_in_scope(
                request.user, exports.jobs_visible_to(request.user).filter(batch=batch), 20
            ),
        },
        status=status,
    )


@login_required
def export_batch(request, month):
    """GET: the choices. POST: a direct download for a small batch or the summary, else a job."""
    require_role(request.user, *EXPORT_ROLES)
    batch = _batch(month)
    may_reveal = can_reveal(request.user)
    if request.method != "POST":
        return _page(request, batch, ExportForm(may_reveal=may_reveal))
    form = ExportForm(request.POST, may_reveal=may_reveal)
    if not form.is_valid():
        return _page(request, batch, form, status=400)
    if batch.status == Batch.Status.COMPUTING:
        form.add_error(None, _("该批次正在计算，计算完成后才能导出。"))
        return _page(request, batch, form, status=400)
    kind, fmt, masked = form.cleaned_data["kind"], form.cleaned_data["format"], form.masked
    if kind == ExportJob.Kind.SUMMARY or batch.lines.count() <= exports.INLINE_MAX_LINES:
        return _direct_download(request, batch, kind, fmt, masked)
    if down := queue_down_page(request):
        return down
    with transaction.atomic():
        job = exports.start_export_job(batch=batch, actor=request.user, fmt=fmt, masked=masked, kind=kind)
    messages.success(request, _("导出任务已开始，完成后可在本页下载。"))
    return redirect("subsidies:export_job", pk=job.pk)


def _direct_download(request, batch, kind, fmt, masked):
    out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it, which deletes it)
    try:
        rows = exports.write_export(batch=batch, kind=kind, fmt=fmt, masked=masked, actor=request.user, out=out)
    except Exception:
        out.close()
        raise
    exports.record_export(actor=request.user, batch=batch, kind=kind, fmt=fmt, masked=masked, rows=rows)
    out.seek(0)
    return file_response(out, filename=exports.download_name(batch, kind, fmt, masked))


@login_required
def export_job(request, pk):
    return job_views.job_page(request, _job_for(request.user, pk), "subsidies/export_job.html")


@login_required
def export_download(request, pk):
    job = _job_for(request.user, pk)
    name = exports.download_name(job.batch, job.kind, job.format, job.masked)
    audit = {
        "summary": _("下载导出文件：%(name)s") % {"name": name},
        "changes": {"batch": job.batch.number, "job": job.pk, "format": job.format, "masked": job.masked},
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
