"""Guardianship agreement pages: the work list, filling in, printing, signing and ending an agreement.

Every lookup goes through dingzhou_welfare.access (404 outside the user's scope); every write is
one call into children.agreements.services, which checks and audits.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingzhou_welfare.access import can_change_children, can_reveal, require_role, scope_children
from dingzhou_welfare.forms import form_errors_from
from dingzhou_welfare.idnumbers import parse_id_number
from dingzhou_welfare.models import Role
from dingzhou_welfare.pagination import CappedPaginator
from dingzhou_welfare.pdf import pdf_response, render_pdf
from dingzhou_welfare.reveals import record_reveal_on_get

from .. import services as child_services
from ..access import get_child_for
from ..models import Child, GuardianshipAgreement, age_on
from . import services as agreements
from .forms import AgreementForm, EndAgreementForm, SignForm, WorkListForm

READERS = (Role.CASEWORKER, Role.SUPERVISOR, Role.STAFF, Role.LEADER)
PAGE_SIZE = 50


def _agreement_for(user, pk, agreement_pk, *, for_change=False):
    child = get_child_for(user, pk, for_change=for_change)
    return child, get_object_or_404(GuardianshipAgreement.objects.select_related("scan"), pk=agreement_pk, child=child)


@login_required
def work_list(request):
    """Left-behind children of the user's scope by agreement state: what is missing or running out first."""
    require_role(request.user, *READERS)
    today = timezone.localdate()
    form = WorkListForm(request.GET or None, user=request.user)
    scoped = scope_children(Child.objects.all(), request.user)
    children = agreements.with_agreement_state(agreements.left_behind_children(scoped, today), today)
    state = "todo"
    if form.is_valid():
        data = form.cleaned_data
        state = data["state"] or "todo"
        if data["township"]:
            children = children.filter(township=data["township"])
        if data["q"]:
            children = children.filter(name__contains=data["q"].strip())
    if state != "all":
        children = children.filter(agreements.state_filter(state))
    children = children.select_related("township", "village").order_by("agreement_state", "covered_until", "pk")
    paginator = CappedPaginator(children, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for child in page.object_list:
        child.state_key = agreements.State.KEYS[child.agreement_state]
        child.state_label = agreements.State.LABELS[child.agreement_state]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "agreements/list.html",
        {
            "form": form,
            "page": page,
            "paginator": paginator,
            "query": query.urlencode(),
            "state": state,
            "coverage": agreements.coverage(scoped, today),
            "warning_days": agreements.EXPIRY_WARNING_DAYS,
            "can_change": can_change_children(request.user),
        },
    )


def _form_page(request, child, form, agreement=None, status=200):
    return render(
        request,
        "agreements/form.html",
        {"child": child, "form": form, "agreement": agreement, "age": child.age_on(timezone.localdate())},
        status=status,
    )


@login_required
def agreement_create(request, pk):
    child = get_child_for(request.user, pk, for_change=True)
    initial = agreements.initial_data(child, today=timezone.localdate())
    form = AgreementForm(request.POST if request.method == "POST" else None, initial=initial)
    record_reveal_on_get(request, form, obj=child, child=child, what=_("新建委托监护确认书（由档案预填）"))
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreements.save_agreement(actor=request.user, child=child, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存确认书。请打印后由委托人和受委托人签字，再上传签字后的扫描件。"))
            return redirect("children:agreement", pk=child.pk, agreement_pk=agreement.pk)
    return _form_page(request, child, form, status=400 if form.errors else 200)


@login_required
def agreement_edit(request, pk, agreement_pk):
    child, agreement = _agreement_for(request.user, pk, agreement_pk, for_change=True)
    if agreement.status != GuardianshipAgreement.Status.DRAFT:
        messages.warning(request, _("已签订或已终止的确认书不能修改；如有变化请终止后重新签订。"))
        return redirect("children:agreement", pk=child.pk, agreement_pk=agreement.pk)
    form = AgreementForm(request.POST if request.method == "POST" else None, instance=agreement)
    record_reveal_on_get(request, form, obj=agreement, child=child, what=_("委托监护确认书编辑页面"))
    if request.method == "POST" and form.is_valid():
        try:
            agreements.save_agreement(actor=request.user, child=child, data=form.cleaned_data, agreement=agreement)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存修改。"))
            return redirect("children:agreement", pk=child.pk, agreement_pk=agreement.pk)
    return _form_page(request, child, form, agreement, status=400 if form.errors else 200)


def _detail(request, child, agreement, status=200, **forms):
    context = {
        "child": child,
        "agreement": agreement,
        "can_change": can_change_children(request.user),
        "can_reveal": can_reveal(request.user),
        "sign_form": forms.get("sign_form") or SignForm(),
        "end_form": forms.get("end_form") or EndAgreementForm(),
        "covers_today": agreement.covers(timezone.localdate()),
        "revealed": forms.get("revealed", False),
    }
    return render(request, "agreements/detail.html", context, status=status)


@login_required
def agreement_detail(request, pk, agreement_pk):
    child, agreement = _agreement_for(request.user, pk, agreement_pk)
    return _detail(request, child, agreement)


@login_required
@require_POST
def agreement_reveal(request, pk, agreement_pk):
    """The carer's ID number and phone in full, as on the case file, and recorded that they were seen."""
    child, agreement = _agreement_for(request.user, pk, agreement_pk)
    if not can_reveal(request.user):
        raise Http404
    child_services.record_reveal(actor=request.user, child=child, what=_("委托监护确认书的受委托人身份证号和电话"))
    return _detail(request, child, agreement, revealed=True)


@login_required
@require_POST
def agreement_sign(request, pk, agreement_pk):
    child, agreement = _agreement_for(request.user, pk, agreement_pk, for_change=True)
    form = SignForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            agreements.sign_agreement(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已登记签订的确认书。"))
            return redirect("children:agreement", pk=child.pk, agreement_pk=agreement.pk)
    return _detail(request, child, agreement, status=400, sign_form=form)


@login_required
@require_POST
def agreement_end(request, pk, agreement_pk):
    child, agreement = _agreement_for(request.user, pk, agreement_pk, for_change=True)
    form = EndAgreementForm(request.POST)
    if form.is_valid():
        try:
            agreements.end_agreement(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已终止确认书。"))
            return redirect("children:agreement", pk=child.pk, agreement_pk=agreement.pk)
    return _detail(request, child, agreement, status=400, end_form=form)


@login_required
def agreement_pdf(request, pk, agreement_pk):
    """The agreement pre-filled for signing (full ID numbers only for who may see them; printing is audited)."""
    child, agreement = _agreement_for(request.user, pk, agreement_pk)
    full = can_reveal(request.user)
    today = timezone.localdate()
    try:
        carer_age = age_on(parse_id_number(agreement.carer_id_number).birth_date, today)
    except ValidationError:
        carer_age = None
    if full:
        agreements.record_print(actor=request.user, agreement=agreement)
    content = render_pdf(
        "agreements/pdf/agreement.html",
        {"child": child, "agreement": agreement, "full": full, "today": today, "carer_age": carer_age},
        request=request,
    )
    return pdf_response(content, _("委托监护责任确认书-%(n)s.pdf") % {"n": child.name})
