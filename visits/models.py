"""Home visits (巡视探访), their review, mandatory reports, and each child's visit schedule."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.access import scope


class RiskLevel(models.TextChoices):
    HIGH = "high", _("高风险")
    MEDIUM = "medium", _("中风险")
    LOW = "low", _("低风险")


class Rating(models.TextChoices):
    """How one of the six dimensions was found, best to worst."""

    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")
    SERIOUS = "serious", _("严重问题")


# The six dimensions of the Dingzhou plan (DOMAIN.md 4.3): field prefix -> label.
DIMENSIONS = [
    ("health", _("健康状况")),
    ("mental", _("精神状态")),
    ("education", _("教育环境")),
    ("hygiene", _("卫生环境")),
    ("living", _("居住环境")),
    ("guardianship", _("监护情况")),
]


def _rating(label):
    return models.CharField(label, max_length=10, choices=Rating.choices)


def _note(label):
    return models.CharField(label, max_length=500, blank=True)


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope(self, user)


class Visit(models.Model):
    """One home visit to one child, as the visitor recorded it and the supervisor reviewed it."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("日常探访")
        CARE = "care", _("节日走访慰问")
        FOLLOW_UP = "follow_up", _("跟进回访")
        EMERGENCY = "emergency", _("紧急探访")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        ACCEPTED = "accepted", _("已通过")
        RETURNED = "returned", _("已退回")

    class Present(models.TextChoices):
        CHILD = "child", _("儿童本人")
        FATHER = "father", _("父亲")
        MOTHER = "mother", _("母亲")
        GRANDPARENT = "grandparent", _("祖父母/外祖父母")
        CARER = "carer", _("其他监护人/照料人")
        TEACHER = "teacher", _("教师")
        VILLAGE = "village", _("村（居）委会人员")

    class Referral(models.TextChoices):
        POLICE = "police", _("公安机关")
        EDUCATION = "education", _("教育部门/学校")
        HEALTH = "health", _("卫生健康部门")
        DISABLED_FEDERATION = "disabled_federation", _("残联")
        WOMEN_FEDERATION = "women_federation", _("妇联")
        CIVIL_AFFAIRS = "civil_affairs", _("民政局儿童福利股")
        WORKSTATION = "workstation", _("乡镇未成年人保护工作站")
        SOCIAL_WORK = "social_work", _("社会工作服务机构")
        JUDICIAL = "judicial", _("司法部门")

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="visits", verbose_name=_("儿童"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("探访人")
    )
    kind = models.CharField(_("探访类型"), max_length=20, choices=Kind.choices, default=Kind.ROUTINE)
    visited_on = models.DateField(_("探访日期"))
    present = models.JSONField(_("在场人员"), default=list, blank=True)
    present_other = models.CharField(_("其他在场人员"), max_length=200, blank=True)

    health_rating = _rating(_("健康状况"))
    health_note = _note(_("健康状况说明"))
    mental_rating = _rating(_("精神状态"))
    mental_note = _note(_("精神状态说明"))
    education_rating = _rating(_("教育环境"))
    education_note = _note(_("教育环境说明"))
    hygiene_rating = _rating(_("卫生环境"))
    hygiene_note = _note(_("卫生环境说明"))
    living_rating = _rating(_("居住环境"))
    living_note = _note(_("居住环境说明"))
    guardianship_rating = _rating(_("监护情况"))
    guardianship_note = _note(_("监护情况说明"))

    problems = models.TextField(_("发现的问题"), blank=True)
    actions = models.TextField(_("采取的措施"), blank=True)
    referrals = models.JSONField(_("转介部门"), default=list, blank=True)
    suspected_harm = models.BooleanField(_("疑似遭受侵害（强制报告）"), default=False)
    harm_description = models.TextField(_("疑似侵害情况"), blank=True)
    next_visit_due = models.DateField(_("下次探访日期"))

    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices)
    risk_reasons = models.JSONField(_("风险依据"), default=list, blank=True)

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_visits",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)

    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("探访记录")
        verbose_name_plural = _("探访记录")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(next_visit_due__gt=F("visited_on")), name="visit_next_due_after_visit"),
            models.CheckConstraint(
                condition=Q(suspected_harm=False) | ~Q(harm_description=""), name="visit_harm_described"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_comment=""), name="visit_returned_has_comment"
            ),
        ]
        indexes = [
            models.Index(fields=["child", "-visited_on"], name="visit_child_date"),
            models.Index(fields=["status", "child"], name="visit_status_child"),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.get_kind_display()}"

    def ratings(self) -> dict:
        return {name: getattr(self, f"{name}_rating") for name, _label in DIMENSIONS}

    def dimension_rows(self):
        """(label, rating label, rating value, note) for the six dimensions, in order."""
        return [
            (
                label,
                getattr(self, f"get_{name}_rating_display")(),
                getattr(self, f"{name}_rating"),
                getattr(self, f"{name}_note"),
            )
            for name, label in DIMENSIONS
        ]

    def present_labels(self) -> list[str]:
        labels = dict(self.Present.choices)
        names = [str(labels.get(code, code)) for code in self.present]
        return [*names, self.present_other] if self.present_other else names

    def referral_labels(self) -> list[str]:
        labels = dict(self.Referral.choices)
        return [str(labels.get(code, code)) for code in self.referrals]


def photo_path(instance, filename):
    suffix = PurePosixPath(filename).suffix.lower()
    return f"visits/{instance.visit.child_id}/{uuid.uuid4().hex}{suffix}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=photo_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("探访照片")
        verbose_name_plural = _("探访照片")
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class MandatoryReport(models.Model):
    """强制报告: a suspected harm found on a visit, for the bureau to act on at once."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处置")
        HANDLED = "handled", _("已处置")

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="mandatory_report")
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="mandatory_reports", verbose_name=_("儿童")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人")
    )
    reported_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    description = models.TextField(_("疑似侵害情况"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处置人"),
    )
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    handling = models.TextField(_("处置情况"), blank=True)

    class Meta:
        verbose_name = _("强制报告")
        verbose_name_plural = _("强制报告")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (Q(handled_at__isnull=False) & ~Q(handling="")),
                name="mandatory_report_handled_fields",
            )
        ]
        indexes = [models.Index(fields=["status", "-reported_at"], name="mandatory_report_status")]

    def __str__(self):
        return f"{self.reported_at:%Y-%m-%d} {self.get_status_display()}"


class IntervalTier(models.TextChoices):
    HIGH = "high", _("高风险及重点巡防对象")
    MEDIUM = "medium", _("中风险")
    LOW = "low", _("低风险")
    FIRST = "first", _("尚未探访（建档后首次探访）")


class VisitInterval(models.Model):
    """How often a child of a risk tier is visited, in days (configurable, DOMAIN.md 4.3)."""

    tier = models.CharField(_("类别"), max_length=10, choices=IntervalTier.choices, unique=True)
    days = models.PositiveSmallIntegerField(
        _("探访间隔（天）"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("探访间隔")
        verbose_name_plural = _("探访间隔")
        ordering = ["days"]
        constraints = [models.CheckConstraint(condition=Q(days__gte=1, days__lte=366), name="visit_interval_range")]

    def __str__(self):
        return f"{self.get_tier_display()}: {self.days}"


class VisitSchedule(models.Model):
    """One row per active child: its risk, patrol flag, last visit and next due date.

    Kept current by the visit services and recomputed nightly, set-based, by visits.schedule.
    Township and village are copied from the child so the work list reads one indexed table.
    """

    class PatrolSource(models.TextChoices):
        AUTOMATIC = "auto", _("高风险自动列入")
        MANUAL = "manual", _("人工列入")

    child = models.OneToOneField(
        "children.Child", on_delete=models.CASCADE, primary_key=True, related_name="visit_schedule"
    )
    township = models.ForeignKey("dingzhou_welfare.Township", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        "dingzhou_welfare.Village", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices, blank=True)
    patrol = models.BooleanField(_("重点巡防对象"), default=False)
    patrol_source = models.CharField(_("列入方式"), max_length=10, choices=PatrolSource.choices, blank=True)
    patrol_reason = models.CharField(_("列入原因"), max_length=300, blank=True)
    patrol_since = models.DateField(_("列入日期"), null=True, blank=True)
    last_visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_visited_on = models.DateField(_("最近探访"), null=True, blank=True)
    planned_on = models.DateField(_("计划探访日期"), null=True, blank=True)
    registered_on = models.DateField(_("纳入日期"))
    due_on = models.DateField(_("应探访日期"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("探访计划")
        verbose_name_plural = _("探访计划")
        constraints = [
            models.CheckConstraint(
                condition=Q(patrol=False, patrol_source="") | Q(patrol=True) & ~Q(patrol_source=""),
                name="visit_schedule_patrol_source",
            )
        ]
        indexes = [
            models.Index(fields=["due_on", "child"], name="visit_sched_due"),
            models.Index(fields=["township", "due_on", "child"], name="visit_sched_township_due"),
            models.Index(fields=["village", "due_on", "child"], name="visit_sched_village_due"),
            models.Index(fields=["township", "due_on"], condition=Q(patrol=True), name="visit_sched_patrol"),
        ]

    def __str__(self):
        return f"{self.child_id} {self.due_on}"


class VisitWorkload(models.Model):
    """The nightly figures: what is due and overdue, per township and per caseworker, on a day."""

    day = models.DateField(_("日期"))
    township = models.ForeignKey("dingzhou_welfare.Township", on_delete=models.CASCADE, related_name="+")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    children = models.PositiveIntegerField(_("应探访儿童"))
    due_soon = models.PositiveIntegerField(_("近期到期"))
    overdue = models.PositiveIntegerField(_("已逾期"))
    never_visited = models.PositiveIntegerField(_("从未探访"))
    patrol = models.PositiveIntegerField(_("重点巡防对象"))
    patrol_overdue = models.PositiveIntegerField(_("重点巡防对象逾期"))
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("探访工作量")
        verbose_name_plural = _("探访工作量")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "township"], condition=Q(caseworker__isnull=True), name="visit_workload_township"
            ),
            models.UniqueConstraint(
                fields=["day", "township", "caseworker"],
                condition=Q(caseworker__isnull=False),
                name="visit_workload_caseworker",
            ),
        ]
        indexes = [models.Index(fields=["day", "township"], name="visit_workload_day")]

    def __str__(self):
        return f"{self.day} {self.township_id} {self.caseworker_id}"


class VisitDraft(models.Model):
    """A visit form being filled in, kept on the server as well as in the phone, so that a visit started
    on one phone can be finished on another. One per user, child and form (a new visit, or the returned
    visit being corrected); removed when the visit is saved, or after DRAFT_DAYS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_drafts")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="visit_drafts")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts")
    values = models.JSONField(_("填写内容"), default=dict)
    updated_at = models.DateTimeField(_("保存时间"), auto_now=True)

    class Meta:
        verbose_name = _("探访草稿")
        verbose_name_plural = _("探访草稿")
        constraints = [
            models.UniqueConstraint(fields=["user", "child"], condition=Q(visit=None), name="visit_draft_one_new"),
            models.UniqueConstraint(fields=["user", "visit"], condition=~Q(visit=None), name="visit_draft_one_edit"),
        ]

    def __str__(self):
        return f"{self.user_id}:{self.child_id}:{self.visit_id or 'new'}"
