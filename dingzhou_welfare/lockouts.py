"""Accounts locked out by django-axes after too many failed logins, and the administrator's unlock."""

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import log_action
from .models import AuditEntry


def locked_usernames(usernames=None) -> set[str]:
    """Usernames with a login locked now: AXES_FAILURE_LIMIT failures within the cool-off time (from any address)."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    if usernames is not None:
        attempts = attempts.filter(username__in=list(usernames))
    return set(attempts.values_list("username", flat=True))


@transaction.atomic
def unlock_user(*, actor, user) -> int:
    """Clear the user's failed logins (axes' reset, every address), audited; returns how many records went."""
    removed = reset(username=user.username)
    log_action(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=user,
        summary=_("解除登录锁定：%(u)s") % {"u": user.username},
        changes={"unlocked": user.username, "attempts_removed": removed},
    )
    return removed
