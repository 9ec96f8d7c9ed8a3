"""Places (townships, villages), users' roles and township scope, and the audit trail.

Places live on the ground floor because scoping (access.py) is by place: every app above maps its
rows to a township and a village.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TownshipManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Township(models.Model):
    """乡镇/街道: versioned reference data, never an enum (fixtures are keyed by code)."""

    class Kind(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("街道")
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")
        ETHNIC_TOWNSHIP = "ethnic_township", _("民族乡")

    code = models.CharField(
        _("统计用区划代码"),
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^\d{9}$", _("乡镇代码应为9位数字。"))],
    )
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)
    # 未成年人保护工作站试点 (DOMAIN.md 0: the article names 13), kept by the administrator in the admin site.
    protection_pilot = models.BooleanField(_("未成年人保护工作站试点"), default=False, db_default=False)
    protection_pilot_since = models.DateField(
        _("试点开始日期"), null=True, blank=True, help_text=_("列为未成年人保护工作站试点的日期。")
    )

    objects = TownshipManager()

    class Meta:
        db_table = "children_township"  # created by the children app; the rows stayed when the model moved here
        verbose_name = _("乡镇（街道）")
        verbose_name_plural = _("乡镇（街道）")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(protection_pilot=False) | models.Q(protection_pilot_since__isnull=False),
                name="township_pilot_has_start_date",
                violation_error_message=_("列为未成年人保护工作站试点的乡镇须填写试点开始日期。"),
            )
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class SupervisorTraining(models.Model):
    """A training of township 儿童督导员 held by the bureau or a township, recorded by the administrator."""

    held_on = models.DateField(_("培训日期"))
    township = models.ForeignKey(
        Township,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainings",
        verbose_name=_("乡镇（街道）"),
        help_text=_("全市集中培训不填。"),
    )
    title = models.CharField(_("培训名称"), max_length=100)
    attendees = models.PositiveIntegerField(_("参训人数"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("儿童督导员培训")
        verbose_name_plural = _("儿童督导员培训")
        ordering = ["-held_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(attendees__gt=0), name="training_has_attendees")]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class Village(models.Model):
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("乡镇"))
    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(_("代码"), max_length=12, blank=True)

    class Meta:
        db_table = "children_village"
        verbose_name = _("村（社区）")
        verbose_name_plural = _("村（社区）")
        ordering = ["township__code", "name"]
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="village_unique_name")]

    def __str__(self):
        return self.name


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
# Roles that decide a role request made by someone else (services.decide_role_request).
APPROVER_ROLES = {Role.ADMINISTRATOR, Role.LEADER}


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    # Blank: no role yet (a new account whose role request waits for a second person's approval).
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    townships = models.ManyToManyField(Township, blank=True, verbose_name=_("负责乡镇"))
    villages = models.ManyToManyField(
        Village,
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


class RoleRequest(models.Model):
    """A role and scope asked for a user by one administrator, applied only when a second person
    (another administrator, or the leader) approves it (services.request_access, decide_role_request)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待批准")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        SUPERSEDED = "superseded", _("已被新申请取代")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_requests", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    townships = models.ManyToManyField(Township, blank=True, verbose_name=_("负责乡镇"))
    villages = models.ManyToManyField(Village, blank=True, verbose_name=_("负责村（社区）"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("角色变更申请")
        verbose_name_plural = _("角色变更申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="role_request_one_pending_per_user"
            ),
            # The second person is neither the one who asked nor the one who gains the access.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")) & ~models.Q(decided_by=models.F("user")),
                name="role_request_decided_by_a_second_person",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.get_role_display()} ({self.get_status_display()})"


class AuditEntry(models.Model):
    """Who did what to which record, when, with the old and new values.

    Rows are only ever added (dingzhou_welfare.audit.log_action): on PostgreSQL a trigger refuses
    UPDATE and DELETE, and each row carries the hash of the row before it, so a row changed or
    removed behind the application's back breaks the chain (manage.py verify_audit). Nothing
    purges them: the trail is kept for as long as the database (at least the 180 days asked for).
    """

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

    # Set before the row's hash is computed, so not auto_now_add (which would overwrite it on save).
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("操作人")
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    # The trail outlives what it is about: deleting a child (only the demo's --reset does) leaves its
    # rows as they were, with the child's id, as object_id is kept; SET_NULL would rewrite them.
    child = models.ForeignKey(
        "children.Child",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    prev_hash = models.CharField(_("上一条的哈希"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child", "-at"], name="audit_child_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.object_type}"
