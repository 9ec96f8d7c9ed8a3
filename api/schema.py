"""The OpenAPI description: the token scheme, and who may read the schema and its docs."""

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


# The docs pages are for people: sign in first. Their JS and CSS come from drf-spectacular-sidecar's
# static files (SPECTACULAR_SETTINGS), never from a CDN; Redoc's page without its web fonts.
swagger_view = login_required(SpectacularSwaggerView.as_view(url_name="api:schema"))
redoc_view = login_required(SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"))
