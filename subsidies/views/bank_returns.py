"""The bank's returns (回盘) of a batch: the upload, the job page with its preview and the confirm, and
the reconciliation (对账) per batch and per month. Bureau staff and the leader see them; only staff
upload, confirm, or say an account is usable again. Everyone else: 404, like anything out of scope."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dingzhou_welfare.access import require_role, role_of
from dingzhou_welfare.idnumbers import mask_account
from dingzhou_welfare.jobs import views as job_views
from dingzhou_welfare.models import Role
from dingzhou_welfare.queueing import queue_down_page

from ..bank import reconcile, returns
from ..models import BankPayment, BankReturnLayout, Batch

READ_ROLES = (Role.STAFF, Role.LEADER)
MAX_MB = 50


class ReturnForm(forms.Form):
    layout = forms.ModelChoiceField(
        label=gettext_lazy("回盘文件格式"),
        queryset=BankReturnLayout.objects.filter(active=True),
        empty_label=None,
        error_messages={"invalid_choice": gettext_lazy("请选择一个启用的回盘格式。")},
    )
    file = forms.FileField(
        label=gettext_lazy("银行回盘文件（.xlsx 或 .csv，UTF-8 或 GBK）"),
        error_messages={
            "required": gettext_lazy("请选择银行回盘文件。"),
            "empty": gettext_lazy("文件是空的（0 字节）。"),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_MB * 1024 * 1024:
            raise forms.ValidationError(_("文件太大，不能超过 %(mb)d MB。") % {"mb": MAX_MB})
        return upload


def _returns_page(request, batch, form, status=200):
    return render(
        request,
        "subsidies/bank_returns.html",
        {
            "batch": batch,
            "form": form,
            "receivable": batch.status == Batch.Status.SENT_TO_BANK,
            "may_upload": role_of(request.user) == Role.STAFF,
            "jobs": job_views.jobs_in_scope(
                request.user, returns.jobs_visible_to(request.user).filter(batch=batch), 20
            ),
            "figures": reconcile.reconcile([batch])[0],
        },
        status=status,
    )


@login_required
def bank_returns(request, month):
    require_role(request.user, *READ_ROLES)
    batch = get_object_or_404(Batch, month=month)
    if request.method != "POST":
        return _returns_page(request, batch, ReturnForm())
    require_role(request.user, Role.STAFF)
    form = ReturnForm(request.POST, request.FILES)
    if not form.is_valid():
        return _returns_page(request, batch, form, status=400)
    if down := queue_down_page(request):
        return down
    try:
        with transaction.atomic():
            job = returns.start_return(
                batch=batch, layout=form.cleaned_data["layout"], upload=form.cleaned_data["file"], actor=request.user
            )
    except returns.ReturnRefused as refused:
        form.add_error(None, " ".join(refused.errors))
        return _returns_page(request, batch, form, status=400)
    messages.info(request, _("回盘文件已上传，正在检查；检查完成后请核对预览再确认导入。"))
    return redirect("subsidies:return_job", pk=job.pk)


def _job_for(user, pk):
    require_role(user, *READ_ROLES)
    return job_views.get_job_for(user, returns.jobs_visible_to(user), pk)


@login_required
def return_job(request, pk):
    job = _job_for(request.user, pk)
    return job_views.job_page(
        request, job, "subsidies/bank_return_job.html", may_confirm=role_of(request.user) == Role.STAFF
    )


@login_required
@require_POST
def return_confirm(request, pk):
    require_role(request.user, Role.STAFF)
    job = _job_for(request.user, pk)
    if down := queue_down_page(request):
        return down
    with transaction.atomic():
        confirmed = returns.confirm_return(job=job, actor=request.user)
    if confirmed:
        messages.success(request, _("已确认导入，正在写入。"))
    else:
        messages.warning(request, _("该回盘文件不是待确认状态，未作更改。"))
    return redirect("subsidies:return_job", pk=job.pk)


@login_required
@require_POST
def return_retry(request, pk):
    require_role(request.user, Role.STAFF)
    job = _job_for(request.user, pk)
    if down := queue_down_page(request):
        return down
    with transaction.atomic():
        return job_views.retry(
            request,
            job,
            restart=returns.restart_return,
            restarted=_("已重新开始处理回盘文件。"),
            not_restarted=_("该任务仍在进行或已完成，无需重新开始。"),
        )


@login_required
def reconciliation(request):
    """Per month: every batch sent to the bank (or approved) with its figures."""
    require_role(request.user, *READ_ROLES)
    batches = Batch.objects.filter(status__in=Batch.FROZEN_STATUSES).order_by("-month")[:36]
    return render(request, "subsidies/reconciliation.html", {"rows": reconcile.reconcile(batches)})


@login_required
def batch_reconciliation(request, month):
    require_role(request.user, *READ_ROLES)
    batch = get_object_or_404(Batch, month=month)
    reissued_in = reconcile.reissue_months(batch)
    returned = [
        {"payment": p, "account": mask_account(p.account_number), "reissued_in": reissued_in.get(p.child_id, "")}
        for p in reconcile.returned_payments(batch)[:500]
    ]
    return render(
        request,
        "subsidies/batch_reconciliation.html",
        {
            "batch": batch,
            "figures": reconcile.reconcile([batch])[0],
            "returned": returned,
            "may_confirm": role_of(request.user) == Role.STAFF,
        },
    )


@login_required
@require_POST
def payment_account_confirmed(request, pk):
    require_role(request.user, Role.STAFF)
    payment = get_object_or_404(BankPayment.objects.select_related("batch", "child"), pk=pk)
    if returns.confirm_account(payment=payment, actor=request.user):
        messages.success(request, _("已记录账户核实可用，下一批次将重发该笔。"))
    else:
        messages.warning(request, _("该笔不是待重发的退票，未作更改。"))
    return redirect("subsidies:batch_reconciliation", month=payment.batch.month)


def child_payments_context(user, child) -> dict:
    """The case file's 发放情况 section: each approved line with what the bank did with it, and the
    returned payments whose account waits to be corrected (children/casefile.py)."""
    statuses, to_correct = reconcile.child_line_statuses(child)
    return {"payment_lines": statuses, "accounts_to_correct": to_correct}
