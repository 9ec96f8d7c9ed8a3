"""Disbursement batches (发放批次): county-level money lists, for staff and the leader only.

Caseworkers and supervisors get 404 here, like anything outside their scope.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingzhou_welfare.access import require_role, role_of
from dingzhou_welfare.confirm import confirm_page, confirmed
from dingzhou_welfare.forms import form_errors_from
from dingzhou_welfare.models import Role
from dingzhou_welfare.queueing import queue_down_page

from ..disbursement import approve_batch, start_refusal
from ..forms import ApproveForm, BatchStartForm, WaiverForm
from ..models import Batch, Line
from ..months import add_months, format_month, month_start
from ..problems import BLOCKING, approval_refusal, problem_counts, problem_rows, waive_problem
from ..summaries import LIST_CAP, batch_diff, totals_by
from ..tasks import queue_month
from .enrolments import COUNTY


def _next_month(batches) -> datetime.date:
    """The month the start form suggests: the open draft, else the month after the last batch."""
    this_month = add_months(month_start(timezone.localdate()), settings.DISBURSEMENT_MONTH_OFFSET)
    latest = batches.first()
    if latest is None:
        return this_month
    if not latest.is_frozen:
        return latest.month
    return min(add_months(latest.month, 1), month_start(timezone.localdate()))


def _list(request, start_form=None, status=200):
    batches = Batch.objects.select_related("run_by", "approved_by")
    return render(
        request,
        "subsidies/batch_list.html",
        {
            "batches": batches,
            "start_form": start_form or BatchStartForm(initial={"month": _next_month(batches)}),
            "can_run": role_of(request.user) == Role.STAFF,
        },
        status=status,
    )


@login_required
def batch_list(request):
    require_role(request.user, *COUNTY)
    return _list(request)


@login_required
@require_POST
def batch_start(request):
    """Compute (or recompute a draft of) a month: one Celery job, followed by the progress bar."""
    require_role(request.user, Role.STAFF)
    form = BatchStartForm(request.POST)
    if form.is_valid():
        month = form.cleaned_data["month"]
        if down := queue_down_page(request):
            return down
        refusal = start_refusal(month=month)
        if refusal:
            form.add_error("month", refusal)
        else:
            try:
                # Eager in the embedded setup (runs here and now); otherwise a worker picks it up.
                queue_month(format_month(month), request.user.pk)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已开始计算%(m)s发放批次。") % {"m": format_month(month)})
                return redirect(reverse("subsidies:batch", kwargs={"month": month}) + "?queued=1")
    return _list(request, start_form=form, status=400)


def _detail(request, month, approve_form=None, waiver_form=None, status=200):
    batch = Batch.objects.select_related("run_by", "approved_by").filter(month=month).first()
    context = {"month": month, "batch": batch, "role": role_of(request.user), "queued": "queued" in request.GET}
    if batch is not None and batch.status != Batch.Status.COMPUTING:
        problems = problem_counts(batch)
        to_waive = [p["kind"] for p in problems if p["severity"] == BLOCKING and p["waiver"] is None]
        context.update(
            problems=problems,
            problem_rows=list(problem_rows(batch)[:LIST_CAP]),
            problem_total=sum(p["count"] for p in problems),
            waiver_form=waiver_form or WaiverForm(kinds=to_waive),
            may_waive=bool(to_waive) and batch.status == Batch.Status.DRAFT and context["role"] == Role.STAFF,
            by_programme=totals_by(batch, "programme"),
            by_township=totals_by(batch, "township"),
            diff=batch_diff(batch),
            other_lines=list(
                Line.objects.filter(batch=batch)
                .exclude(kind=Line.Kind.NORMAL)
                .select_related("child", "programme", "township")
                .order_by("township__code", "child__name", "period", "id")[:LIST_CAP]
            ),
            list_cap=LIST_CAP,
            approve_form=approve_form or ApproveForm(),
            may_approve=batch.status == Batch.Status.DRAFT and context["role"] in COUNTY,
            runner_is_me=batch.run_by_id == request.user.pk,
            may_recompute=batch.status == Batch.Status.DRAFT and context["role"] == Role.STAFF,
        )
    return render(request, "subsidies/batch_detail.html", context, status=status)


@login_required
def batch_detail(request, month):
    require_role(request.user, *COUNTY)
    return _detail(request, month)


@login_required
def batch_progress(request, month):
    """What the progress bar polls: a few numbers, no names."""
    require_role(request.user, *COUNTY)
    batch = Batch.objects.filter(month=month).first()
    if batch is None:
        return JsonResponse({"status": "queued", "label": _("排队等待计算"), "done": 0, "total": 0, "finished": False})
    return JsonResponse(
        {
            "status": batch.status,
            "label": batch.get_status_display(),
            "done": batch.townships_done,
            "total": batch.townships_total,
            "finished": batch.status != Batch.Status.COMPUTING,
            "error": batch.error,
        }
    )


APPROVE = "batch_approve"


def approve_consequences(batch) -> list[str]:
    """What approving the batch does, as the confirmation page says it."""
    waived = [p for p in problem_counts(batch) if p["waiver"] is not None]
    lines = [
        _("%(m)s发放批次（%(n)s条，合计 %(t)s 元）定为“已审批”，此后不再改变；更正只能在以后的批次中补发或扣减。")
        % {"m": format_month(batch.month), "n": f"{batch.line_count:,}", "t": f"{batch.total_amount:,.2f}"},
        _("可以据此导出发放花名册、生成银行代发文件；月度报表读取本批次的金额。"),
    ]
    for problem in waived:
        lines.append(
            _("已豁免的问题随批次一并审批：%(k)s（%(n)d名）。") % {"k": problem["label"], "n": problem["count"]}
        )
    lines.append(_("审批人记为您本人，记入审计记录。"))
    return lines


@login_required
def batch_approve(request, month):
    """GET: the confirmation page (what approval does). POST: approve, with the page's token."""
    require_role(request.user, *COUNTY)
    posted = request.method == "POST"
    form = ApproveForm(request.POST if posted else (request.GET or None))
    batch = Batch.objects.filter(month=month).first()
    if batch is None:
        if posted:
            form.add_error(None, _("该月还没有发放批次。"))
            return _detail(request, month, approve_form=form, status=400)
        return redirect("subsidies:batch", month=month)
    warning, refusal = "", None
    if batch.status != Batch.Status.DRAFT:
        warning = _("只有待审批的批次可以审批（当前：%(s)s）。") % {"s": batch.get_status_display()}
    elif batch.run_by_id == request.user.pk:
        warning = _("审批人不能是计算该批次的人，请由另一人审批。")
    elif refusal := approval_refusal(batch):
        warning = refusal
    elif posted and form.is_valid():
        if not confirmed(request, APPROVE, batch.pk):
            warning = _("请在本页核对审批的后果后再确认。")
        else:
            try:
                approve_batch(batch=batch, actor=request.user)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已审批%(m)s发放批次。") % {"m": format_month(month)})
                return redirect("subsidies:batch", month=month)
    allowed = batch.status == Batch.Status.DRAFT and batch.run_by_id != request.user.pk and not refusal
    return confirm_page(
        request,
        step=APPROVE,
        key=batch.pk,
        form=form,
        title=_("确认审批%(m)s发放批次") % {"m": format_month(month)},
        facts=[
            (_("批次编号"), batch.number),
            (_("明细条数"), f"{batch.line_count:,}"),
            (_("合计（元）"), f"{batch.total_amount:,.2f}"),
        ],
        consequences=approve_consequences(batch) if allowed else [],
        action=reverse("subsidies:batch_approve", kwargs={"month": month}),
        button=_("确认审批通过"),
        back=reverse("subsidies:batch", kwargs={"month": month}),
        status=400 if posted else 200,
        warning=warning,
        allowed=allowed,
    )


@login_required
@require_POST
def batch_waive(request, month):
    """A staff member waives one kind of blocking problem with a written reason (audited)."""
    require_role(request.user, Role.STAFF)
    batch = get_object_or_404(Batch, month=month)
    form = WaiverForm(request.POST, kinds=[p["kind"] for p in problem_counts(batch) if p["severity"] == BLOCKING])
    if form.is_valid():
        try:
            waive_problem(batch=batch, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已记录豁免理由。"))
            return redirect(reverse("subsidies:batch", kwargs={"month": month}) + "#problems")
    return _detail(request, month, waiver_form=form, status=400)
