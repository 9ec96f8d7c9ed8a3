"""The bank payment file of a batch: the page (layouts, earlier files), the start, the job page, the
audited download. Bureau staff and the leader see them; only staff start a file. Everyone else: 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dingzhou_welfare.access import require_role, role_of
from dingzhou_welfare.jobs import views as job_views
from dingzhou_welfare.models import Role
from dingzhou_welfare.queueing import queue_down_page

from .. import bank
from ..models import BankLayout, Batch

READ_ROLES = (Role.STAFF, Role.LEADER)


class BankFileForm(forms.Form):
    layout = forms.ModelChoiceField(
        label=gettext_lazy("银行文件格式"),
        queryset=BankLayout.objects.filter(active=True),
        empty_label=None,
        error_messages={"invalid_choice": gettext_lazy("请选择一个启用的文件格式。")},
    )


def _page(request, batch, form, status=200):
    return render(
        request,
        "subsidies/bank_file.html",
        {
            "batch": batch,
            "form": form,
            "sendable": batch.status in bank.SENDABLE,
            "may_start": role_of(request.user) == Role.STAFF,
            "jobs": job_views.jobs_in_scope(request.user, bank.jobs_visible_to(request.user).filter(batch=batch), 20),
        },
        status=status,
    )


@login_required
def bank_file(request, month):
    require_role(request.user, *READ_ROLES)
    return _page(request, get_object_or_404(Batch, month=month), BankFileForm())


@login_required
@require_POST
def bank_file_start(request, month):
    require_role(request.user, Role.STAFF)
    batch = get_object_or_404(Batch, month=month)
    form = BankFileForm(request.POST)
    if not form.is_valid():
        return _page(request, batch, form, status=400)
    if down := queue_down_page(request):
        return down
    try:
        with transaction.atomic():
            job = bank.start_bank_file(batch=batch, layout=form.cleaned_data["layout"], actor=request.user)
    except bank.BankFileError as error:
        form.add_error(None, str(error))
        return _page(request, batch, form, status=400)
    messages.success(request, _("银行代发文件正在生成，完成后可在本页下载。"))
    return redirect("subsidies:bank_job", pk=job.pk)


def _job_for(user, pk):
    require_role(user, *READ_ROLES)
    return job_views.get_job_for(user, bank.jobs_visible_to(user), pk)


@login_required
def bank_job(request, pk):
    return job_views.job_page(request, _job_for(request.user, pk), "subsidies/bank_job.html")


@login_required
def bank_download(request, pk):
    job = _job_for(request.user, pk)
    audit = {
        "summary": _("下载银行代发文件：%(name)s") % {"name": job.file_name},
        "changes": {"batch": job.batch.number, "job": job.pk, "layout": job.layout.code, "sha256": job.sha256},
    }
    return job_views.download(request, job, filename=job.file_name, audit=audit)


@login_required
@require_POST
def bank_retry(request, pk):
    require_role(request.user, Role.STAFF)
    job = _job_for(request.user, pk)
    if down := queue_down_page(request):
        return down
    with transaction.atomic():
        return job_views.retry(
            request,
            job,
            restart=bank.restart_bank_file,
            restarted=_("已重新开始生成银行代发文件。"),
            not_restarted=_("该任务仍在进行或已完成，无需重新生成。"),
        )
