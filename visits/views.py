"""Visit pages. Every visit is reached through its child's scope (dingzhou_welfare.access)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Sum, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from children.access import get_child_for
from dingzhou_welfare.access import (
    area_filter,
    can_change_children,
    require_role,
    role_of,
    scope_related,
    townships_for,
)
from dingzhou_welfare.files import file_response, open_stored
from dingzhou_welfare.forms import form_errors_from
from dingzhou_welfare.models import COUNTY_WIDE_ROLES, Role
from dingzhou_welfare.pagination import CappedPaginator

from . import drafts, services
from .forms import HandleReportForm, IntervalsForm, PatrolForm, ReviewForm, VisitForm, WorkListFilter
from .models import MandatoryReport, RiskLevel, Visit, VisitPhoto, VisitSchedule, VisitWorkload
from .risk import RULES_BY_CODE, rules_table
from .schedule import DUE_SOON_DAYS, intervals

PAGE_SIZE = 25
READERS = {Role.CASEWORKER, Role.SUPERVISOR, Role.STAFF, Role.LEADER}
REVIEWERS = {Role.SUPERVISOR, Role.STAFF}
REPORT_READERS = {Role.SUPERVISOR, Role.STAFF, Role.LEADER}


def _visit_for(user, pk) -> Visit:
    """The visit if the user may see its child, else 404."""
    visits = scope_related(Visit.objects.select_related("child__township", "child__village", "visitor"), user)
    return get_object_or_404(visits, pk=pk)


def can_review(user, visit: Visit) -> bool:
    return role_of(user) in REVIEWERS and visit.visitor_id != user.pk and visit.status == Visit.Status.SUBMITTED


def _form_context(user, child, form, visit=None):
    return {
        "child": child,
        "form": form,
        "visit": visit,
        "rules": rules_table(),
        "intervals": intervals(),
        "draft_key": f"visit-draft:{child.pk}:{visit.pk if visit else 'new'}",
        "draft_url": reverse("visits:draft_edit", args=[child.pk, visit.pk])
        if visit
        else reverse("visits:draft", args=[child.pk]),
        "server_draft": drafts.draft_json(drafts.draft_for(user, child, visit)),
    }


@login_required
def visit_create(request, pk):
    child = get_child_for(request.user, pk, for_change=True)
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.record_visit(
                actor=request.user, child=child, data=form.service_data(), photos=form.cleaned_data["photos"]
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("探访记录已保存，等待乡镇督导员审核。"))
            if visit.suspected_harm:
                messages.warning(request, _("已作为强制报告立即通知民政局儿童福利股。"))
            return redirect(f"{visit_url(visit)}?saved={child.pk}:new")
    status = 400 if request.method == "POST" else 200
    return render(request, "visits/form.html", _form_context(request.user, child, form), status=status)


def visit_url(visit: Visit) -> str:
    return reverse("visits:detail", args=[visit.pk])


@login_required
def visit_edit(request, pk):
    """The visitor corrects a returned visit; anyone else, or a visit not returned, is not found."""
    visit = _visit_for(request.user, pk)
    if visit.visitor_id != request.user.pk or visit.status != Visit.Status.RETURNED:
        raise Http404
    if not can_change_children(request.user):
        raise Http404
    initial = {"present": visit.present, "referrals": visit.referrals}
    form = VisitForm(request.POST or None, request.FILES or None, instance=visit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.resubmit_visit(
                actor=request.user, visit=visit, data=form.service_data(), photos=form.cleaned_data["photos"]
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已修改并重新提交审核。"))
            return redirect(f"{visit_url(visit)}?saved={visit.child_id}:{visit.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "visits/form.html", _form_context(request.user, visit.child, form, visit), status=status)


@login_required
def visit_detail(request, pk):
    visit = _visit_for(request.user, pk)
    report = MandatoryReport.objects.filter(visit=visit).select_related("handled_by").first()
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "child": visit.child,
            "photos": list(visit.photos.all()),
            "fired": [RULES_BY_CODE[code] for code in visit.risk_reasons if code in RULES_BY_CODE],
            "rules": rules_table(),
            "report": report,
            "can_review": can_review(request.user, visit),
            "can_edit": visit.visitor_id == request.user.pk and visit.status == Visit.Status.RETURNED,
            "review_form": ReviewForm(),
            "saved_draft": request.GET.get("saved", ""),
        },
    )


@login_required
@require_POST
def visit_review(request, pk):
    visit = _visit_for(request.user, pk)
    if role_of(request.user) not in REVIEWERS or visit.visitor_id == request.user.pk:
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_visit(
                actor=request.user,
                visit=visit,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            return _after_review(request, visit, accepted=form.cleaned_data["decision"] == "accept")
    context = {
        "visit": visit,
        "child": visit.child,
        "photos": list(visit.photos.all()),
        "fired": [RULES_BY_CODE[code] for code in visit.risk_reasons if code in RULES_BY_CODE],
        "rules": rules_table(),
        "report": MandatoryReport.objects.filter(visit=visit).first(),
        "can_review": can_review(request.user, visit),
        "review_form": form,
    }
    return render(request, "visits/detail.html", context, status=400)


def _after_review(request, visit: Visit, *, accepted: bool):
    """Say whose visit was decided, and open the next one waiting (or the empty queue)."""
    words = {"name": visit.child.name, "day": f"{visit.visited_on:%Y-%m-%d}"}
    if accepted:
        done = _("已通过 %(name)s 的探访记录（%(day)s）。") % words
    else:
        done = _("已退回 %(name)s 的探访记录（%(day)s），探访人将据审核意见修改。") % words
    following = review_queue_for(request.user).select_related("child").first()
    if following is None:
        messages.success(request, done + _("待审核的探访已全部处理。"))
        return redirect("visits:review_queue")
    messages.success(request, done + _("下面是下一条：%(name)s。") % {"name": following.child.name})
    return redirect(visit_url(following) + "#review")


@login_required
def visit_photo(request, pk, photo_pk):
    visit = _visit_for(request.user, pk)
    photo = get_object_or_404(VisitPhoto, pk=photo_pk, visit=visit)
    return file_response(
        open_stored(photo.file), content_type=photo.content_type, filename=photo.original_name, attachment=False
    )


RISK_ORDER = Case(
    When(risk_level=RiskLevel.HIGH, then=Value(0)),
    When(risk_level=RiskLevel.MEDIUM, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def review_queue_for(user):
    """The visits waiting for this reviewer: the highest risk first, then the oldest (a suspected harm first of all)."""
    return (
        scope_related(Visit.objects.filter(status=Visit.Status.SUBMITTED), user)
        .exclude(visitor=user)
        .alias(risk_rank=RISK_ORDER)
        .order_by("-suspected_harm", "risk_rank", "visited_on", "id")
    )


@login_required
def review_queue(request):
    if role_of(request.user) not in REVIEWERS:
        raise Http404
    visits = review_queue_for(request.user).select_related("child__township", "child__village", "visitor")
    paginator = CappedPaginator(visits, PAGE_SIZE)
    return render(
        request,
        "visits/review_queue.html",
        {"page": paginator.get_page(request.GET.get("page")), "paginator": paginator},
    )


def _schedules_for(user, *, exact: bool = True):
    """The user's schedule rows, filtered on the schedule's own township/village (one index serves the page)
    and, when `exact`, on the child's too: a child moved today is copied over only at night, and its
    name must not show in the old township before then. The count of the list (a number, no names)
    skips that join, which costs more than the count itself at a township of 40,000 children."""
    schedules = VisitSchedule.objects.all()
    area = area_filter(user)
    if area is not None:
        schedules = schedules.filter(area)
    return scope_related(schedules, user) if exact else schedules


class WorkListPaginator(CappedPaginator):
    def __init__(self, rows, per_page, *, counted):
        super().__init__(rows, per_page)
        self.counted = counted

    @cached_property
    def count(self):
        return self.counted.order_by()[: self.cap + 1].count()


@login_required
def worklist(request):
    role = role_of(request.user)
    if role not in READERS:
        raise Http404
    today = timezone.localdate()
    townships = townships_for(request.user)
    filters = WorkListFilter(request.GET or None, townships=townships)
    show, township = "todo", None
    if filters.is_valid():
        show = filters.cleaned_data["show"] or "todo"
        township = filters.cleaned_data["township"]
    shown = {}
    if township is not None:
        shown["township"] = township
    if show == "todo":
        shown["due_on__lte"] = today + datetime.timedelta(days=DUE_SOON_DAYS)
    elif show == "overdue":
        shown["due_on__lt"] = today
    elif show == "patrol":
        shown["patrol"] = True
    rows = _schedules_for(request.user).filter(**shown)
    rows = rows.select_related("child", "township", "village").order_by("due_on", "child_id")
    paginator = WorkListPaginator(rows, PAGE_SIZE, counted=_schedules_for(request.user, exact=False).filter(**shown))
    page = paginator.get_page(request.GET.get("page"))
    for row in page:
        row.days_overdue = (today - row.due_on).days
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "visits/worklist.html",
        {
            "filters": filters,
            "page": page,
            "paginator": paginator,
            "query": query.urlencode(),
            "today": today,
            "show": show,
            "township": township,
            "townships": list(townships.only("pk", "name")),
            "soon_days": DUE_SOON_DAYS,
            "can_record": can_change_children(request.user),
            "returned_visits": scope_related(
                Visit.objects.filter(visitor=request.user, status=Visit.Status.RETURNED), request.user
            ).select_related("child", "reviewed_by"),
            **workload_context(request.user, township=township),
        },
    )


def workload_context(user, township=None, *, tables: bool = True) -> dict:
    """The nightly figures for the user: their own (caseworker), per township and per caseworker.

    Per caseworker only within one township (a supervisor's, or the one a county user filtered on):
    a county has hundreds of village child directors."""
    role = role_of(user)
    if role not in READERS:
        return {}
    latest = VisitWorkload.objects.order_by("-day").values_list("day", flat=True).first()
    if latest is None:
        return {"workload_day": None}
    rows = VisitWorkload.objects.filter(day=latest)
    allowed = rows if role in COUNTY_WIDE_ROLES else rows.filter(township__in=townships_for(user))
    if township is not None:
        allowed = allowed.filter(township=township)
    per_township = list(allowed.filter(caseworker__isnull=True).select_related("township").order_by("township__code"))
    per_caseworker = []
    if role == Role.CASEWORKER:
        mine = rows.filter(caseworker=user)
        totals = mine.aggregate(
            children=Sum("children"),
            due_soon=Sum("due_soon"),
            overdue=Sum("overdue"),
            never_visited=Sum("never_visited"),
            patrol=Sum("patrol"),
            patrol_overdue=Sum("patrol_overdue"),
        )
    else:
        one_township = township is not None or role not in COUNTY_WIDE_ROLES
        per_caseworker = (
            []
            if not (tables and one_township)
            else list(
                allowed.filter(caseworker__isnull=False)
                .select_related("caseworker", "township")
                .order_by("township__code", "caseworker__username")
            )
        )
        totals = {
            key: sum(getattr(row, key) for row in per_township)
            for key in ("children", "due_soon", "overdue", "never_visited", "patrol", "patrol_overdue")
        }
    computed_at = rows.values_list("computed_at", flat=True).first()
    return {
        "workload_day": latest,
        "workload_computed_at": computed_at,
        "workload": totals,
        "per_township": per_township if role != Role.CASEWORKER else [],
        "per_caseworker": per_caseworker,
    }


def dashboard_context(user) -> dict:
    """The visits panel of the dashboard."""
    role = role_of(user)
    if role not in READERS:
        return {}
    context = workload_context(user, tables=False)
    context["visits_panel"] = True
    if role in REVIEWERS:
        context["to_review"] = (
            scope_related(Visit.objects.filter(status=Visit.Status.SUBMITTED), user).exclude(visitor=user).count()
        )
    if role == Role.CASEWORKER:
        context["returned"] = Visit.objects.filter(visitor=user, status=Visit.Status.RETURNED).count()
    open_reports = scope_related(MandatoryReport.objects.filter(status=MandatoryReport.Status.OPEN), user)
    context["open_reports"] = open_reports.count()
    context["can_open_reports"] = role in REPORT_READERS
    if role not in REPORT_READERS:  # a caseworker follows the reports through the visits they come from
        context["own_reports"] = list(
            open_reports.filter(reported_by=user).select_related("child").order_by("reported_at")[:10]
        )
    return context


def child_visits_context(user, child) -> dict:
    """The visit history and patrol status on the child's case file."""
    if role_of(user) not in READERS:
        return {}
    return {
        "child_visits": list(child.visits.select_related("visitor", "reviewed_by").order_by("-visited_on", "-id")[:30]),
        "visit_schedule": VisitSchedule.objects.filter(child=child).first(),
        "visit_today": timezone.localdate(),
        "can_record_visit": can_change_children(user) and child.status == child.Status.ACTIVE,
    }


@login_required
def patrol(request, pk):
    """Mark a child as a key patrol target by hand with a reason, or take a manual one off."""
    child = get_child_for(request.user, pk, for_change=True)
    schedule = VisitSchedule.objects.filter(child=child).first()
    on = not (schedule and schedule.patrol)
    form = PatrolForm(request.POST or None, initial={"patrol": "on" if on else "off"})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_patrol(
                actor=request.user,
                child=child,
                patrol=form.cleaned_data["patrol"] == "on",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存重点巡防对象设置。"))
            return redirect("children:detail", pk=child.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "visits/patrol.html", {"child": child, "form": form, "schedule": schedule, "on": on}, status=status
    )


@login_required
def interval_settings(request):
    require_role(request.user, Role.STAFF)
    form = IntervalsForm(request.POST or None, current=intervals())
    if request.method == "POST" and form.is_valid():
        services.save_intervals(actor=request.user, days=form.days())
        messages.success(request, _("已保存探访间隔。所有儿童的应探访日期正在后台按新间隔重新计算，几分钟内完成。"))
        return redirect("visits:intervals")
    status = 400 if request.method == "POST" else 200
    return render(request, "visits/intervals.html", {"form": form, "rules": rules_table()}, status=status)


@login_required
def report_list(request):
    role = role_of(request.user)
    if role not in REPORT_READERS:
        raise Http404
    reports = scope_related(MandatoryReport.objects.all(), request.user).select_related(
        "child__township", "child__village", "reported_by", "handled_by", "visit"
    )
    open_reports = list(reports.filter(status=MandatoryReport.Status.OPEN).order_by("reported_at"))
    for report in open_reports:  # a box per report, each with ids of its own so that its label names it
        report.handle_form = HandleReportForm(auto_id=f"id_report{report.pk}_%s")
    handled = CappedPaginator(reports.filter(status=MandatoryReport.Status.HANDLED), PAGE_SIZE)
    return render(
        request,
        "visits/reports.html",
        {
            "open_reports": open_reports,
            "page": handled.get_page(request.GET.get("page")),
            "paginator": handled,
            "can_handle": role == Role.STAFF,
        },
    )


@login_required
@require_POST
def report_handle(request, pk):
    require_role(request.user, Role.STAFF)
    report = get_object_or_404(scope_related(MandatoryReport.objects.select_related("child"), request.user), pk=pk)
    form = HandleReportForm(request.POST)
    if form.is_valid():
        try:
            services.handle_report(actor=request.user, report=report, handling=form.cleaned_data["handling"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已登记处置情况。"))
            return redirect("visits:reports")
    return render(
        request, "visits/report_handle.html", {"report": report, "form": form, "child": report.child}, status=400
    )
