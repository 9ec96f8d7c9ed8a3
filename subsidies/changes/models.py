"""The change events (增员/减员) and the change list's workbook layout (see subsidies/changes/__init__.py)."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import Reason


class ChangeEventQuerySet(models.QuerySet):
    def for_month(self, month: datetime.date):
        return self.filter(month=month.replace(day=1))

    def since(self, moment: datetime.datetime):
        """The events recorded after `moment`, in cursor order (recorded_at, id)."""
        return self.filter(recorded_at__gt=moment).order_by("recorded_at", "id")


class ChangeEvent(models.Model):
    """One change for the national system: a child added to (增员) or removed from (减员) a category
    or a programme, on a date, for a reason.

    Recorded in the transaction of the write that makes the change (a classification added or
    ended, an enrolment confirmed or ended), or by the backfill from the history already entered.
    `month` is the monthly return the change belongs to: a category's start or end month; for a
    programme, the first month paid (增员) or the first month no longer paid (减员), as the payments
    do. `recorded_at` and `id` page the events for machine clients ("changes since").
    """

    class Direction(models.TextChoices):
        ADD = "add", _("增员")
        REMOVE = "remove", _("减员")

    id = models.BigAutoField(primary_key=True)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now, db_index=True)
    effective_date = models.DateField(_("变动日期"))
    month = models.DateField(_("所属月份"), db_index=True)
    direction = models.CharField(_("变动类型"), max_length=6, choices=Direction.choices)
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="change_events")
    category = models.CharField(_("儿童类别"), max_length=30, blank=True)
    national_category_code = models.CharField(_("全国系统类别代码"), max_length=10, blank=True)
    programme = models.ForeignKey(
        "subsidies.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason_code = models.CharField(_("变动原因代码"), max_length=30, choices=Reason.choices)
    reason = models.TextField(_("变动原因"), blank=True)
    # The row that made the change, so a change is recorded once (the backfill and the hooks meet).
    classification = models.ForeignKey(
        "children.Classification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolment = models.ForeignKey(
        "subsidies.Enrolment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ChangeEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("增减员记录")
        verbose_name_plural = _("增减员记录")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="changeevent_month_is_first_day"),
            models.UniqueConstraint(
                fields=["classification", "direction"],
                condition=Q(classification__isnull=False),
                name="changeevent_once_per_classification",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "direction"],
                condition=Q(enrolment__isnull=False),
                name="changeevent_once_per_enrolment",
            ),
        ]
        indexes = [
            models.Index(fields=["recorded_at", "id"], name="changeevent_cursor"),
            models.Index(fields=["month", "direction", "id"], name="changeevent_month_list"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.get_direction_display()} {self.child_id} {self.category or self.programme_id}"


def events_for_month(month: datetime.date):
    """The events of a month's change list (month: any day of it), in the list's order: 增员 first,
    then 减员, each by township, date and child."""
    return ChangeEvent.objects.for_month(month).order_by(
        "direction", "child__township__code", "effective_date", "child__name", "id"
    )


class ChangeListLayout(models.Model):
    """The change list's workbook: which column holds what, under which header. Data, not code:
    staff add a layout (another province's template) in the admin."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    sheet_title = models.CharField(_("工作表名称"), max_length=31, default="增减员")
    file_name_pattern = models.CharField(
        _("文件名格式"), max_length=100, default="{month}_增减员_{code}.xlsx", help_text=_("可用 {month}、{code}")
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("增减员名单格式")
        verbose_name_plural = _("增减员名单格式")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ChangeListColumn(models.Model):
    """One column of a change-list layout: the field it holds and its header."""

    class Field(models.TextChoices):
        SEQ = "seq", _("序号")
        DIRECTION = "direction", _("变动类型（增员/减员）")
        EFFECTIVE_DATE = "effective_date", _("变动日期")
        MONTH = "month", _("所属月份")
        NATIONAL_CODE = "national_code", _("全国系统类别代码")
        CATEGORY = "category", _("儿童类别")
        PROGRAMME = "programme", _("保障项目")
        ID_NUMBER = "id_number", _("身份证号")
        NAME = "name", _("姓名")
        SEX = "sex", _("性别")
        BIRTH_DATE = "birth_date", _("出生日期")
        TOWNSHIP_CODE = "township_code", _("乡镇（街道）代码")
        TOWNSHIP = "township", _("乡镇（街道）")
        VILLAGE = "village", _("村（社区）")
        GUARDIAN = "guardian", _("监护人姓名")
        GUARDIAN_RELATIONSHIP = "guardian_relationship", _("监护人与儿童关系")
        REASON_CODE = "reason_code", _("变动原因代码")
        REASON_LABEL = "reason_label", _("变动原因")
        REASON = "reason", _("说明")
        RECORDED_AT = "recorded_at", _("记录时间")

    layout = models.ForeignKey(ChangeListLayout, on_delete=models.CASCADE, related_name="columns")
    position = models.PositiveSmallIntegerField(_("顺序"))
    field = models.CharField(_("内容"), max_length=30, choices=Field.choices)
    header = models.CharField(_("表头"), max_length=50, blank=True, help_text=_("留空则用内容的名称"))

    class Meta:
        verbose_name = _("列")
        verbose_name_plural = _("列")
        ordering = ["layout", "position"]
        constraints = [models.UniqueConstraint(fields=["layout", "position"], name="changelistcolumn_position_once")]

    def __str__(self):
        return f"{self.position} {self.get_field_display()}"
