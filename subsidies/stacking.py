"""Stacking rules as data (DOMAIN.md 2.3): which pairs of programmes a child may not hold together.

The engine applies every rule month by month (`disbursement.stack`); this module answers the
question the enrolment services and the roster import ask before anything is written: would this
programme make an exclusive pair with one the child already holds?
"""

from django.utils.translation import gettext as _

from .models import Programme, StackingRule


def exclusive_pairs() -> set[frozenset[int]]:
    """Every exclusive pair, whichever of its two programmes the rule was entered on."""
    return {
        frozenset(pair)
        for pair in StackingRule.objects.filter(rule=StackingRule.Rule.EXCLUSIVE).values_list(
            "programme_id", "other_id"
        )
    }


def exclusive_conflicts(
    new: Programme, held: list[Programme], *, pairs: set[frozenset[int]] | None = None
) -> list[str]:
    """Why `new` cannot be added beside the programmes in `held`, naming each rule broken."""
    pairs = exclusive_pairs() if pairs is None else pairs
    return [
        _("%(p)s与%(o)s不重复享受（叠加规则：%(r)s），请先终止%(o)s或改为申请其中一项。")
        % {"p": new.name, "o": other.name, "r": StackingRule.Rule.EXCLUSIVE.label}
        for other in held
        if other.pk != new.pk and frozenset((new.pk, other.pk)) in pairs
    ]
