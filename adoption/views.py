"""Adoption pages: bureau staff work the cases, the leader reads them; everyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingzhou_welfare.access import can_reveal, require_role, role_of
from dingzhou_welfare.files import file_response, open_stored
from dingzhou_welfare.forms import form_errors_from
from dingzhou_welfare.models import Role
from dingzhou_welfare.pagination import CappedPaginator
from dingzhou_welfare.pdf import pdf_response
from dingzhou_welfare.reveals import record_reveal_on_get

from . import services
from .eligibility import check_case
from .forms import (
    ApplicantForm,
    CaseFilterForm,
    CaseForm,
    CompleteAssessmentForm,
    DocumentForm,
    FindingsForm,
    NewCaseForm,
    NoteForm,
    NoticeForm,
    ReasonForm,
    RegisterForm,
    StartAssessmentForm,
    StartIntegrationForm,
)
from .models import OPEN_STATES, PATH, AdoptionCase, Applicant, CaseDocument, Dimension, State
from .reports import render_assessment_pdf, render_registration_pdf

READERS = (Role.STAFF, Role.LEADER)
# The form of the step each state shows; refusal, withdrawal and the notice show while the case is open.
STATE_FORMS = {
    State.APPLICATION: "submit_form",
    State.REVIEW: "assessment_form",
    State.ASSESSMENT: "integration_form",
    State.INTEGRATION: "complete_form",
    State.DECISION: "register_form",
}


# The two reason boxes (不予登记, 撤回) are on the page together: each its own ids, so each label names its box.
FORM_IDS = {"refuse_form": "id_refuse_%s", "withdraw_form": "id_withdraw_%s"}


def _forms_on_page(case) -> set[str]:
    """The step forms the case page shows for the case as it is (what detail.html renders)."""
    if not case.is_open:
        return set()
    shown = {STATE_FORMS[case.state], "withdraw_form"}
    if case.state != State.APPLICATION:
        shown.add("refuse_form")
        if case.needs_notice:
            shown.add("notice_form")
    return shown


PAGE_SIZE = 25


def _require_reader(user):
    require_role(user, *READERS)


def _can_change(user) -> bool:
    return role_of(user) == Role.STAFF


def _case_for(user, pk, *, for_change=False) -> AdoptionCase:
    """The case if the user may see it (staff and leader, county-wide), and change it (staff), else 404."""
    _require_reader(user)
    if for_change and not _can_change(user):
        raise Http404
    return get_object_or_404(AdoptionCase.objects.select_related("child", "child__township", "child__village"), pk=pk)


@login_required
def case_list(request):
    _require_reader(request.user)
    form = CaseFilterForm(request.GET or None)
    cases = AdoptionCase.objects.select_related("child", "child__township").prefetch_related("applicants")
    state = ""
    if form.is_valid():
        state = form.cleaned_data["state"]
        if state:
            cases = cases.filter(state=state)
        if form.cleaned_data["q"]:
            q = form.cleaned_data["q"].strip()
            cases = cases.filter(Q(child__name__contains=q) | Q(applicants__name__contains=q)).distinct()
    counts = dict(AdoptionCase.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    tabs = [(s.value, s.label, counts.get(s.value, 0)) for s in State]
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "adoption/list.html",
        {
            "form": form,
            "page": page,
            "tabs": tabs,
            "state": state,
            "open_count": sum(counts.get(s.value, 0) for s in OPEN_STATES),
            "query": query.urlencode(),
            "can_change": _can_change(request.user),
        },
    )


@login_required
def case_create(request):
    _require_reader(request.user)
    if not _can_change(request.user):
        raise Http404
    form = NewCaseForm(request.POST or None, initial={"child_ref": request.GET.get("child", "")})
    if request.method == "POST":
        if form.is_valid():
            try:
                case = services.open_case(actor=request.user, child=form.child, data=form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已登记收养申请，请继续登记收养人并上传材料。"))
                return redirect("adoption:detail", pk=case.pk)
        return render(request, "adoption/form.html", {"form": form, "title": _("收养申请")}, status=400)
    return render(request, "adoption/form.html", {"form": form, "title": _("收养申请")})


def _progress(case):
    """The path as steps: done, current or to come (a refused or withdrawn case stops where it was)."""
    reached = {step.to_state for step in case.steps.all()}
    steps = []
    for state in PATH:
        if case.state == state:
            status = "current"
        elif state in reached:
            status = "done"
        else:
            status = "todo"
        steps.append({"label": state.label, "status": status})
    return steps


def _detail_context(request, case, **forms):
    today = timezone.localdate()
    day = case.registered_on or today
    applicants = list(case.applicants.all())
    assessment = services.assessment_of(case)
    findings = {}
    if assessment:
        findings = {f.dimension: f for f in assessment.findings.select_related("recorded_by")}
    move = services.NEXT_MOVE.get(case.state)
    context = {
        "case": case,
        "child": case.child,
        "child_age": case.child.age_on(day),
        "applicants": applicants,
        "checks": check_case(case, day=day, applicants=applicants),
        "check_day": day,
        "assessment": assessment,
        "dimensions": [(d, findings.get(d.value)) for d in Dimension],
        "documents": case.documents.select_related("applicant", "uploaded_by"),
        "document_gaps": services.document_gaps(case) if case.is_open else [],
        "steps": case.steps.select_related("actor"),
        "progress": _progress(case),
        "next_move": move,
        "gaps": services.gaps(case, move, day=today) if move else [],
        "can_change": _can_change(request.user),
        "is_open": case.is_open,
        "today": today,
        "document_form": DocumentForm(case=case),
        "submit_form": NoteForm(),
        "assessment_form": StartAssessmentForm(),
        "integration_form": StartIntegrationForm(),
        "complete_form": CompleteAssessmentForm(case=case) if case.state == State.INTEGRATION else None,
        "notice_form": NoticeForm(initial={"published_on": case.notice_published_on, "medium": case.notice_medium}),
        "register_form": RegisterForm(),
        "refuse_form": ReasonForm(auto_id=FORM_IDS["refuse_form"]),
        "withdraw_form": ReasonForm(auto_id=FORM_IDS["withdraw_form"]),
        "can_print_assessment": bool(assessment and assessment.report_date),
        "can_print_registration": case.state in (State.DECISION, State.REGISTERED),
    }
    context.update(forms)
    return context


@login_required
def case_detail(request, pk):
    case = _case_for(request.user, pk)
    return render(request, "adoption/detail.html", _detail_context(request, case))


@login_required
def case_edit(request, pk):
    case = _case_for(request.user, pk, for_change=True)
    form = CaseForm(request.POST or None, instance=case)
    record_reveal_on_get(
        request, form, obj=case, child=case.child, what=_("收养案件 %(n)s 编辑页面") % {"n": case.number}
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_case(actor=request.user, case=case, data=form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已保存修改。"))
                return redirect("adoption:detail", pk=case.pk)
        case.refresh_from_db()
        return render(request, "adoption/form.html", {"form": form, "case": case, "title": _("修改案件")}, status=400)
    return render(
        request,
        "adoption/form.html",
        {
            "form": form,
            "case": case,
            "title": _("修改案件"),
            "locked": None if case.is_open else _("案件已办结，不能再修改。"),
        },
    )


def _applicant_page(request, case, applicant):
    form = ApplicantForm(request.POST or None, instance=applicant)
    title = _("修改收养人") if applicant else _("登记收养人")
    locked = None if case.state in (State.APPLICATION, State.REVIEW) else _("收养评估开始后不能再修改收养人信息。")
    record_reveal_on_get(
        request, form, obj=case, child=case.child, what=_("收养人编辑页面（案件 %(n)s）") % {"n": case.number}
    )
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.save_applicant(actor=request.user, case=case, data=data, applicant=applicant)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已保存收养人信息。"))
                return redirect("adoption:detail", pk=case.pk)
        return render(
            request, "adoption/form.html", {"form": form, "case": case, "title": title, "locked": locked}, status=400
        )
    return render(request, "adoption/form.html", {"form": form, "case": case, "title": title, "locked": locked})


@login_required
def applicant_add(request, pk):
    case = _case_for(request.user, pk, for_change=True)
    return _applicant_page(request, case, None)


@login_required
def applicant_edit(request, pk, applicant_pk):
    case = _case_for(request.user, pk, for_change=True)
    applicant = get_object_or_404(Applicant, pk=applicant_pk, case=case)
    return _applicant_page(request, case, applicant)


@login_required
@require_POST
def document_upload(request, pk):
    case = _case_for(request.user, pk, for_change=True)
    form = DocumentForm(request.POST, request.FILES, case=case)
    if form.is_valid():
        try:
            services.add_document(
                actor=request.user,
                case=case,
                party=form.cleaned_data["party"],
                applicant=form.cleaned_data["applicant"],
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已上传材料。"))
            return redirect(f"{case.get_absolute_url()}#documents")
    return render(request, "adoption/detail.html", _detail_context(request, case, document_form=form), status=400)


@login_required
def document_download(request, pk, document_pk):
    case = _case_for(request.user, pk)
    document = get_object_or_404(CaseDocument, pk=document_pk, case=case)
    services.record_download(actor=request.user, document=document)
    return file_response(
        open_stored(document.file),
        content_type=document.content_type,
        attachment=not document.is_image and document.content_type != "application/pdf",
        filename=document.original_name,
    )


@login_required
def findings_edit(request, pk):
    """The assessors' findings, dimension by dimension (read-only outside the assessment)."""
    case = _case_for(request.user, pk, for_change=True)
    editable = case.state in (State.ASSESSMENT, State.INTEGRATION)
    form = FindingsForm(request.POST or None, case=case) if editable else None
    if request.method == "POST":
        if form is None:
            messages.error(
                request, _("只有评估期间可以填写评估内容（案件当前为“%(s)s”）。") % {"s": case.get_state_display()}
            )
        elif form.is_valid():
            try:
                services.record_findings(actor=request.user, case=case, findings=form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("已保存评估内容。"))
                return redirect(f"{case.get_absolute_url()}#assessment")
        status = 400
    else:
        status = 200
    findings = {}
    if services.assessment_of(case):
        findings = {f.dimension: f for f in case.assessment.findings.select_related("recorded_by")}
    return render(
        request,
        "adoption/findings.html",
        {"case": case, "form": form, "dimensions": [(d, findings.get(d.value)) for d in Dimension]},
        status=status,
    )


def _step(request, pk, form_class, key, call, success):
    """A step posted from the case page: the service moves the case, or the page comes back with the errors."""
    case = _case_for(request.user, pk, for_change=True)
    form = form_class(request.POST, auto_id=FORM_IDS.get(key, "id_%s"))
    if form.is_valid():
        try:
            call(case, form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, success)
            return redirect("adoption:detail", pk=case.pk)
    case.refresh_from_db()
    context = _detail_context(request, case, **{key: form})
    context["failed_form"] = key
    if key not in _forms_on_page(case):
        context["step_errors"] = form.non_field_errors()  # the form is not on the page: say it on top
    return render(request, "adoption/detail.html", context, status=400)


@login_required
@require_POST
def case_submit(request, pk):
    return _step(
        request,
        pk,
        NoteForm,
        "submit_form",
        lambda case, d: services.submit_application(actor=request.user, case=case, note=d["note"]),
        _("已受理，进入初审。"),
    )


@login_required
@require_POST
def case_start_assessment(request, pk):
    return _step(
        request,
        pk,
        StartAssessmentForm,
        "assessment_form",
        lambda case, d: services.start_assessment(actor=request.user, case=case, **d),
        _("初审通过，已开始收养评估。"),
    )


@login_required
@require_POST
def case_start_integration(request, pk):
    return _step(
        request,
        pk,
        StartIntegrationForm,
        "integration_form",
        lambda case, d: services.start_integration(actor=request.user, case=case, start=d["start"], note=d["note"]),
        _("融合期已开始。"),
    )


@login_required
@require_POST
def case_complete_assessment(request, pk):
    return _step(
        request,
        pk,
        CompleteAssessmentForm,
        "complete_form",
        lambda case, d: services.complete_assessment(actor=request.user, case=case, **d),
        _("评估报告已完成，进入登记审查。"),
    )


@login_required
@require_POST
def case_notice(request, pk):
    return _step(
        request,
        pk,
        NoticeForm,
        "notice_form",
        lambda case, d: services.record_notice(actor=request.user, case=case, **d),
        _("已登记寻亲公告。"),
    )


@login_required
@require_POST
def case_refuse(request, pk):
    return _step(
        request,
        pk,
        ReasonForm,
        "refuse_form",
        lambda case, d: services.refuse_registration(actor=request.user, case=case, reason=d["reason"]),
        _("已决定不予登记。"),
    )


@login_required
@require_POST
def case_withdraw(request, pk):
    return _step(
        request,
        pk,
        ReasonForm,
        "withdraw_form",
        lambda case, d: services.withdraw_case(actor=request.user, case=case, reason=d["reason"]),
        _("申请已撤回。"),
    )


@login_required
def assessment_pdf(request, pk):
    case = _case_for(request.user, pk)
    if not (services.assessment_of(case) and case.assessment.report_date):
        raise Http404
    content = render_assessment_pdf(case, reveal=can_reveal(request.user))
    services.record_print(actor=request.user, case=case, what=_("收养评估报告"))
    return pdf_response(content, _("收养评估报告-%(n)s.pdf") % {"n": case.number})


@login_required
def registration_pdf(request, pk):
    case = _case_for(request.user, pk)
    if case.state not in (State.DECISION, State.REGISTERED):
        raise Http404
    content = render_registration_pdf(case, reveal=can_reveal(request.user))
    services.record_print(actor=request.user, case=case, what=_("收养登记审查处理表"))
    return pdf_response(content, _("收养登记审查处理表-%(n)s.pdf") % {"n": case.number})
