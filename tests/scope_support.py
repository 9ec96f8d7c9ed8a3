"""The cast and the route cases of the every-URL walk (tests/dingzhou_welfare/test_scope.py).

A later app adds its URLs without touching the walk: it writes tests/<app>/scope_routes.py with
- ROUTES: {"app:name": Case(...)}, every named URL of the app;
- WHO (optional): {"who-kind": rule(role, child_name) -> bool} for kinds the walk does not know;
- prepare(target, *, child_name, staff) (optional): adds the app's objects for one child of the cast to
  the dict `target` (it already holds "child", "classification", "document", "enrolment", "export_job");
- url_kwargs(name, target) (optional): the URL's kwargs for one of the app's routes.
The walk's own "who" kinds: child-read, child-write, registry, county, staff, logged-in, writers,
administrator, everyone, anonymous (see `may` in the walk). An API route answers an anonymous
caller with its own status (401) rather than the login page: Case(..., anonymous=401).
"""

import dataclasses

ROLES = [
    "caseworker_a",
    "caseworker_village",
    "caseworker_b",
    "supervisor_a",
    "staff",
    "leader",
    "administrator",
    "outsider",
    "anonymous",
]
WRITERS = {"caseworker_a", "caseworker_village", "caseworker_b", "supervisor_a", "staff"}

# Who may see each child of the cast (child_a: township A, village_a; child_a2: township A, village_a2).
READERS = {
    "child_a": {"caseworker_a", "caseworker_village", "supervisor_a", "staff", "leader"},
    "child_a2": {"caseworker_a", "supervisor_a", "staff", "leader"},
    "child_b": {"caseworker_b", "staff", "leader"},
}


@dataclasses.dataclass(frozen=True)
class Case:
    """How to call a route and what an allowed user gets, per HTTP method."""

    allowed: dict  # method -> expected status for a user who may
    who: str
    data: dict = dataclasses.field(default_factory=dict)
    anonymous: int | None = None  # what an anonymous caller gets, when not the login page (an API's 401)
