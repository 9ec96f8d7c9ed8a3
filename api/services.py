"""The administrator's writes on API clients: each one transaction with its audit entry."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import AuditEntry

from .models import ApiClient
from .tokens import new_token, token_hash, token_prefix


@transaction.atomic
def create_client(*, actor, name: str, granted_personal_data: bool, note: str = "") -> tuple[ApiClient, str]:
    """A new client and its token; the token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写客户端名称。")})
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationError({"name": _("已有名为“%(name)s”的客户端。") % {"name": name}})
    token = new_token()
    client = ApiClient.objects.create(
        name=name,
        token_hash=token_hash(token),
        token_prefix=token_prefix(token),
        granted_personal_data=granted_personal_data,
        note=note.strip(),
        created_by=actor,
    )
    log_action(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=client,
        summary=_("新建接口客户端“%(name)s”") % {"name": name},
        changes={"granted_personal_data": granted_personal_data, "token_prefix": client.token_prefix},
    )
    return client, token


@transaction.atomic
def revoke_client(*, actor, client: ApiClient) -> ApiClient:
    """Revoke the client's token at once; a revoked client stays listed, with who revoked it and when."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValidationError(_("客户端“%(name)s”的令牌已于此前吊销。") % {"name": client.name})
    client.revoked_at = timezone.now()
    client.revoked_by = actor
    client.save(update_fields=["revoked_at", "revoked_by"])
    log_action(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=client,
        summary=_("吊销接口客户端“%(name)s”的令牌") % {"name": client.name},
        changes={"revoked_at": client.revoked_at.isoformat()},
    )
    return client
