"""The adoption routes in the every-URL walk: bureau staff work the cases, the leader reads them.

Adoption is county-level like the batches: caseworkers and supervisors get 404 even for a child of
their own township. Each child of the cast gets a case in 登记审查 (decision), so both PDFs print.
"""

from tests.scope_support import Case

WHO = {
    "adoption-read": lambda role, child_name: role in {"staff", "leader"},
    "adoption-write": lambda role, child_name: role == "staff",
}

ROUTES = {
    "adoption:list": Case({"get": 200}, "adoption-read"),
    "adoption:create": Case({"get": 200, "post": 400}, "adoption-write"),
    "adoption:detail": Case({"get": 200}, "adoption-read"),
    "adoption:document": Case({"get": 200}, "adoption-read"),
    "adoption:assessment_pdf": Case({"get": 200}, "adoption-read"),
    "adoption:registration_pdf": Case({"get": 200}, "adoption-read"),
    "adoption:edit": Case({"get": 200, "post": 400}, "adoption-write"),
    "adoption:applicant_add": Case({"get": 200, "post": 400}, "adoption-write"),
    "adoption:applicant_edit": Case({"get": 200, "post": 400}, "adoption-write"),
    "adoption:document_upload": Case({"post": 400}, "adoption-write"),
    "adoption:findings": Case({"get": 200, "post": 400}, "adoption-write"),
    "adoption:submit": Case({"post": 400}, "adoption-write"),
    "adoption:start_assessment": Case({"post": 400}, "adoption-write"),
    "adoption:start_integration": Case({"post": 400}, "adoption-write"),
    "adoption:complete_assessment": Case({"post": 400}, "adoption-write"),
    "adoption:notice": Case({"post": 400}, "adoption-write"),
    "adoption:register": Case({"get": 200, "post": 400}, "adoption-write"),
    "adoption:refuse": Case({"post": 400}, "adoption-write"),
    "adoption:withdraw": Case({"post": 400}, "adoption-write"),
}

CASE_ROUTES = set(ROUTES) - {"adoption:list", "adoption:create"}


def prepare(target, *, child_name, staff):
    from tests.adoption.conftest import make_case

    case = make_case(staff, target["child"])
    target["adoption_case"] = case
    target["adoption_applicant"] = case.applicants.first()
    target["adoption_document"] = case.documents.first()


def url_kwargs(name, target):
    if name not in CASE_ROUTES:
        return {}
    kwargs = {"pk": target["adoption_case"].pk}
    if name == "adoption:applicant_edit":
        kwargs["applicant_pk"] = target["adoption_applicant"].pk
    if name == "adoption:document":
        kwargs["document_pk"] = target["adoption_document"].pk
    return kwargs
