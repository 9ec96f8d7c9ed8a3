"""The API routes in the every-URL walk (tests/dingzhou_welfare/test_scope.py, see tests/scope_support.py).

The data endpoints (/api/v1/) take a client's token and nothing else: without one every caller, signed
in or not, is answered 401 (what a token does is in tests/api/test_auth.py). The schema takes a token
or a session (401 without either); its docs pages are for signed-in people; the clients page is the
administrator's.
"""

from api.services import create_client
from dingzhou_welfare.models import Role
from tests.factories import make_user
from tests.scope_support import Case

TOKEN_ONLY = Case({"get": 401}, "everyone")

ROUTES = {
    "api:changes": TOKEN_ONLY,
    "api:batches": TOKEN_ONLY,
    "api:batch_lines": TOKEN_ONLY,
    "api:counts": TOKEN_ONLY,
    "api:schema": Case({"get": 200}, "logged-in", anonymous=401),
    "api:docs": Case({"get": 200}, "logged-in"),
    "api:redoc": Case({"get": 200}, "logged-in"),
    "api:clients": Case({"get": 200}, "administrator"),
    "api:client_revoke": Case({"post": 302}, "administrator"),
}


def prepare(target, *, child_name, staff):
    """One client per child of the cast, made by an administrator of its own."""
    actor = make_user(f"api_admin_{child_name}", Role.ADMINISTRATOR)
    client, _token = create_client(actor=actor, name=f"接口客户端{child_name}", granted_personal_data=False)
    target["api_client"] = client


def url_kwargs(name, target):
    if name == "api:batch_lines":
        return {"month": "2026-05"}
    if name == "api:client_revoke":
        return {"pk": target["api_client"].pk}
    return {}
