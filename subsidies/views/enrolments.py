"""Programmes and standards, enrolments and the work queue. Batches and exports are beside this module.

Every lookup goes through dingzhou_welfare.access; every write is one service call, which audits.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from children.access import get_child_for
from children.models import Child, add_years
from dingzhou_welfare.access import require_role, role_of, scope_related
from dingzhou_welfare.forms import form_errors_from
from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.pagination import CappedPaginator

from .. import services
from ..eligibility import enrolment_problems
from ..forms import (
    ApplyForm,
    CheckForm,
    ConfirmForm,
    EndForm,
    EnrolmentFilterForm,
    MonthChoiceForm,
    RefuseForm,
    ReviewForm,
    StandardForm,
)
from ..models import Batch, Enrolment, Line, Programme, StackingRule, Standard
from ..months import add_months, format_month, month_start
from ..summaries import month_changes

READERS = (Role.CASEWORKER, Role.SUPERVISOR, Role.STAFF, Role.LEADER)
APPLICANTS = (Role.CASEWORKER, Role.SUPERVISOR, Role.STAFF)
COUNTY = (Role.STAFF, Role.LEADER)
PAGE_SIZE = 50
QUEUE_SIZE = 50


# ---------------------------------------------------------------------------------------------
# Programmes and standards


@login_required
def programme_list(request):
    require_role(request.user, *READERS)
    this_month = month_start(timezone.localdate())
    programmes = Programme.objects.prefetch_related(
        Prefetch("standards", queryset=Standard.objects.select_related("created_by").order_by("-effective_month")),
        Prefetch(
            "stacking_rules", queryset=StackingRule.objects.select_related("other").order_by("other__display_order")
        ),
    )
    for programme in programmes:
        standards = list(programme.standards.all())
        programme.current = next((s for s in standards if s.effective_month <= this_month), None)
        programme.upcoming = [s for s in standards if s.effective_month > this_month]
        programme.history = standards
    return render(
        request,
        "subsidies/programmes.html",
        {"programmes": programmes, "this_month": this_month, "can_edit": role_of(request.user) == Role.STAFF},
    )


@login_required
def standard_set(request, pk):
    require_role(request.user, Role.STAFF)
    programme = get_object_or_404(Programme, pk=pk)
    current = programme.standards.filter(effective_month__lte=month_start(timezone.localdate())).first()
    initial = {"effective_month": month_start(timezone.localdate()), "amount": current.amount if current else None}
    form = StandardForm(request.POST if request.method == "POST" else None, initial=initial, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.set_standard(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request,
                _("已保存：%(p)s %(m)s起每人每月 %(a)s 元。")
                % {"p": programme.name, "m": format_month(standard.effective_month), "a": standard.amount},
            )
            return redirect(f"{reverse('subsidies:programmes')}#programme-{programme.pk}")
    latest = Batch.objects.order_by("-month").values_list("month", flat=True).first()
    return render(
        request,
        "subsidies/standard_form.html",
        {
            "form": form,
            "programme": programme,
            "history": programme.standards.select_related("created_by"),
            "latest_batch_month": latest,
        },
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------------------------------------
# Enrolments


def _enrolments(user):
    return scope_related(Enrolment.objects.all(), user, "child").select_related(
        "child__township", "child__village", "programme", "applied_by", "checked_by"
    )


def _enrolment_for(user, pk) -> Enrolment:
    require_role(user, *READERS)
    return get_object_or_404(_enrolments(user).select_related("confirmed_by", "refused_by", "ended_by"), pk=pk)


def child_enrolments_context(user, child) -> dict:
    """The case file's 保障记录 section (children/views.py _case_file_context)."""
    role = role_of(user)
    return {
        "enrolments": child.enrolments.select_related("programme").order_by("programme__display_order", "-id"),
        "can_apply": role in APPLICANTS and child.status == Child.Status.ACTIVE,
    }


@login_required
def apply(request, pk):
    require_role(request.user, *APPLICANTS)
    child = get_child_for(request.user, pk, for_change=True)
    today = timezone.localdate()
    chosen = request.POST.get("programme") or request.GET.get("programme")
    form = ApplyForm(request.POST if request.method == "POST" else None, initial={"programme": chosen})
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.apply_enrolment(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已提交%(p)s申请，待乡镇查验。") % {"p": enrolment.programme.name})
            return redirect("subsidies:enrolment", pk=enrolment.pk)
    open_ones = {e.programme_id: e for e in child.enrolments.open()}
    with_standard = set(Standard.objects.filter(effective_month__lte=today).values_list("programme_id", flat=True))
    rows = [
        {
            "programme": p,
            "problems": enrolment_problems(child, p, today),
            "open": open_ones.get(p.pk),
            "has_standard": p.pk in with_standard,
        }
        for p in Programme.objects.filter(active=True)
    ]
    chosen_row = next((r for r in rows if str(r["programme"].pk) == str(chosen)), None)
    return render(
        request,
        "subsidies/apply.html",
        {"child": child, "form": form, "rows": rows, "chosen": str(chosen or ""), "chosen_row": chosen_row},
        status=400 if form.errors else 200,
    )


def _detail(request, enrolment, status=200, **forms):
    role = role_of(request.user)
    open_status = enrolment.status in Enrolment.OPEN_STATUSES and enrolment.status != Enrolment.Status.CONFIRMED
    may = {
        "check_form": role == Role.SUPERVISOR and enrolment.status == Enrolment.Status.APPLIED,
        "confirm_form": role == Role.STAFF
        and enrolment.status == Enrolment.Status.CHECKED
        and enrolment.applied_by_id != request.user.pk,
        "refuse_form": (role == Role.SUPERVISOR and enrolment.status == Enrolment.Status.APPLIED)
        or (role == Role.STAFF and open_status),
        "end_form": role == Role.STAFF and enrolment.status == Enrolment.Status.CONFIRMED,
        "review_form": role in (Role.SUPERVISOR, Role.STAFF) and enrolment.status == Enrolment.Status.SUSPENDED,
    }
    # A decision refused for a reason its own form is no longer shown for (the status moved on).
    action_errors = [
        message
        for name, form in forms.items()
        if not may[name]
        for errors in form.errors.values()
        for message in errors
    ]
    context = {
        "action_errors": action_errors,
        "enrolment": enrolment,
        "child": enrolment.child,
        "role": role,
        "problems": enrolment_problems(enrolment.child, enrolment.programme, timezone.localdate())
        if open_status
        else [],
        "may_check": may["check_form"],
        "may_confirm": may["confirm_form"],
        "may_refuse": may["refuse_form"],
        "may_end": may["end_form"],
        "may_review": may["review_form"],
        "review_form": forms.get("review_form") or ReviewForm(),
        "self_applied": role == Role.STAFF
        and enrolment.status == Enrolment.Status.CHECKED
        and enrolment.applied_by_id == request.user.pk,
        "check_form": forms.get("check_form") or CheckForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(enrolment=enrolment),
        "refuse_form": forms.get("refuse_form") or RefuseForm(),
        "end_form": forms.get("end_form") or EndForm(),
        "history": AuditEntry.objects.filter(object_type="enrolment", object_id=str(enrolment.pk)).select_related(
            "actor"
        ),
        "lines": Line.objects.filter(enrolment=enrolment).select_related("batch").order_by("-period", "-id")[:36]
        if role in COUNTY
        else None,
    }
    return render(request, "subsidies/enrolment_detail.html", context, status=status)


@login_required
def enrolment_detail(request, pk):
    return _detail(request, _enrolment_for(request.user, pk))


def _act(request, pk, *, roles, form_class, form_name, action, success, guard=None, then="subsidies:queue"):
    """The four decisions share one shape: scoped lookup, role, form, service, message or the page again."""
    enrolment = _enrolment_for(request.user, pk)
    require_role(request.user, *roles)
    form = form_class(request.POST, enrolment=enrolment) if form_class is ConfirmForm else form_class(request.POST)
    refusal = guard(enrolment) if guard else None
    if refusal:
        form.add_error(None, refusal)
    elif form.is_valid():
        try:
            enrolment = action(enrolment, form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, success(enrolment))
            return redirect(then, pk=enrolment.pk) if then == "subsidies:enrolment" else redirect(then)
    return _detail(request, enrolment, status=400, **{form_name: form})


@login_required
@require_POST
def enrolment_check(request, pk):
    return _act(
        request,
        pk,
        roles=[Role.SUPERVISOR],
        form_class=CheckForm,
        form_name="check_form",
        action=lambda e, data: services.check_enrolment(actor=request.user, enrolment=e, note=data["note"]),
        success=lambda e: _("已查验通过，报民政局确认：%(c)s %(p)s。") % {"c": e.child.name, "p": e.programme.name},
    )


@login_required
@require_POST
def enrolment_confirm(request, pk):
    return _act(
        request,
        pk,
        roles=[Role.STAFF],
        form_class=ConfirmForm,
        form_name="confirm_form",
        action=lambda e, data: services.confirm_enrolment(
            actor=request.user, enrolment=e, confirmed_on=data["confirmed_on"]
        ),
        success=lambda e: (
            _("已确认：%(c)s %(p)s，%(m)s起发放。")
            % {"c": e.child.name, "p": e.programme.name, "m": format_month(e.start_month)}
        ),
    )


@login_required
@require_POST
def enrolment_refuse(request, pk):
    def guard(enrolment):
        if role_of(request.user) == Role.SUPERVISOR and enrolment.status == Enrolment.Status.CHECKED:
            return _("该申请已报民政局，由民政局处理。")
        return None

    return _act(
        request,
        pk,
        roles=[Role.SUPERVISOR, Role.STAFF],
        form_class=RefuseForm,
        form_name="refuse_form",
        action=lambda e, data: services.refuse_enrolment(
            actor=request.user, enrolment=e, reason=data["refusal_reason"]
        ),
        success=lambda e: _("已不予通过：%(c)s %(p)s。") % {"c": e.child.name, "p": e.programme.name},
        guard=guard,
    )


@login_required
@require_POST
def enrolment_end(request, pk):
    def success(e):
        message = _("已终止：%(c)s %(p)s，最后发放月份 %(m)s。") % {
            "c": e.child.name,
            "p": e.programme.name,
            "m": format_month(e.end_month),
        }
        if e.needs_reconcile:
            message += _("此后已发放的月份将在下一批次扣减。")
        return message

    return _act(
        request,
        pk,
        roles=[Role.STAFF],
        form_class=EndForm,
        form_name="end_form",
        action=lambda e, data: services.end_enrolment(
            actor=request.user, enrolment=e, reason=data["reason"], event_day=data["event_day"]
        ),
        success=success,
        then="subsidies:enrolment",
    )


@login_required
@require_POST
def enrolment_review(request, pk):
    return _act(
        request,
        pk,
        roles=[Role.SUPERVISOR, Role.STAFF],
        form_class=ReviewForm,
        form_name="review_form",
        action=lambda e, data: services.review_suspension(
            actor=request.user, enrolment=e, outcome=data["outcome"], note=data["note"]
        ),
        success=lambda e: (
            _("已复核：%(c)s %(p)s（%(s)s）。")
            % {"c": e.child.name, "p": e.programme.name, "s": e.get_status_display()}
        ),
        then="subsidies:enrolment",
    )


@login_required
def enrolment_list(request):
    require_role(request.user, *READERS)
    form = EnrolmentFilterForm(request.GET or None, user=request.user)
    enrolments = _enrolments(request.user).order_by("-applied_on", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            enrolments = enrolments.filter(child__name__contains=data["q"].strip())
        if data["programme"]:
            enrolments = enrolments.filter(programme=data["programme"])
        if data["status"]:
            enrolments = enrolments.filter(status=data["status"])
        if data["township"]:
            enrolments = enrolments.filter(child__township=data["township"])
    paginator = CappedPaginator(enrolments, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "subsidies/enrolment_list.html",
        {"form": form, "page": page, "paginator": paginator, "query": query.urlencode()},
    )


def _with_problems(enrolments, today):
    rows = list(enrolments[:QUEUE_SIZE])
    for e in rows:
        e.problems = enrolment_problems(e.child, e.programme, today)
    return rows


def _to_end(enrolments, today):
    """Confirmed enrolments the records say should end: the child's file is closed or past the age limit."""
    condition = Q(child__status=Child.Status.CLOSED)
    for age in set(Programme.objects.exclude(age_limit__isnull=True).values_list("age_limit", flat=True)):
        condition |= Q(programme__age_limit=age, child__birth_date__lte=add_years(today, -age))
    return enrolments.filter(condition, status=Enrolment.Status.CONFIRMED, end_month__isnull=True)


@login_required
def queue(request):
    """What waits for someone: the township's check, the bureau's confirmation, enrolments to end."""
    require_role(request.user, *READERS)
    today = timezone.localdate()
    enrolments = _enrolments(request.user).order_by("applied_on", "id")
    to_check = enrolments.filter(status=Enrolment.Status.APPLIED)
    to_confirm = enrolments.filter(status=Enrolment.Status.CHECKED)
    to_end = _to_end(enrolments, today)
    role = role_of(request.user)
    return render(
        request,
        "subsidies/queue.html",
        {
            "role": role,
            "mine_check": role == Role.SUPERVISOR,
            "mine_confirm": role == Role.STAFF,
            "to_check": _with_problems(to_check, today),
            "to_check_count": to_check.count(),
            "to_confirm": _with_problems(to_confirm, today),
            "to_confirm_count": to_confirm.count(),
            "to_end": list(to_end[:QUEUE_SIZE]),
            "to_end_count": to_end.count(),
            "limit": QUEUE_SIZE,
        },
    )


@login_required
def changes(request):
    """动态新增/减员 of a month, derived from the enrolments."""
    require_role(request.user, *READERS)
    this_month = month_start(timezone.localdate())
    form = MonthChoiceForm(request.GET or None, initial={"month": this_month})
    valid = form.is_valid() or not form.is_bound
    month = form.cleaned_data["month"] if form.is_bound and valid else this_month  # else this month, with the error
    return render(
        request,
        "subsidies/changes.html",
        {
            "form": form,
            "changes": month_changes(scope_related(Enrolment.objects.all(), request.user, "child"), month),
            "month": month,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1),
        },
        status=200 if valid else 400,
    )


def todo_counts(user) -> dict:
    """The dashboard's "what you need to do", for the user's role."""
    role = role_of(user)
    if role not in READERS:
        return {}
    enrolments = scope_related(Enrolment.objects.all(), user, "child")
    counts = {}
    if role in (Role.SUPERVISOR, Role.STAFF):
        counts["to_check"] = enrolments.filter(status=Enrolment.Status.APPLIED).count()
    if role == Role.STAFF:
        counts["to_confirm"] = enrolments.filter(status=Enrolment.Status.CHECKED).count()
        counts["to_end"] = _to_end(enrolments, timezone.localdate()).count()
    if role in COUNTY:
        drafts = Batch.objects.filter(status=Batch.Status.DRAFT)
        counts["to_approve"] = drafts.exclude(run_by=user).count()
    return counts
