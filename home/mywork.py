"""The caseworker's home: their own work, each kind a count and the first items, each linking to the item."""

import datetime

from children.agreements.services import State, left_behind_children, with_agreement_state
from children.models import Classification
from dingzhou_welfare.access import scope_related
from visits.todo import LISTED, caseworker_work

REVIEW_HORIZON = datetime.timedelta(days=30)  # as the review list (children.views.REVIEW_HORIZON)


def my_work(user, children, today: datetime.date) -> dict:
    work = caseworker_work(user, today)
    running_out = with_agreement_state(left_behind_children(children, today), today).filter(
        agreement_state__in=(State.EXPIRING, State.EXPIRED)
    )
    reviews = scope_related(Classification.objects.review_due_by(today + REVIEW_HORIZON), user)
    work.update(
        agreements_count=running_out.count(),
        agreements=list(running_out.select_related("village").order_by("covered_until", "last_end", "pk")[:LISTED]),
        reviews_count=reviews.count(),
        reviews=list(reviews.select_related("child").order_by("next_review", "id")[:LISTED]),
        today=today,
    )
    return work
