"""Irreversible steps go through a confirmation page (GOV.UK's check answers, then confirmation).

GET shows what will happen and the step's form with a `confirm` token; POST does it only with that
token: signed for the step, the object and the user, valid for CONFIRM_MAX_AGE. A POST without it
(an old form, a script, a double submission from elsewhere) shows the confirmation page again.
"""

from django.core import signing
from django.shortcuts import render

SALT = "dingzhou_welfare.confirm"
CONFIRM_MAX_AGE = 2 * 3600  # seconds a confirmation page stays good for


def confirm_token(user, step: str, key) -> str:
    """The token a confirmation page of `step` for object `key` carries for `user`."""
    return signing.dumps([step, str(key), user.pk], salt=SALT, compress=False)


def confirmed(request, step: str, key) -> bool:
    """Whether the POST carries this user's token for this step and object."""
    try:
        value = signing.loads(request.POST.get("confirm", ""), salt=SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return False
    return value == [step, str(key), request.user.pk]


def confirm_page(
    request,
    *,
    step: str,
    key,
    form,
    title: str,
    consequences: list,
    action: str,
    button: str,
    back: str,
    facts=(),
    status: int = 200,
    warning: str = "",
    allowed: bool = True,
):
    """The confirmation page: what will happen (`consequences`), the facts it is about, the form, one button.

    `facts`: (label, value) pairs shown as a summary list; `back`: where 取消 goes (the page it came from);
    `allowed`: False when the step cannot be taken now (the page then says why in `warning`, without the form).
    """
    context = {
        "title": title,
        "facts": list(facts),
        "consequences": consequences,
        "form": form,
        "action": action,
        "button": button,
        "back": back,
        "warning": warning,
        "allowed": allowed,
        "confirm_token": confirm_token(request.user, step, key),
    }
    return render(request, "confirm.html", context, status=status)
