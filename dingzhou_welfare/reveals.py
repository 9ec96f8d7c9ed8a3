"""One rule for every form that shows a stored number in full.

A form opened on GET is filled from the database: an ID number, a phone or a bank account in an
`<input value="...">` is as much a reveal as the case file's "显示完整" button, which records who saw
what. `record_reveal_on_get` finds the fields of the unbound forms that hold such a number and records
the reveal before the page goes out (for a user whose role may not see it in full, the page is 404).
A bound form shows what was just posted, which the user sent: nothing new is revealed.
"""

from django.http import Http404
from django.utils.translation import gettext as _

from .access import can_reveal
from .audit import log_action
from .models import AuditEntry

# Form fields named like these hold a number that lists and the case file mask.
FULL_NUMBER_FIELDS = ("id_number", "phone", "account_number", "disability_cert_no")


def full_numbers_shown(*forms) -> list[str]:
    """The labels of the fields in which these forms, unbound, show a stored number in full."""
    return [
        str(field.label)
        for form in forms
        if form is not None and not form.is_bound
        for field in form
        if field.name.endswith(FULL_NUMBER_FIELDS) and field.value()
    ]


def record_reveal_on_get(request, *forms, obj, child=None, what: str) -> bool:
    """Record that the user saw the full numbers these forms show (`what`: the page, for the trail).

    False when they show none (a new, empty form). Called by the view before it renders."""
    shown = full_numbers_shown(*forms)
    if not shown:
        return False
    if not can_reveal(request.user):
        raise Http404
    log_action(
        actor=request.user,
        action=AuditEntry.Action.REVEAL,
        obj=obj,
        child=child,
        summary=_("查看完整信息：%(w)s（%(f)s）") % {"w": what, "f": _("、").join(shown)},
    )
    return True
