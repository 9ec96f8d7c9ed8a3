"""Two registry records about the list as a whole: an export of the filtered children list run as a
job, and a pair of children a person has checked and found not to be one child (不是重复)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.jobs.models import Job

from .child import Child


class ChildExportJob(Job):
    """The children list, as filtered, written to an .xlsx by a task (above INLINE_MAX rows).

    `query` is the list's search and filters as the requester sent them; `townships` the scope they had
    then (None: the county), which the job's page and download check again (`township_ids`)."""

    PAGE_URL, RETRY_URL, DOWNLOAD_URL = "children:export_job", "children:export_retry", "children:export_download"
    PROGRESS_UNIT = _("名")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在导出")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    query = models.JSONField(_("查询条件"), default=dict, blank=True)
    townships = models.JSONField(_("乡镇范围"), null=True, blank=True)
    masked = models.BooleanField(_("身份证号脱敏"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("总人数"), default=0)
    row_count = models.PositiveIntegerField(_("导出人数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/", max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )

    class Meta:
        verbose_name = _("儿童名单导出任务")
        verbose_name_plural = _("儿童名单导出任务")
        ordering = ["-created_at", "-id"]

    def township_ids(self):
        return None if self.townships is None else tuple(self.townships)


class NotDuplicate(models.Model):
    """Two children someone checked and found to be two people: the likely-duplicate warning of the pair
    stays silent. Stored once per pair, the lower id first."""

    first = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", verbose_name=_("儿童"))
    second = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", verbose_name=_("另一儿童"))
    reason = models.CharField(_("核实情况"), max_length=300)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("核实人")
    )
    decided_at = models.DateTimeField(_("核实时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("非重复核实")
        verbose_name_plural = _("非重复核实")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="not_duplicate_pair"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="not_duplicate_ordered"),
        ]

    def __str__(self):
        return f"{self.first_id} ≠ {self.second_id}"
