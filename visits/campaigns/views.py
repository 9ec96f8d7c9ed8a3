"""Care campaign pages: the campaigns, one campaign's totals (page and Excel), and recording handouts.

Bureau staff create and change campaigns; caseworkers, supervisors and staff record handouts for
the children of their scope (404 outside it, and for the read-only leader); totals count only
the children the user may see.
"""

import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from children.access import get_child_for
from children.models import Child, Classification
from dingzhou_welfare.access import can_change_children, require_role, role_of, scope_children, scope_related
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.forms import form_errors_from
from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.pagination import CappedPaginator
from dingzhou_welfare.spreadsheets import write_xlsx

from . import services, totals
from .forms import DEFAULT_ITEMS, CampaignForm, ChildSearchForm, HandoutForm, ItemFormSet, item_rows
from .models import Campaign, Handout

READERS = (Role.CASEWORKER, Role.SUPERVISOR, Role.STAFF, Role.LEADER)
RECORDERS = (Role.CASEWORKER, Role.SUPERVISOR, Role.STAFF)
PAGE_SIZE = 30
RECENT = 50


def _scope_label(user) -> str:
    if role_of(user) in (Role.STAFF, Role.LEADER):
        return _("全市")
    profile = user.profile
    villages = list(profile.villages.values_list("name", flat=True))
    townships = _("、").join(profile.townships.values_list("name", flat=True))
    return f"{townships}：{_('、').join(villages)}" if villages else townships


@login_required
def campaign_list(request):
    require_role(request.user, *READERS)
    handouts = scope_related(Handout.objects.all(), request.user, "child")
    counts = dict(handouts.values_list("campaign").annotate(n=Count("id")).order_by())
    campaigns = list(Campaign.objects.prefetch_related("items"))
    for campaign in campaigns:
        campaign.handout_count = counts.get(campaign.pk, 0)
    return render(
        request,
        "campaigns/list.html",
        {
            "campaigns": campaigns,
            "today": timezone.localdate(),
            "can_create": role_of(request.user) == Role.STAFF,
            "scope_label": _scope_label(request.user),
        },
    )


def _campaign_form_page(request, form, formset, campaign=None, status=200):
    return render(
        request, "campaigns/form.html", {"form": form, "formset": formset, "campaign": campaign}, status=status
    )


def _save(request, campaign=None):
    require_role(request.user, Role.STAFF)
    posted = request.POST if request.method == "POST" else None
    if campaign is None:
        initial = [{"name": n, "unit": u, "kind": k} for n, u, k in DEFAULT_ITEMS]
    else:
        initial = [{"id": i.pk, "name": i.name, "unit": i.unit, "kind": i.kind} for i in campaign.items.all()]
    form = CampaignForm(posted, instance=campaign)
    formset = ItemFormSet(posted, initial=initial, prefix="items")
    if posted is not None and form.is_valid() and formset.is_valid():
        try:
            saved = services.save_campaign(
                actor=request.user,
                data=form.cleaned_data,
                items=item_rows(formset),
                campaign=campaign,
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已保存活动“%(n)s”。") % {"n": saved.name})
            return redirect("campaigns:detail", pk=saved.pk)
    status = 400 if posted is not None else 200
    return _campaign_form_page(request, form, formset, campaign, status=status)


@login_required
def campaign_create(request):
    return _save(request)


@login_required
def campaign_edit(request, pk):
    require_role(request.user, Role.STAFF)
    return _save(request, get_object_or_404(Campaign, pk=pk))


@login_required
def campaign_detail(request, pk):
    require_role(request.user, *READERS)
    campaign = get_object_or_404(Campaign, pk=pk)
    recent = (
        scope_related(Handout.objects.filter(campaign=campaign), request.user, "child")
        .select_related("child__township", "child__village", "recorded_by")
        .prefetch_related("lines__item")
        .order_by("-recorded_at", "-id")[:RECENT]
    )
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "totals": totals.campaign_totals(campaign, request.user),
            "precedence": totals.PRECEDENCE_NOTE,
            "recent": recent,
            "recent_cap": RECENT,
            "can_record": role_of(request.user) in RECORDERS and can_change_children(request.user),
            "can_edit": role_of(request.user) == Role.STAFF,
            "scope_label": _scope_label(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
def campaign_xlsx(request, pk):
    """The totals as a workbook: counts only, no names (audited as a download, like the roster summary)."""
    require_role(request.user, *READERS)
    campaign = get_object_or_404(Campaign, pk=pk)
    result = totals.campaign_totals(campaign, request.user)
    scope = _scope_label(request.user)
    buffer = io.BytesIO()
    write_xlsx(
        totals.totals_rows(result, scope_label=scope),
        buffer,
        widths=totals.totals_widths(result),
        sheet_name=_("慰问汇总"),
        portrait=len(result.items) <= 5,
    )
    log_action(
        actor=request.user,
        action=AuditEntry.Action.DOWNLOAD,
        obj=campaign,
        summary=_("导出%(n)s走访慰问汇总表（不含个人信息，范围：%(s)s）") % {"n": campaign.name, "s": scope},
    )
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = _("%(n)s汇总.xlsx") % {"n": campaign.name}
    response["Content-Disposition"] = (
        f"attachment; filename=\"campaign-{campaign.pk}.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _recorder_required(user):
    require_role(user, *RECORDERS)


@login_required
def campaign_children(request, pk):
    """The children of the user's scope to record handouts for: search, see who already has one, tap to record."""
    _recorder_required(request.user)
    campaign = get_object_or_404(Campaign, pk=pk)
    form = ChildSearchForm(request.GET or None)
    classified = Classification.objects.open().filter(child=OuterRef("pk"))
    children = (
        scope_children(Child.objects.active(), request.user)
        .filter(Exists(classified))
        .annotate(done=Exists(Handout.objects.filter(campaign=campaign, child=OuterRef("pk"))))
        .select_related("township", "village")
        .prefetch_related(
            Prefetch("classifications", queryset=Classification.objects.open().order_by("kind"), to_attr="open_kinds")
        )
    )
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            children = children.filter(Q(name__contains=q) | Q(id_number__startswith=q.upper()))
        if form.cleaned_data["done"] == "yes":
            children = children.filter(done=True)
        elif form.cleaned_data["done"] == "no":
            children = children.filter(done=False)
    children = children.order_by("done", "township__code", "village__name", "name", "pk")
    paginator = CappedPaginator(children, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaigns/children.html",
        {"campaign": campaign, "form": form, "page": page, "paginator": paginator, "query": query.urlencode()},
    )


@login_required
def handout_edit(request, pk, child_pk):
    """Record (or correct) what one child received: a short form made for a phone."""
    _recorder_required(request.user)
    campaign = get_object_or_404(Campaign, pk=pk)
    child = get_child_for(request.user, child_pk, for_change=True)
    handout = Handout.objects.filter(campaign=campaign, child=child).prefetch_related("lines").first()
    visits = child.visits.filter(visited_on__gte=campaign.start_date, visited_on__lte=campaign.end_date)
    initial = {}
    if handout:
        initial = {"handed_on": handout.handed_on, "visit": handout.visit_id, "note": handout.note}
        initial.update({f"item_{line.item_id}": line.quantity for line in handout.lines.all()})
    elif campaign.is_open_on(timezone.localdate()):
        initial["handed_on"] = timezone.localdate()
    else:
        initial["handed_on"] = campaign.end_date
    posted = request.POST if request.method == "POST" else None
    form = HandoutForm(posted, initial=initial, campaign=campaign, visits=visits)
    if posted is not None and form.is_valid():
        try:
            services.record_handout(
                actor=request.user,
                campaign=campaign,
                child=child,
                handed_on=form.cleaned_data["handed_on"],
                quantities=form.quantities(),
                visit=form.cleaned_data["visit"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, _("已登记 %(c)s 的慰问发放。") % {"c": child.name})
            return redirect(f"{_children_url(campaign)}?done=no")
    return render(
        request,
        "campaigns/handout.html",
        {"campaign": campaign, "child": child, "form": form, "handout": handout},
        status=400 if posted is not None else 200,
    )


def _children_url(campaign):
    return reverse("campaigns:children", args=[campaign.pk])


@login_required
@require_POST
def handout_remove(request, pk, child_pk):
    _recorder_required(request.user)
    campaign = get_object_or_404(Campaign, pk=pk)
    child = get_child_for(request.user, child_pk, for_change=True)
    handout = get_object_or_404(Handout, campaign=campaign, child=child)
    services.remove_handout(actor=request.user, handout=handout)
    messages.success(request, _("已撤销 %(c)s 的发放记录。") % {"c": child.name})
    return redirect("campaigns:children", pk=campaign.pk)
