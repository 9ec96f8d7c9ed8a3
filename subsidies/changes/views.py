"""The month's change list (增员/减员) as a page, and its workbook download (audited).

The page shows the events of the user's townships with ID numbers masked; the download writes the
chosen layout, with full ID numbers only when asked for by a role that may see them.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone

from dingzhou_welfare.access import can_reveal, require_role
from dingzhou_welfare.models import Role
from dingzhou_welfare.pagination import CappedPaginator

from ..forms import MonthChoiceForm
from ..months import add_months, month_start
from .layouts import ChangeListError, columns_of, event_row, file_name, get_layout, with_people
from .models import ChangeListLayout
from .services import change_list_events, export_change_list, late_events

READERS = (Role.CASEWORKER, Role.SUPERVISOR, Role.STAFF, Role.LEADER)
PAGE_SIZE = 50
LATE_SHOWN = 50


@login_required
def change_list(request):
    require_role(request.user, *READERS)
    this_month = month_start(timezone.localdate())
    form = MonthChoiceForm(request.GET or None, initial={"month": this_month})
    valid = form.is_valid() or not form.is_bound
    month = form.cleaned_data["month"] if form.is_bound and valid and form.cleaned_data["month"] else this_month
    events = change_list_events(actor=request.user, month=month)
    paginator = CappedPaginator(with_people(events), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    start = (page.number - 1) * PAGE_SIZE
    rows = [event_row(e, seq=start + n, masked=True) for n, e in enumerate(page.object_list, start=1)]
    counts = {d: events.filter(direction=d).count() for d in ("add", "remove")}
    layouts = ChangeListLayout.objects.filter(active=True).order_by("code")
    late = with_people(late_events(actor=request.user, month=month))
    late_rows = [event_row(e, seq=n, masked=True) for n, e in enumerate(late[: LATE_SHOWN + 1], start=1)]
    return render(
        request,
        "subsidies/change_list.html",
        {
            "form": form,
            "month": month,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1),
            "rows": rows,
            "page": page,
            "paginator": paginator,
            "counts": counts,
            "layouts": layouts,
            "default_layout": layouts.filter(code="national").first() or layouts.first(),
            "may_reveal": can_reveal(request.user),
            "late_rows": late_rows[:LATE_SHOWN],
            "late_capped": len(late_rows) > LATE_SHOWN,
        },
        status=200 if valid else 400,
    )


@login_required
def change_list_download(request, month):
    """The month's list in a layout (?layout=code), masked unless ?full=1 by a role that may see ID numbers."""
    require_role(request.user, *READERS)
    try:
        layout = get_layout(request.GET.get("layout") or None)
        columns_of(layout)
    except ChangeListError as error:
        return render(request, "400.html", {"reason": str(error)}, status=400)
    masked = request.GET.get("full") != "1"
    if not masked and not can_reveal(request.user):
        raise PermissionDenied
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    export_change_list(actor=request.user, month=month, layout=layout, out=out, masked=masked)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=file_name(layout, month))
