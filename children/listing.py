"""The children list's page: the rows it reads and what each row shows.

The list is the registry's busiest page and must stay cheap at a million children (bench/README.md).
A row's labels, mask, age and link are made here once per page, so that the template only
prints strings: through the template each row cost look-ups of choice labels
(`get_..._display` rebuilds the choices dict every call), a `{% url %}`, a date and a mask.
"""

from collections import defaultdict

from django.urls import reverse
from django.utils import timezone

from dingzhou_welfare.access import scope_children
from dingzhou_welfare.pagination import data_changed

from .idnumbers import mask_id_number
from .models import Child, Classification, ClassificationKind, Sex, age_on

# What a row shows, read as plain values: nothing else is fetched, and no model is built per row
# (with select_related and the prefetch of categories that cost 1.5 ms of a page's CPU).
ROW_FIELDS = [
    "pk",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "likely_duplicate",
    "status",
    "township__name",
    "village__name",
]
# The list's counts are kept under this topic (KeptCountPaginator) until children change.
COUNTS_TOPIC = "children"
# A child's link with its id as a placeholder: one reverse() per page instead of one per row.
PK_PLACEHOLDER = 999_999_999_999


def children_for(user):
    """The children the user may see: what the filters, the sort and the capped count start from.

    Plain children, no joins: the count stays an index-only scan (joined values made PostgreSQL
    count a surname's 10,001 matches through the township table, 8 -> 180 ms). The page alone
    is read as values (rows()).
    """
    return scope_children(Child.objects.all(), user)


def children_changed(**kwargs) -> None:
    """Children or their categories were written (a model signal, or a bulk write saying so)."""
    data_changed(COUNTS_TOPIC)


def rows(page) -> list[dict]:
    """The page's rows as plain strings and numbers for the template (which escapes them)."""
    children = list(page.object_list.values(*ROW_FIELDS))
    today = timezone.localdate()
    sexes = {value: str(label) for value, label in Sex.choices}
    statuses = {value: str(label) for value, label in Child.Status.choices}
    labels = {value: str(label) for value, label in ClassificationKind.choices}
    kinds = defaultdict(list)  # each child's open categories, in the order of their codes
    if children:
        open_kinds = Classification.objects.open().filter(child_id__in=[child["pk"] for child in children])
        for child_id, kind in open_kinds.order_by("kind").values_list("child_id", "kind"):
            kinds[child_id].append(labels.get(kind, kind))
    link = reverse("children:detail", args=[PK_PLACEHOLDER]).replace(str(PK_PLACEHOLDER), "{}")
    return [
        {
            "url": link.format(child["pk"]),
            "name": child["name"],
            "likely_duplicate": child["likely_duplicate"],
            "sex": sexes.get(child["sex"], child["sex"]),
            "age": age_on(child["birth_date"], today),
            "id_number": mask_id_number(child["id_number"]),
            "township": child["township__name"],
            "village": child["village__name"] or "",
            "kinds": kinds[child["pk"]],
            "status": statuses.get(child["status"], child["status"]),
        }
        for child in children
    ]
