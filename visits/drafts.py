"""Visit drafts kept on the server: the form's script saves what has been typed (no photos) as it goes,
so that a visit started on one phone can be finished on another. Drafts are the user's own."""

import datetime
import json

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from children.access import get_child_for
from dingzhou_welfare.access import can_change_children, scope_related

from .models import Visit, VisitDraft
from .services import VISIT_FIELDS

DRAFT_DAYS = 14  # as long as the phone keeps its own copy (static/js/visit-draft.js)
MAX_BYTES = 64 * 1024
MAX_TEXT = 5000
FIELDS = frozenset(VISIT_FIELDS)


def clean_values(raw) -> dict:
    """The form's fields from what the script sent: known names only, text or lists of text."""
    if not isinstance(raw, dict):
        raise ValueError(_("草稿格式不对。"))
    values = {}
    for name, value in raw.items():
        if name not in FIELDS:
            continue
        if isinstance(value, list) and len(value) <= 20 and all(isinstance(item, str) for item in value):
            values[name] = [item[:100] for item in value]
        elif isinstance(value, str):
            values[name] = value[:MAX_TEXT]
        else:
            raise ValueError(_("草稿中“%(name)s”的内容不对。") % {"name": name})
    return values


def as_ms(moment: datetime.datetime) -> int:
    return int(moment.timestamp() * 1000)


def draft_for(user, child, visit=None) -> VisitDraft | None:
    return VisitDraft.objects.filter(user=user, child=child, visit=visit).first()


def draft_json(draft: VisitDraft | None) -> dict | None:
    """What the form's script reads (json_script): the values and when the server got them."""
    return None if draft is None else {"at": as_ms(draft.updated_at), "values": draft.values}


@transaction.atomic
def save_draft(*, user, child, visit, values: dict) -> VisitDraft:
    VisitDraft.objects.filter(user=user, updated_at__lt=timezone.now() - datetime.timedelta(days=DRAFT_DAYS)).delete()
    draft, _created = VisitDraft.objects.update_or_create(
        user=user, child=child, visit=visit, defaults={"values": values}
    )
    return draft


def drafts_of(user):
    """The user's drafts on children still in their scope, newest first."""
    recent = timezone.now() - datetime.timedelta(days=DRAFT_DAYS)
    return (
        scope_related(VisitDraft.objects.filter(user=user, updated_at__gte=recent), user)
        .select_related("child", "visit")
        .order_by("-updated_at")
    )


def _target(request, pk, visit_pk):
    """The child (in the user's scope, for a role that records visits) and the returned visit, if any."""
    if not can_change_children(request.user):
        raise Http404
    child = get_child_for(request.user, pk, for_change=True)
    if visit_pk is None:
        return child, None
    visit = get_object_or_404(Visit, pk=visit_pk, child=child, visitor=request.user, status=Visit.Status.RETURNED)
    return child, visit


@login_required
@require_POST
def draft_save(request, pk, visit_pk=None):
    """POST {"values": {...}} saves the draft; {"discard": true} removes it. Answers {"at": ms} as JSON."""
    child, visit = _target(request, pk, visit_pk)
    if len(request.body) > MAX_BYTES:
        return JsonResponse({"error": _("草稿太大，未保存。")}, status=413)
    try:
        payload = json.loads(request.body or b"{}")
        if payload.get("discard") is True:
            VisitDraft.objects.filter(user=request.user, child=child, visit=visit).delete()
            return JsonResponse({"at": None})
        draft = save_draft(user=request.user, child=child, visit=visit, values=clean_values(payload.get("values")))
    except (ValueError, AttributeError) as error:
        return JsonResponse({"error": str(error) or _("草稿格式不对。")}, status=400)
    return JsonResponse({"at": as_ms(draft.updated_at)})
