"""The visits routes in the every-URL walk (tests/dingzhou_welfare/test_scope.py, see tests/scope_support.py).

Each child of the cast gets a submitted visit with a photo and a mandatory report, and a visit returned
for correction; bureau staff recorded both (so staff is the visitor who may edit the returned one and
may not review their own), a second staff user returned it.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from dingzhou_welfare.models import Role
from tests.factories import make_user
from tests.scope_support import READERS, Case
from visits.services import record_visit, review_visit

from .support import PNG, visit_data

ROUTES = {
    "visits:worklist": Case({"get": 200}, "registry"),
    "visits:review_queue": Case({"get": 200}, "visit-reviewers"),
    "visits:intervals": Case({"get": 200, "post": 400}, "staff"),
    "visits:reports": Case({"get": 200}, "visit-report-readers"),
    "visits:report_handle": Case({"post": 400}, "visit-report-handle"),
    "visits:create": Case({"get": 200, "post": 400}, "child-write"),
    "visits:patrol": Case({"get": 200, "post": 400}, "child-write"),
    "visits:detail": Case({"get": 200}, "visit-read"),
    "visits:photo": Case({"get": 200}, "visit-read"),
    "visits:edit": Case({"get": 200, "post": 400}, "visit-edit"),
    "visits:review": Case({"post": 400}, "visit-review"),
    # A draft sent as JSON: the walk's form-encoded body is not, so an allowed user gets 400.
    "visits:draft": Case({"post": 400}, "child-write"),
    "visits:draft_edit": Case({"post": 400}, "visit-edit"),
}

WHO = {
    "visit-read": lambda role, child_name: role in READERS[child_name],
    "visit-reviewers": lambda role, child_name: role in {"supervisor_a", "staff"},
    # The supervisor of township A reviews its children's visits; staff recorded these visits themselves.
    "visit-review": lambda role, child_name: role == "supervisor_a" and child_name in {"child_a", "child_a2"},
    "visit-edit": lambda role, child_name: role == "staff",  # only the visitor, on a returned visit
    "visit-report-readers": lambda role, child_name: role in {"supervisor_a", "staff", "leader"},
    "visit-report-handle": lambda role, child_name: role == "staff",
}


def _second_staff():
    user = get_user_model().objects.filter(username="visits_reviewer").first()
    return user or make_user("visits_reviewer", Role.STAFF)


def prepare(target, *, child_name, staff):
    child = target["child"]
    visit = record_visit(
        actor=staff,
        child=child,
        data=visit_data(suspected_harm=True, harm_description="手臂有多处新伤，照料人说不清原因。"),
        photos=[SimpleUploadedFile("探访.png", PNG, content_type="image/png")],
    )
    returned = record_visit(actor=staff, child=child, data=visit_data(visited_on=datetime.date(2026, 5, 25)))
    review_visit(actor=_second_staff(), visit=returned, accept=False, comment="请补充在场人员。")
    target["visit"] = visit
    target["photo"] = visit.photos.get()
    target["report"] = visit.mandatory_report
    target["returned_visit"] = returned


def url_kwargs(name, target):
    if name in ("visits:detail", "visits:review"):
        return {"pk": target["visit"].pk}
    if name == "visits:photo":
        return {"pk": target["visit"].pk, "photo_pk": target["photo"].pk}
    if name == "visits:edit":
        return {"pk": target["returned_visit"].pk}
    if name == "visits:draft_edit":
        return {"pk": target["child"].pk, "visit_pk": target["returned_visit"].pk}
    if name == "visits:report_handle":
        return {"pk": target["report"].pk}
    return {}
