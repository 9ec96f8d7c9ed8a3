"""axe-core on every main page for each of the five roles: no serious or critical violation.

The county is the reports' small one (tests/reports/conftest.py) with a care campaign, a visit that
raised a mandatory report and an adoption case, so the forms with inputs (the campaign's items, the
case file's inline forms, the report handling box, the adoption decision) are on the pages walked.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_accessibility_browser.py
"""

import pytest

from tests.factories import PASSWORD
from tests.reports.conftest import frozen, programmes, staff2, world  # noqa: F401 - the reports' small county

from .axe import axe_violations, describe
from .conftest import log_in, skip_without_chromium

skip_without_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROLES = ["caseworker", "supervisor", "staff", "leader", "administrator"]


@pytest.fixture
def county(world, staff, caseworker_a, supervisor_a):  # noqa: F811
    from adoption.models import State
    from tests.adoption.conftest import make_case
    from tests.campaigns.support import give, make_campaign
    from tests.visits.support import visit_data
    from visits.services import record_visit

    campaign = make_campaign(staff)
    give(staff, campaign, world["a1"], 大米=1, 慰问金="200")
    visit = record_visit(
        actor=caseworker_a,
        child=world["a2"],
        data=visit_data(
            visited_on=world["a2"].created_at.date(),
            suspected_harm=True,
            harm_description="手臂有多处新伤，照料人说不清原因。",
        ),
    )
    case = make_case(staff, world["a1"], up_to=State.REVIEW)
    return {**world, "campaign": campaign, "visit": visit, "report": visit.mandatory_report, "case": case}


def _pages(role, county, users):
    child, campaign = county["a2"], county["campaign"]
    common = ["/", f"/children/{child.pk}/"]
    by_role = {
        "caseworker": [
            f"/visits/child/{child.pk}/new/",
            f"/visits/{county['visit'].pk}/",
            f"/campaigns/{campaign.pk}/",
            f"/campaigns/{campaign.pk}/children/",
            f"/campaigns/{campaign.pk}/children/{child.pk}/",
            "/children/new/",
        ],
        "supervisor": [
            "/visits/review/",
            "/visits/reports/",
            "/reports/?month=2026-05",
            "/reports/print/",
        ],
        "staff": [
            "/campaigns/new/",
            "/visits/reports/",
            f"/campaigns/{campaign.pk}/edit/",
            f"/adoption/{county['case'].pk}/",
            "/adoption/new/",
            f"/children/{child.pk}/edit/",
            "/subsidies/batches/2026-06/",
            "/reports/?month=2026-05",
            "/reports/print/",
        ],
        "leader": ["/reports/?month=2026-05", f"/adoption/{county['case'].pk}/", "/users/requests/"],
        "administrator": ["/users/", "/users/new/", f"/users/{users['caseworker'].pk}/", "/users/requests/"],
    }
    if role == "administrator":
        common = ["/"]
    return common + by_role[role]


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_axe_violation_on_the_main_pages(role, request, axe_page, live_server, county):
    page = axe_page
    names = {"caseworker": "caseworker_a", "supervisor": "supervisor_a"}
    users = {r: request.getfixturevalue(names.get(r, r)) for r in ROLES}
    log_in(page, live_server, users[role].username, PASSWORD)
    menu = page.eval_on_selector_all("nav.nav a[href]", "links => links.map(a => a.getAttribute('href'))")
    addresses = list(dict.fromkeys([*menu, *_pages(role, county, users)]))
    found, statuses = {}, {}
    for address in addresses:
        if address.startswith("/admin/"):
            continue  # Django's own admin site: its markup is Django's
        response = page.goto(f"{live_server.url}{address}")
        statuses[address] = response.status
        if violations := axe_violations(page):
            found[address] = violations
    assert not found, describe(found)
    assert not {a: s for a, s in statuses.items() if s >= 400}
