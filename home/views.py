"""The dashboard: one page gathering figures from every app for the user's scope."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from children.agreements.services import coverage as agreement_coverage
from children.models import Child, ClassificationKind
from dingzhou_welfare.access import role_of
from dingzhou_welfare.models import Role
from reports.dashboard import dashboard_figures
from reports.glossary import CLASSIFIED_PROTECTION, INSTITUTIONAL
from subsidies.views import todo_counts
from visits.views import dashboard_context as visits_dashboard

from .administrator import administrator_home
from .mywork import my_work


@login_required
def dashboard(request):
    if role_of(request.user) == Role.ADMINISTRATOR:
        return administrator_home(request)  # accounts and reference data: no child figure at all
    figures = dashboard_figures(request.user)  # the monthly report of this month for the user's scope
    counts = {row.kind: row.flow.end for row in figures["report"].kinds} if figures else {}
    rows = [(kind.label, counts.get(kind.value, 0), kind.value) for kind in ClassificationKind]
    children = Child.objects.active().visible_to(request.user)
    role = role_of(request.user)
    return render(
        request,
        "dashboard.html",
        {
            "rows": rows,
            "classified_total": figures["report"].classified_children if figures else 0,
            "figures": figures,
            "terms": {"protection": CLASSIFIED_PROTECTION, "institutional": INSTITUTIONAL},
            "children_total": children.count(),
            "duplicates": children.filter(likely_duplicate=True).count(),
            "role": role,
            "work": my_work(request.user, children, timezone.localdate()) if role == Role.CASEWORKER else None,
            "todo": todo_counts(request.user),
            "visits": visits_dashboard(request.user),
            "agreements": agreement_coverage(children, timezone.localdate()) if role_of(request.user) else None,
        },
    )
