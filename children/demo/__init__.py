"""A fictitious Dingzhou-sized population for demonstrations and training (`manage.py demo_data`).

Sizes follow the bureau's own end-of-May 2022 figures (DOMAIN.md section 0). Every name, ID number,
phone and account number is made up: ID numbers carry the 130682 prefix and a valid check character,
phones are 138000xxxxx. The same seed on the same day gives the same data, and every classification
is checked against `rules.classification_problems` while it is generated.

By what it builds: `plan` (the groups and their sizes), `words` (names and places to draw from),
`villages`, `people` (dates, ID numbers, names), `families` (parents and classifications), `carers`
(carers and payment accounts), `builder` (the children, and writing every row), `users` (one login
per role). Other apps' demos build on these children (`demo_children`).
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.management import call_command
from django.db import transaction
from django.db.models import ProtectedError

from ..models import Classification, Township
from .builder import Builder
from .plan import CASEWORKER_TOWNSHIP, MARK, PASSWORD, PLAN, SECOND_TOWNSHIP, demo_children, scaled
from .users import delete_users, ensure_users
from .villages import make_villages

__all__ = [
    "CASEWORKER_TOWNSHIP",
    "MARK",
    "PASSWORD",
    "PLAN",
    "SECOND_TOWNSHIP",
    "Result",
    "counts_by_kind",
    "demo_children",
    "make_demo_data",
    "scaled",
]


@dataclass
class Result:
    created: bool
    children: int = 0
    villages: int = 0
    users: list[tuple[str, str, str]] | None = None  # (role label, username, scope)
    kept_users: list[str] | None = None  # could not be deleted by --reset (they acted)


@transaction.atomic
def make_demo_data(*, scale: float = 1.0, seed: int = 2022, today: datetime.date, reset: bool = False) -> Result:
    """Create the demo population and users once; with `reset`, wipe the earlier ones first."""
    kept: list[str] = []
    if reset:
        kept = _wipe()
    if not Township.objects.exists():
        call_command("loaddata", "dingzhou_townships", verbosity=0)
    result = Result(created=False, kept_users=kept)
    if not demo_children().exists():
        builder = Builder(seed=seed, today=today)
        result.villages = make_villages(seed=seed)
        builder.load_areas()
        builder.population(scale)
        builder.save()
        result.created, result.children = True, len(builder.children)
    result.users = ensure_users(refresh=frozenset(kept))
    return result


def _wipe() -> list[str]:
    # The audit trail is append-only (a trigger on PostgreSQL): the earlier demo's rows stay, with
    # the ids of the children they were about.
    children = demo_children()
    try:
        children.delete()
    except ProtectedError as error:
        models = sorted({obj._meta.verbose_name for obj in error.protected_objects})
        raise ValueError(f"演示儿童已被其他记录引用（{'、'.join(map(str, models))}），无法自动清除。") from None
    return delete_users()


def counts_by_kind() -> Counter:
    """Open classifications of demo children per kind."""
    rows = Classification.objects.open().filter(child__note__startswith=MARK).values_list("kind", flat=True)
    return Counter(rows)
