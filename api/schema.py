"""The OpenAPI description: the token scheme, and who may read the schema and its docs."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from .auth import ClientTokenAuthentication, client_of


class ClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ClientTokenAuthentication"
    name = "clientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "系统管理员发放的接口令牌：Authorization: Bearer <令牌>",
        }


class ClientOrSignedIn(BasePermission):
    """The schema is for clients (their token) and for staff reading the docs (their session)."""

    def has_permission(self, request, view):
        return client_of(request) is not None or bool(request.user and request.user.is_authenticated)


class SchemaView(SpectacularAPIView):
    authentication_classes = [ClientTokenAuthentication, SessionAuthentication]
    permission_classes = [ClientOrSignedIn]


# The docs pages draw from this server alone: Redoc's bundle links its logo from the vendor's CDN,
# which this policy stops in the browser (the pages work offline without it).
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)


def same_origin_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_POLICY
        return response

    return wrapped


# The docs pages are for people: sign in first. Their JS and CSS come from drf-spectacular-sidecar's
# static files (SPECTACULAR_SETTINGS), never from a CDN; Redoc's page without its web fonts.
swagger_view = login_required(same_origin_only(SpectacularSwaggerView.as_view(url_name="api:schema")))
redoc_view = login_required(
    same_origin_only(SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"))
)
