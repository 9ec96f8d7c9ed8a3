"""Who is calling: a client's token (Authorization: Bearer …), its permission, and its rate."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiClient
from .tokens import token_hash

KEYWORDS = (b"bearer", b"token")
# last_used is written at most this often per client, not on every call.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


class ClientTokenAuthentication(BaseAuthentication):
    """A client's token; request.auth is then its ApiClient, request.user stays anonymous (no staff user)."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("令牌格式不对：应为“Authorization: Bearer 令牌”。"))
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("令牌无效。")) from None
        client = ApiClient.objects.filter(token_hash=token_hash(token)).first()
        if client is None:
            raise AuthenticationFailed(_("令牌无效。"))
        if client.revoked_at is not None:
            raise AuthenticationFailed(
                _("令牌已于 %(at)s 吊销。") % {"at": timezone.localtime(client.revoked_at).strftime("%Y-%m-%d %H:%M")}
            )
        now = timezone.now()
        if client.last_used is None or now - client.last_used >= LAST_USED_EVERY:
            ApiClient.objects.filter(pk=client.pk).update(last_used=now)
            client.last_used = now
        return AnonymousUser(), client

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def client_of(request) -> ApiClient | None:
    return request.auth if isinstance(request.auth, ApiClient) else None


class IsClient(BasePermission):
    """A client with a valid token; every endpoint is read-only (GET, HEAD, OPTIONS)."""

    message = gettext_lazy("请提供有效的接口令牌。")

    def has_permission(self, request, view):
        return client_of(request) is not None


class ClientRateThrottle(SimpleRateThrottle):
    """Calls per token, at the rate API_THROTTLE_RATE ("120/min"), counted in the shared cache."""

    scope = "api_client"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        client = client_of(request)
        if client is None:
            return None
        # The hash, not the id: ids come back after a rollback, a token never does.
        return self.cache_format % {"scope": self.scope, "ident": client.token_hash[:32]}
