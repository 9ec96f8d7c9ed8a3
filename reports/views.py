"""Report pages: the monthly report on screen and as a PDF, case files, rosters, and print jobs.

Township supervisors see their townships, bureau staff and the leader the whole county; everyone
else gets 404, like anything outside their scope. Small documents render in the request; big ones
start a job whose page shows its progress. Both call the same functions in `documents`.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from children.access import get_child_for
from dingzhou_welfare.access import can_reveal, require_role, role_of, townships_for
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.jobs import views as job_views
from dingzhou_welfare.models import COUNTY_WIDE_ROLES, AuditEntry, Role
from dingzhou_welfare.pdf import pdf_response
from dingzhou_welfare.queueing import queue_down_page
from subsidies.models import Batch, BatchTownship, Line

from . import documents, jobs
from .figures import Period, Scope
from .forms import CaseFilesForm, ReportForm, RosterForm, default_month
from .models import ReportJob

REPORT_ROLES = (Role.SUPERVISOR, Role.STAFF, Role.LEADER)
INLINE_REPORT_LINES = 300_000  # payment lines read by a report; above this (a province), a job renders it
INLINE_REPORT_MONTHS = 12
INLINE_ROSTER_LINES = 3_000  # a township's month up to this many lines prints in the request
JOB_REUSE = datetime.timedelta(hours=1)  # reloading a large report's PDF address within this finds its job


def county_label() -> str:
    return _("全市")


def report_scope(user, township=None) -> Scope:
    """The report's scope: one township if chosen, else everything the user may see."""
    if township is not None:
        return Scope((township.pk,), label=township.name)
    if role_of(user) in COUNTY_WIDE_ROLES:
        return Scope(label=county_label())
    townships = list(townships_for(user).order_by("code"))
    return Scope(tuple(t.pk for t in townships), label=_("、").join(t.name for t in townships) or _("（无乡镇）"))


def is_large(period: Period, scope: Scope) -> bool:
    """Whether the report reads more payment lines than a request should (from the batches' stored counts)."""
    if len(period.months) > INLINE_REPORT_MONTHS:
        return True
    months = {"month__gte": min(period.first, period.year_start), "month__lte": period.last}
    if scope.township_ids is None:
        lines = Batch.objects.filter(**months).aggregate(n=Sum("line_count"))["n"]
    else:
        lines = BatchTownship.objects.filter(
            township_id__in=scope.township_ids, **{f"batch__{k}": v for k, v in months.items()}
        ).aggregate(n=Sum("line_count"))["n"]
    return (lines or 0) > INLINE_REPORT_LINES


def _report_form(request, data):
    scope_all = report_scope(request.user)
    return ReportForm(data, townships=townships_for(request.user).order_by("code"), county_label=scope_all.label)


@login_required
def index(request):
    """The monthly report on screen: pick a month (or a range) and a township; print it as a PDF."""
    require_role(request.user, *REPORT_ROLES)
    data = request.GET.copy() if request.GET else None
    if data is not None and not data.get("month"):
        data["month"] = f"{default_month():%Y-%m}"
    form = _report_form(request, data or {"month": f"{default_month():%Y-%m}"})
    context = {"form": form, "role": role_of(request.user)}
    if form.is_valid():
        period = form.cleaned_data["period"]
        scope = report_scope(request.user, form.cleaned_data.get("township"))
        report = documents.build_monthly_report(period, scope)
        context.update(documents.monthly_report_context(report))
        context["large"] = is_large(period, scope)
        context["print_query"] = print_query(form)
    return render(request, "reports/index.html", context, status=200 if form.is_valid() else 400)


def print_query(form) -> str:
    """The query string of the report's PDF address (month, to, township): a GET that reloads and bookmarks."""
    period = form.cleaned_data["period"]
    query = {"month": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}"}
    if township := form.cleaned_data.get("township"):
        query["township"] = township.code
    return urlencode(query)


def _monthly_job(request, period: Period, scope: Scope):
    """The user's job for this very report if one is under way or was finished within JOB_REUSE, else a new one.

    The PDF's address is a GET that may be reloaded: a reload finds the job already started instead of
    starting another.
    """
    params = jobs.monthly_params(period, scope)
    recent = jobs.jobs_visible_to(request.user).filter(
        kind=ReportJob.Kind.MONTHLY, requested_by=request.user, created_at__gte=timezone.now() - JOB_REUSE
    )
    for job in recent.exclude(status=ReportJob.Status.FAILED)[:20]:
        if job.params == params:
            return job, False
    title = _("%(scope)s儿童福利工作月报（%(period)s）") % {"scope": scope.label, "period": period.label}
    with transaction.atomic():
        return jobs.start_monthly_job(period=period, scope=scope, actor=request.user, title=title), True


@login_required
@require_safe
def monthly_print(request):
    """The monthly report as a PDF at a GET address (opened in a new tab): in the request when small,
    else the page of the job that renders it."""
    require_role(request.user, *REPORT_ROLES)
    form = _report_form(request, request.GET)
    if not form.is_valid():
        return render(request, "reports/index.html", {"form": form}, status=400)
    period = form.cleaned_data["period"]
    scope = report_scope(request.user, form.cleaned_data.get("township"))
    if is_large(period, scope):
        if down := queue_down_page(request):
            return down
        job, started = _monthly_job(request, period, scope)
        if started:
            messages.success(request, _("月报数据量较大，已转为后台生成，完成后可在本页下载。"))
        return redirect("reports:job", pk=job.pk)
    report = documents.build_monthly_report(period, scope)
    content = documents.render_monthly_report_pdf(report)
    return pdf_response(content, documents.monthly_report_file_name(report))


@login_required
def case_file(request, pk):
    """GET: the child's case file with personal data masked. POST: in full, for who may reveal it."""
    child = get_child_for(request.user, pk)
    masked = request.method != "POST"
    if request.method not in ("GET", "POST", "HEAD"):
        raise Http404
    if not masked and not can_reveal(request.user):
        raise Http404
    content = documents.render_case_file_pdf(child, masked=masked, printed_by=request.user)
    log_action(
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        obj=child,
        child=child,
        summary=_("打印一人一档（%(how)s）")
        % {"how": _("已脱敏") if masked else _("未脱敏，含完整身份证号、银行账号、电话和住址")},
        changes={"document": "case_file", "masked": masked},
    )
    return pdf_response(content, documents.case_file_name(child, masked=masked))


def _print_page(request, *, roster_form=None, case_files_form=None, status=200):
    townships = townships_for(request.user).order_by("code")
    may_reveal = can_reveal(request.user)
    batches = Batch.objects.exclude(status=Batch.Status.COMPUTING).order_by("-month")[:12]
    return render(
        request,
        "reports/print.html",
        {
            "roster_form": roster_form
            or RosterForm(
                townships=townships,
                may_reveal=may_reveal,
                initial={"month": batches[0].month if batches else default_month()},
            ),
            "case_files_form": case_files_form or CaseFilesForm(townships=townships, may_reveal=may_reveal),
            "batches": batches,
            "jobs": job_views.jobs_in_scope(request.user, jobs.jobs_visible_to(request.user), 20),
            "inline_roster_lines": INLINE_ROSTER_LINES,
        },
        status=status,
    )


@login_required
def print_center(request):
    """Rosters for signature and a township's case files, with the recent print jobs."""
    require_role(request.user, *REPORT_ROLES)
    return _print_page(request)


@login_required
@require_POST
def roster(request):
    require_role(request.user, *REPORT_ROLES)
    townships = townships_for(request.user).order_by("code")
    form = RosterForm(request.POST, townships=townships, may_reveal=can_reveal(request.user))
    if not form.is_valid():
        return _print_page(request, roster_form=form, status=400)
    batch, township, masked = form.batch, form.cleaned_data["township"], form.masked
    lines = Line.objects.filter(batch=batch, township=township).count()
    if lines > INLINE_ROSTER_LINES:
        if down := queue_down_page(request):
            return down
        with transaction.atomic():
            job = jobs.start_roster_job(batch=batch, township=township, actor=request.user, masked=masked)
        messages.success(request, _("花名册较长，已转为后台生成，完成后可在本页下载。"))
        return redirect("reports:job", pk=job.pk)
    content = documents.render_roster_pdf(batch, township, masked=masked, printed_by=request.user)
    log_action(
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        obj=batch,
        summary=_("打印%(title)s（%(how)s）")
        % {
            "title": documents.roster_title(batch, township),
            "how": _("已脱敏") if masked else _("未脱敏，含完整身份证号和银行账号"),
        },
        changes={
            "document": "roster",
            "batch": batch.number,
            "township": township.code,
            "masked": masked,
            "lines": lines,
        },
    )
    return pdf_response(content, documents.roster_file_name(batch, township, masked=masked))


@login_required
@require_POST
def case_files(request):
    require_role(request.user, *REPORT_ROLES)
    townships = townships_for(request.user).order_by("code")
    form = CaseFilesForm(request.POST, townships=townships, may_reveal=can_reveal(request.user))
    if not form.is_valid():
        return _print_page(request, case_files_form=form, status=400)
    if down := queue_down_page(request):
        return down
    with transaction.atomic():
        job = jobs.start_case_files_job(township=form.cleaned_data["township"], actor=request.user, masked=form.masked)
    messages.success(request, _("已开始生成，完成后可在本页下载。"))
    return redirect("reports:job", pk=job.pk)


def _job_for(user, pk) -> ReportJob:
    require_role(user, *REPORT_ROLES)
    return job_views.get_job_for(user, jobs.jobs_visible_to(user), pk)


@login_required
def job(request, pk):
    return job_views.job_page(request, _job_for(request.user, pk), "reports/job.html")


@login_required
def job_download(request, pk):
    job = _job_for(request.user, pk)
    audit = None
    if job.kind != ReportJob.Kind.MONTHLY:  # the monthly report holds no personal data
        audit = {
            "summary": _("下载%(name)s") % {"name": job.file_name},
            "changes": {"job": job.pk, "kind": job.kind, "masked": job.masked},
        }
    return job_views.download(request, job, filename=job.file_name or job.file.name.rsplit("/", 1)[-1], audit=audit)


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
            restart=jobs.restart_job,
            restarted=_("已重新开始生成。"),
            not_restarted=_("该任务仍在进行或已完成，无需重新生成。"),
        )
