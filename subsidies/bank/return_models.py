"""The bank's return (回盘) models: the return file's layout (data, kept in the admin), each payment
sent to the bank with what the bank said of it, and the job that reads a return file (see
subsidies/bank/returns.py)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.jobs.models import Job

from ..models import Batch


class BankReturnLayout(models.Model):
    """Which columns of a bank's return file hold the account, amount, reference, result and reason,
    and which result words mean paid or returned. Data, not code: staff add a bank's in the admin."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    account_header = models.CharField(_("账号列表头"), max_length=50, default="账号")
    amount_header = models.CharField(_("金额列表头"), max_length=50, default="金额")
    amount_in_fen = models.BooleanField(_("金额以分为单位"), default=False)
    reference_header = models.CharField(
        _("参考号列表头"), max_length=50, blank=True, help_text=_("留空则按账号和金额对账。")
    )
    name_header = models.CharField(_("户名列表头"), max_length=50, blank=True)
    status_header = models.CharField(_("处理结果列表头"), max_length=50, default="处理结果")
    reason_header = models.CharField(_("失败原因列表头"), max_length=50, default="失败原因")
    success_values = models.CharField(
        _("表示成功的结果"), max_length=200, default="成功,交易成功,已入账,S", help_text=_("用逗号分隔。")
    )
    failure_values = models.CharField(
        _("表示失败的结果"), max_length=200, default="失败,交易失败,退票,F", help_text=_("用逗号分隔。")
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("银行回盘文件格式")
        verbose_name_plural = _("银行回盘文件格式")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class BankPayment(models.Model):
    """One payment of a batch's bank file (a child's lines to one account, netted), in the file's order,
    and what the bank's return said of it. Written from the batch when its first return is read."""

    class Status(models.TextChoices):
        SENT = "sent", _("已送银行，待确认")
        PAID = "paid", _("已发放")
        RETURNED = "returned", _("退票")

    class Reason(models.TextChoices):
        NAME_MISMATCH = "name_mismatch", _("户名不符")
        NO_ACCOUNT = "no_account", _("账户不存在")
        CLOSED = "closed", _("销户")
        FROZEN = "frozen", _("冻结")
        OTHER = "other", _("其他")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="bank_payments")
    seq = models.PositiveIntegerField(_("序号"))
    reference = models.CharField(_("业务参考号"), max_length=40, unique=True)
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey("dingzhou_welfare.Township", on_delete=models.PROTECT, related_name="+")
    account_number = models.CharField(_("银行账号"), max_length=32)
    payee_name = models.CharField(_("领取人"), max_length=50, blank=True)
    payee_id_number = models.CharField(max_length=18, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    status = models.CharField(_("银行结果"), max_length=10, choices=Status.choices, default=Status.SENT)
    reason = models.CharField(_("退票原因"), max_length=20, choices=Reason.choices, blank=True)
    bank_reason = models.CharField(_("银行说明"), max_length=200, blank=True)
    return_job = models.ForeignKey(
        "BankReturnJob", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("回盘文件")
    )
    settled_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    corrected_at = models.DateTimeField(_("账户核实时间"), null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("银行代发记录")
        verbose_name_plural = _("银行代发记录")
        ordering = ["batch", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "seq"], name="bankpayment_seq_once"),
            models.CheckConstraint(
                condition=Q(status="returned") | Q(reason=""), name="bankpayment_reason_only_when_returned"
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "status"], name="bankpayment_batch_status"),
            models.Index(fields=["batch", "account_number"], name="bankpayment_batch_account"),
            models.Index(fields=["child", "batch"], name="bankpayment_child"),
        ]

    def __str__(self):
        return self.reference


class BankReturnJob(Job):
    """One return file read against one batch: checked into a preview, committed only when staff
    confirm. The whole county's payees: only county-wide roles open it (`township_ids` is None)."""

    PAGE_URL, RETRY_URL = "subsidies:return_job", "subsidies:return_retry"
    PROGRESS_UNIT = _("行")
    KEEP_FILES_FOR = datetime.timedelta(days=366)

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队等待检查")
        CHECKING = "checking", _("正在检查")
        READY = "ready", _("检查通过，待确认")
        REFUSED = "refused", _("有错误，未导入")
        COMMITTING = "committing", _("正在导入")
        DONE = "done", _("已导入")
        FAILED = "failed", _("处理失败")

    RUNNING = Status.CHECKING
    WORKING = (Status.QUEUED, Status.CHECKING, Status.COMMITTING)
    COMPLETE = (Status.DONE, Status.READY, Status.REFUSED)

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="bank_returns", verbose_name=_("发放批次"))
    layout = models.ForeignKey(BankReturnLayout, on_delete=models.PROTECT, related_name="+", verbose_name=_("回盘格式"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("文件"), upload_to="bank_returns/", max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64)
    total = models.PositiveIntegerField(_("数据行数"), default=0)
    rows = models.PositiveIntegerField(_("回盘笔数"), default=0)
    to_paid = models.PositiveIntegerField(_("确认已发放"), default=0)
    to_returned = models.PositiveIntegerField(_("退票"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    unconfirmed = models.PositiveIntegerField(_("仍待确认"), default=0)
    amount_paid = models.DecimalField(_("已发放金额"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    amount_returned = models.DecimalField(_("退票金额"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    returned_list = models.JSONField(_("退票明细"), default=list, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("与之相同的文件")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    checked_at = models.DateTimeField(_("检查完成"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("银行回盘文件")
        verbose_name_plural = _("银行回盘文件")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The same file is committed to a batch once: a second import of it changes nothing.
            models.UniqueConstraint(
                fields=["batch", "sha256"], condition=Q(status="done"), name="bankreturn_file_once"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(confirmed_by__isnull=False), name="bankreturn_done_was_confirmed"
            ),
        ]

    def __str__(self):
        return f"{self.batch} {self.original_name}"
