"""A machine client of the read-only API, known by a token that is kept only as its hash."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    """One client (the provincial system, a bureau's other software): one token, revocable.

    The token itself is shown once, when the administrator creates the client; the table keeps its
    SHA-256 (a random 256-bit token needs no slow hash) and its first characters to tell tokens apart.
    """

    name = models.CharField(_("客户端名称"), max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("令牌前缀"), max_length=12, editable=False)
    granted_personal_data = models.BooleanField(
        _("可取得完整个人信息"),
        default=False,
        help_text=_("不勾选时，身份证号和银行账号均脱敏返回。"),
    )
    note = models.CharField(_("用途说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("吊销人"),
    )
    last_used = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
