"""Users' roles and township scope, and the audit trail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("儿童主任")
    SUPERVISOR = "supervisor", _("儿童督导员")
    STAFF = "staff", _("儿童福利股")
    LEADER = "leader", _("局领导")
    ADMINISTRATOR = "administrator", _("系统管理员")


# Roles that see every township; the others see only the townships (or villages) assigned.
COUNTY_WIDE_ROLES = {Role.STAFF, Role.LEADER}
# Roles that see no child at all, whatever townships are set.
NO_CHILD_ROLES = {Role.ADMINISTRATOR}


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    townships = models.ManyToManyField("children.Township", blank=True, verbose_name=_("负责乡镇"))
    villages = models.ManyToManyField(
        "children.Village",
        blank=True,
        verbose_name=_("负责村（社区）"),
        help_text=_("儿童主任只负责部分村时填写；不填则为整个乡镇。"),
    )
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    # Goes up each time the role or scope is saved: web processes keep a user's scope in memory
    # under this number (access.py), so a change reaches every process with the next request.
    scope_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("用户角色与范围")
        verbose_name_plural = _("用户角色与范围")

    def __str__(self):
        return f"{self.user.get_username()} ({self.get_role_display()})"


class AuditEntry(models.Model):
    """Who did what to which record, when, with the old and new values."""

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        REVEAL = "reveal", _("查看完整个人信息")
        EXPORT = "export", _("导出个人信息")
        UPLOAD = "upload", _("上传文件")
        DOWNLOAD = "download", _("下载文件")
        DECISION = "decision", _("决定")
        LOGIN = "login", _("登录")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("操作人")
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child", "-at"], name="audit_child_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.object_type}"
