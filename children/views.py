"""Children registry pages. Every lookup goes through dingzhou_welfare.access."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingzhou_welfare import versions
from dingzhou_welfare.access import (
    can_change_children,
    can_reveal,
    require_role,
    scope_children,
    scope_key,
    scope_related,
)
from dingzhou_welfare.files import file_response, open_stored
from dingzhou_welfare.forms import form_errors_from
from dingzhou_welfare.models import Role
from dingzhou_welfare.pagination import KeptCountPaginator
from dingzhou_welfare.reveals import record_reveal_on_get

from . import casefile, listing, services
from .access import get_child_for
from .filters import ChildFilter
from .forms import (
    CHILD_FIELDS,
    CarerForm,
    ChildForm,
    ClassificationForm,
    CloseChildForm,
    DocumentForm,
    EndClassificationForm,
    NotDuplicateForm,
    ParentSituationForm,
    PaymentAccountForm,
    RevealForm,
    ReviewForm,
)
from .models import ChildDocument, Classification, PaymentAccount
from .rules import classification_problems, matrix_situations, situations_on

PAGE_SIZE = 25


def _change_required(user):
    if not can_change_children(user):
        raise Http404


@login_required
def child_list(request):
    filterset = ChildFilter(request.GET or None, queryset=listing.children_for(request.user), request=request)
    paginator = KeptCountPaginator(
        filterset.qs,
        PAGE_SIZE,
        topic=listing.COUNTS_TOPIC,
        key=(scope_key(request.user), filterset.key()),
        version=versions.of(request, listing.COUNTS_TOPIC),
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    shown = {name for name, value in query.items() if value and name in filterset.form.fields}
    return render(
        request,
        "children/list.html",
        {
            "filter": filterset,
            "page": page,
            "columns": listing.COLUMNS,
            "rows": listing.rows(page),
            "paginator": paginator,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "query": query.urlencode(),
            "kept": [(name, value) for name, value in query.items() if name in filterset.form.fields],
            "active_filters": len(shown - {"q", "sort"}),
            "can_change": can_change_children(request.user),
            "may_unmask": can_reveal(request.user),
        },
    )


def _classifications_with_problems(child, today, parents):
    """Each classification, with the reasons the data no longer supports it if it is still open."""
    entries = list(child.classifications.all())
    for entry in entries:
        entry.end_form = EndClassificationForm(auto_id=end_form_ids(entry))  # ids of its own: one form per row
        entry.problems = (
            classification_problems(child, entry.kind, today, parents=parents) if entry.end_date is None else []
        )
    return entries


def end_form_ids(entry) -> str:
    return f"id_end{entry.pk}_%s"


def _case_file_context(request, child, **extra):
    today = timezone.localdate()
    parents = situations_on(child, today)
    documents = list(child.documents.select_related("uploaded_by"))
    context = {
        "child": child,
        "age": child.age_on(today),
        "today": today,
        "classifications": _classifications_with_problems(child, today, matrix_situations(child, today)),
        "parent_situations": child.parent_situations.select_related("document"),
        "current_parents": parents,
        "photo": next((d for d in documents if d.kind == ChildDocument.Kind.PHOTO), None),
        "carers": child.carers.all(),
        "account": PaymentAccount.objects.filter(child=child).first(),
        "documents": documents,
        "audit": child.audit_entries.select_related("actor")[:50],
        "can_change": can_change_children(request.user),
        "can_reveal": can_reveal(request.user),
        "classification_form": ClassificationForm(),
        "document_form": DocumentForm(),
        "close_form": CloseChildForm(),
        "revealed": set(),
        "duplicates": list(
            scope_children(services.likely_duplicates_of(child), request.user).select_related("township", "village")
        )
        if child.likely_duplicate
        else [],
        "not_duplicate_form": NotDuplicateForm(),
        **casefile.sections_context(request.user, child),
    }
    context.update(extra)
    return context


@login_required
def child_detail(request, pk):
    child = get_child_for(request.user, pk)
    return render(request, "children/detail.html", _case_file_context(request, child))


@login_required
@require_POST
def child_reveal(request, pk):
    """Show a masked value in full, and record that it was seen."""
    child = get_child_for(request.user, pk)
    form = RevealForm(request.POST)
    if not can_reveal(request.user) or not form.is_valid():
        raise Http404
    labels = {"child_id": _("儿童身份证号和残疾证号"), "account": _("发放账户"), "carer": _("监护人身份证号和电话")}
    services.record_reveal(actor=request.user, child=child, what=labels[form.cleaned_data["what"]])
    return render(
        request, "children/detail.html", _case_file_context(request, child, revealed={form.cleaned_data["what"]})
    )


@login_required
def child_create(request):
    _change_required(request.user)
    form = ChildForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.create_child(actor=request.user, data={f: form.cleaned_data[f] for f in CHILD_FIELDS})
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已建立 %(name)s 的档案。") % {"name": child.name})
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/form.html", {"form": form, "title": _("新建儿童档案")})


@login_required
def child_edit(request, pk):
    child = get_child_for(request.user, pk, for_change=True)
    form = ChildForm(request.POST or None, instance=child, user=request.user)
    record_reveal_on_get(request, form, obj=child, child=child, what=_("儿童信息编辑页面"))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_child(actor=request.user, child=child, data={f: form.cleaned_data[f] for f in CHILD_FIELDS})
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存修改。"))
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/form.html", {"form": form, "child": child, "title": _("修改儿童信息")})


@login_required
@require_POST
def classification_add(request, pk):
    child = get_child_for(request.user, pk, for_change=True)
    form = ClassificationForm(request.POST)
    if form.is_valid():
        try:
            services.add_classification(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已添加类别。"))
            return redirect("children:detail", pk=child.pk)
    context = _case_file_context(request, child, classification_form=form)
    return render(request, "children/detail.html", context, status=400)


@login_required
@require_POST
def classification_end(request, pk, classification_pk):
    child = get_child_for(request.user, pk, for_change=True)
    entry = get_object_or_404(child.classifications, pk=classification_pk)
    form = EndClassificationForm(request.POST, auto_id=end_form_ids(entry))
    if form.is_valid():
        try:
            services.end_classification(
                actor=request.user,
                classification=entry,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["end_reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已终止类别。"))
            return redirect("children:detail", pk=child.pk)
    context = _case_file_context(request, child, end_form=form, end_form_for=entry.pk)
    return render(request, "children/detail.html", context, status=400)


@login_required
def parent_situation_add(request, pk):
    child = get_child_for(request.user, pk, for_change=True)
    form = ParentSituationForm(
        request.POST or None, request.FILES or None, initial={"parent": request.GET.get("parent")}
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "evidence_file"}
        try:
            services.record_parent_situation(
                actor=request.user, child=child, data=data, evidence_file=form.cleaned_data["evidence_file"]
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已登记父母情况。"))
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/form.html", {"form": form, "child": child, "title": _("登记父母情况")})


@login_required
def carer_edit(request, pk):
    child = get_child_for(request.user, pk, for_change=True)
    carer = child.carers.filter(is_primary=True).first()
    form = CarerForm(request.POST or None, instance=carer)
    record_reveal_on_get(request, form, obj=carer or child, child=child, what=_("监护人/照料人编辑页面"))
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "is_primary": True}
        try:
            services.save_carer(actor=request.user, child=child, data=data, carer=carer)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存监护人/照料人。"))
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/form.html", {"form": form, "child": child, "title": _("监护人/照料人")})


@login_required
def payment_account_edit(request, pk):
    child = get_child_for(request.user, pk, for_change=True)
    if not can_reveal(request.user):
        raise Http404
    account = PaymentAccount.objects.filter(child=child).first()
    form = PaymentAccountForm(request.POST or None, instance=account)
    record_reveal_on_get(request, form, obj=account or child, child=child, what=_("发放账户编辑页面"))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_payment_account(actor=request.user, child=child, data=form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存发放账户。"))
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/form.html", {"form": form, "child": child, "title": _("发放账户")})


@login_required
@require_POST
def document_upload(request, pk):
    child = get_child_for(request.user, pk, for_change=True)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        services.add_document(
            actor=request.user,
            child=child,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("已上传材料。"))
        return redirect("children:detail", pk=child.pk)
    return render(request, "children/detail.html", _case_file_context(request, child, document_form=form), status=400)


@login_required
def document_download(request, pk, document_pk):
    child = get_child_for(request.user, pk)
    document = get_object_or_404(ChildDocument, pk=document_pk, child=child)
    if document.kind != ChildDocument.Kind.PHOTO:  # the photo shows on every case file view
        services.record_download(actor=request.user, document=document)
    return file_response(
        open_stored(document.file),
        content_type=document.content_type,
        attachment=not document.is_image and document.content_type != "application/pdf",
        filename=document.original_name,
    )


# 年度复核: the reviews due within this many days are listed beside the overdue ones.
REVIEW_HORIZON = datetime.timedelta(days=30)
REVIEW_LIST_CAP = 500
REVIEWERS = (Role.CASEWORKER, Role.SUPERVISOR, Role.STAFF, Role.LEADER)


@login_required
def review_list(request):
    """The annual reviews due and overdue in the user's townships, grouped by township."""
    require_role(request.user, *REVIEWERS)
    today = timezone.localdate()
    due = scope_related(Classification.objects.review_due_by(today + REVIEW_HORIZON), request.user)
    rows = list(
        due.select_related("child", "child__township", "child__village").order_by(
            "child__township__code", "next_review", "child__name", "id"
        )[:REVIEW_LIST_CAP]
    )
    context = {
        "rows": rows,
        "today": today,
        "overdue": due.filter(next_review__lt=today).count(),
        "total": due.count(),
        "cap": REVIEW_LIST_CAP,
        "can_change": can_change_children(request.user),
    }
    return render(request, "children/reviews.html", context)


@login_required
def review_record(request, pk, classification_pk):
    child = get_child_for(request.user, pk, for_change=True)
    entry = get_object_or_404(child.classifications.open(), pk=classification_pk)
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_review(actor=request.user, classification=entry, **data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已记录年度复核。"))
            return redirect("children:detail", pk=child.pk)
    title = _("年度复核：%(k)s") % {"k": entry.get_kind_display()}
    status = 400 if request.method == "POST" else 200
    return render(request, "children/form.html", {"form": form, "child": child, "title": title}, status=status)
