"""A large document printed by a task: its state and progress survive a reload, its file stays for download."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.jobs.models import Job


class ReportJob(Job):
    """A document printed by a task (reports/jobs.py); the shared states and progress are `Job`'s."""

    PAGE_URL, RETRY_URL, DOWNLOAD_URL = "reports:job", "reports:job_retry", "reports:job_download"

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("儿童福利工作月报")
        ROSTER = "roster", _("发放花名册（签字用）")
        CASE_FILES = "case_files", _("一人一档（乡镇全部儿童）")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("文档"), max_length=20, choices=Kind.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    masked = models.BooleanField(_("身份证号、账号脱敏"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("总量"), default=0)
    file = models.FileField(_("文件"), upload_to="reports/", max_length=200, blank=True)
    file_name = models.CharField(_("下载文件名"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报表生成任务")
        verbose_name_plural = _("报表生成任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="reportjob_user_created")]

    def __str__(self):
        return self.title

    def township_ids(self) -> tuple[int, ...] | None:
        """A roster or case files: one township; the monthly report: its townships, None for the county."""
        if "township_id" in self.params:
            return (self.params["township_id"],)
        ids = self.params.get("township_ids")
        return tuple(ids) if ids is not None else None


class BatchMoney(models.Model):
    """An approved batch's money per programme, township and kind, summed once from its lines.

    Approved batches never change (DESIGN.md 3), so their sums never go stale: the report reads a few
    hundred of these rows instead of millions of lines. `figures.money.summarise_batches` writes them, with
    the batch's `BatchMoneyDone` row in the same transaction, the first time a report needs the batch.
    """

    batch = models.ForeignKey("subsidies.Batch", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey("subsidies.Programme", on_delete=models.CASCADE, related_name="+")
    township = models.ForeignKey("dingzhou_welfare.Township", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    lines = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "programme", "township", "kind"], name="batchmoney_once"),
        ]

    def __str__(self):
        return f"{self.batch_id} {self.programme_id} {self.township_id} {self.kind} {self.amount}"


class BatchMoneyDone(models.Model):
    """The batch's money is summed in BatchMoney (a batch with no lines has no BatchMoney rows)."""

    batch = models.OneToOneField("subsidies.Batch", on_delete=models.CASCADE, primary_key=True, related_name="+")
    lines = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    summed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.batch_id} {self.amount}"
