"""The import pages: upload, the job (progress, then the preview), confirm, downloads. Bureau staff only."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingzhou_welfare.access import can_reveal, require_role
from dingzhou_welfare.idnumbers import mask_id_number
from dingzhou_welfare.jobs import views as job_views
from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.queueing import queue_down_page

from . import services, workbooks
from .forms import UploadForm
from .models import ImportJob, ImportRow
from .readers import max_rows, max_upload_bytes

ROWS_PER_PAGE = 100


def _job_for(user, pk) -> ImportJob:
    require_role(user, Role.STAFF)
    return job_views.get_job_for(user, ImportJob.objects.select_related("uploaded_by", "confirmed_by"), pk)


@login_required
def index(request):
    require_role(request.user, Role.STAFF)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            if down := queue_down_page(request):
                return down
            with transaction.atomic():
                job = services.start_import(
                    actor=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
                )
            return redirect("imports:job", pk=job.pk)
        status = 400
    else:
        form = UploadForm(initial={"kind": request.GET.get("kind", ImportJob.Kind.CHILDREN)})
        status = 200
    jobs = job_views.jobs_in_scope(request.user, ImportJob.objects.select_related("uploaded_by", "confirmed_by"), 20)
    limits = {"max_mb": max_upload_bytes() // 1024 // 1024, "max_rows": max_rows()}
    return render(request, "imports/index.html", {"form": form, "jobs": jobs, **limits}, status=status)


@login_required
def template(request, kind):
    require_role(request.user, Role.STAFF)
    if kind not in ImportJob.Kind.values:
        raise Http404
    out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    workbooks.write_template(kind, out)
    out.seek(0)
    name = _("儿童花名册导入模板.xlsx") if kind == ImportJob.Kind.CHILDREN else _("保障标准导入模板.xlsx")
    return FileResponse(out, as_attachment=True, filename=name)


def _state(job: ImportJob) -> dict:
    return job_views.job_state(job, done=services.progress_of(job))


@login_required
def job_detail(request, pk):
    return _render_job(request, _job_for(request.user, pk))


@login_required
@require_POST
def job_reveal(request, pk):
    """One row's full ID number, as every other page shows one: on request, and recorded."""
    job = _job_for(request.user, pk)
    row = get_object_or_404(job.rows, line=_line(request.POST.get("line")))
    if not can_reveal(request.user) or job.kind != ImportJob.Kind.CHILDREN:
        raise Http404
    services.record_row_reveal(actor=request.user, job=job, row=row)
    return _render_job(request, job, revealed=row.line)


def _line(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _render_job(request, job: ImportJob, *, revealed: int | None = None):
    # A file with errors opens on its errors: those are what the clerk has to fix.
    default = ImportRow.Status.INVALID if job.rows_invalid else "all"
    shown = request.GET.get("show", default)
    rows = job.rows.all()
    if shown in ImportRow.Status.values:
        rows = rows.filter(status=shown)
    else:
        shown = "all"
    page = Paginator(rows.order_by("line"), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    masked = job.kind == ImportJob.Kind.CHILDREN
    for row in page.object_list:
        row.key_shown = mask_id_number(row.key) if masked and row.line != revealed else row.key
        row.revealable = masked and row.key and row.line != revealed
    return job_views.job_page(
        request,
        job,
        "imports/job.html",
        done=services.progress_of(job),
        progress_url=reverse("imports:progress", args=[job.pk]),
        page=page,
        shown=shown,
        statuses=ImportRow.Status.choices,
        checked=job.status in ImportJob.COMPLETE,
        can_reveal=can_reveal(request.user),
        new_villages=services.new_villages(job),
    )


@login_required
def job_progress(request, pk):
    job = _job_for(request.user, pk)
    return JsonResponse(_state(job))


@login_required
@require_POST
def job_confirm(request, pk):
    job = _job_for(request.user, pk)
    if down := queue_down_page(request):
        return down
    villages = bool(request.POST.get("confirm_villages"))
    if services.new_villages(job) and not villages:
        messages.error(request, _("本文件将新建村（社区），请先勾选确认新建，再确认导入。"))
        return redirect("imports:job", pk=job.pk)
    with transaction.atomic():
        confirmed = services.confirm_import(actor=request.user, job=job, villages_confirmed=villages)
    if confirmed:
        messages.success(request, _("已确认导入。"))
    else:
        messages.warning(request, _("该文件当前不能导入（%(s)s）。") % {"s": job.get_status_display()})
    return redirect("imports:job", pk=job.pk)


@login_required
@require_POST
def job_retry(request, pk):
    job = _job_for(request.user, pk)
    if down := queue_down_page(request):
        return down
    with transaction.atomic():
        return job_views.retry(
            request,
            job,
            restart=services.restart_import,
            restarted=_("已重新开始。"),
            not_restarted=_("该任务仍在进行或已完成，无需重新开始。"),
        )


@login_required
def job_errors(request, pk):
    """The uploaded rows with the bad cells marked (personal data: audited as an export)."""
    job = _job_for(request.user, pk)
    if job.status not in (ImportJob.Status.READY, ImportJob.Status.INVALID, ImportJob.Status.DONE) or not job.file:
        raise Http404
    out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    try:
        invalid = workbooks.write_marked(job, out)
    except Exception:
        out.close()
        raise
    out.seek(0)
    stem = job.original_name.rsplit(".", 1)[0]
    audit = {
        "summary": _("下载导入检查结果：%(n)s") % {"n": job.original_name},
        "changes": {"file": job.original_name, "invalid_rows": invalid},
    }
    return job_views.send_file(
        request, job, out, filename=_("%(n)s-检查结果.xlsx") % {"n": stem}, audit=audit, action=AuditEntry.Action.EXPORT
    )
