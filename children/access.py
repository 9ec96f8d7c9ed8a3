"""The child lookups pages use, on the ground floor's access policy (dingzhou_welfare/access.py)."""

from django.http import Http404

from dingzhou_welfare.access import can_change_children, get_placed_or_404

from .models import Child


def get_child_for(user, pk, *, for_change: bool = False) -> Child:
    """The child with this pk if the user may see it (and change it), else 404.

    A read-only role (the leader) on a write URL gets 404 as well, not 403: every
    refusal looks the same, so a page never says more than "not found".
    """
    child = get_placed_or_404(Child.objects.select_related("township", "village"), user, pk=pk)
    if for_change and not can_change_children(user):
        raise Http404
    return child
