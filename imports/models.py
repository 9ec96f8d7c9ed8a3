"""Import jobs: an uploaded spreadsheet, its preview row by row, and who confirmed it."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.jobs.models import Job


class ImportJob(Job):
    """One uploaded file: checked (preview), then written only when bureau staff confirm.

    A job of the shared mechanism (dingzhou_welfare/jobs) with two working stages: the check
    (QUEUED -> CHECKING, claimed like any job) and the commit (COMMITTING, after the confirm).
    A file may name any township: only county-wide roles open it (`township_ids` is None).
    """

    KEEP_FILES_FOR = datetime.timedelta(days=30)
    PAGE_URL, RETRY_URL = "imports:job", "imports:retry"
    PROGRESS_UNIT = _("行")

    class Kind(models.TextChoices):
        CHILDREN = "children", _("儿童花名册")
        STANDARDS = "standards", _("保障标准")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队等待检查")
        CHECKING = "checking", _("正在检查")
        READY = "ready", _("检查通过，待确认导入")
        INVALID = "invalid", _("有错误，不能导入")
        REFUSED = "refused", _("文件无法读取")
        COMMITTING = "committing", _("正在导入")
        DONE = "done", _("已导入")
        FAILED = "failed", _("导入失败")

    RUNNING = Status.CHECKING
    WORKING = (Status.QUEUED, Status.CHECKING, Status.COMMITTING)
    COMPLETE = (Status.DONE, Status.READY, Status.INVALID)

    kind = models.CharField(_("导入内容"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("文件"), upload_to="imports/", max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    progress = models.PositiveIntegerField(_("已处理行数"), default=0)
    rows_new = models.PositiveIntegerField(_("新增"), default=0)
    rows_changed = models.PositiveIntegerField(_("修改"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    rows_invalid = models.PositiveIntegerField(_("有错误"), default=0)
    error = models.TextField(_("文件错误"), blank=True)
    written = models.JSONField(_("写入结果"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    checked_at = models.DateTimeField(_("检查完成"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # The row-by-row preview holds full ID numbers: deleted with the file (imports.services.purge_old_files).
    preview_purged_at = models.DateTimeField(_("预览清除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(confirmed_by__isnull=False),
                name="importjob_done_was_confirmed",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def progress_total(self) -> int:
        return self.total_rows


class ImportRow(models.Model):
    """The preview of one data row: what importing it would do, or why it cannot be imported."""

    class Status(models.TextChoices):
        NEW = "new", _("新增")
        CHANGED = "changed", _("修改")
        UNCHANGED = "unchanged", _("无变化")
        INVALID = "invalid", _("有错误")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("行号"))
    status = models.CharField(_("结果"), max_length=10, choices=Status.choices)
    key = models.CharField(_("身份证号/项目"), max_length=100, blank=True)
    label = models.CharField(_("姓名/说明"), max_length=100, blank=True)
    # [[column, old, new], ...] with personal numbers already masked; [[column, message], ...]
    changes = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("导入预览行")
        verbose_name_plural = _("导入预览行")
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "status", "line"], name="importrow_job_status")]

    def __str__(self):
        return f"{self.job_id}:{self.line} {self.status}"
