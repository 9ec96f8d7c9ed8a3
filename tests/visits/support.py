"""Valid visit data for the services and the form, shared by the visits tests and the scope walk."""

import datetime

from tests.upload_support import JPEG, PNG  # noqa: F401 - imported by the tests from here
from visits.models import DIMENSIONS, Rating


def visit_data(**overrides) -> dict:
    """What VisitForm.service_data() gives for a routine visit where everything was found good."""
    data = {
        "kind": "routine",
        "visited_on": datetime.date(2026, 5, 20),
        "present": ["child", "grandparent"],
        "present_other": "",
        **{f"{name}_rating": Rating.GOOD for name, _label in DIMENSIONS},
        **{f"{name}_note": "" for name, _label in DIMENSIONS},
        "problems": "",
        "actions": "",
        "referrals": [],
        "suspected_harm": False,
        "harm_description": "",
        "next_visit_due": None,
    }
    data.update(overrides)
    return data


def form_data(**overrides) -> dict:
    """What the visit form posts (dates as text, lists as lists)."""
    data = visit_data()
    data["visited_on"] = data["visited_on"].isoformat()
    data["next_visit_due"] = ""
    data.pop("suspected_harm")  # an unticked checkbox is not posted
    data.update(overrides)
    return data
