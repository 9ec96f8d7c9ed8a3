"""The bank payment file's models: a bank's layout (data, kept in the admin), its columns, and the job
that writes a batch's file (see subsidies/bank/__init__.py)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.jobs.models import Job

from ..models import Batch


class BankLayout(models.Model):
    """A bank's payment file (代发文件) layout: which column holds what, the file type, header, total
    line and file name. Data, not code: staff add a bank's layout in the admin."""

    class FileType(models.TextChoices):
        XLSX = "xlsx", _("Excel（.xlsx）")
        CSV = "csv", _("CSV 文本")
        FIXED = "fixed", _("定长文本")

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", _("UTF-8")
        GBK = "gbk", _("GBK")

    class TotalLine(models.TextChoices):
        NONE = "none", _("无")
        FIRST = "first", _("首行")
        LAST = "last", _("末行")

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    file_type = models.CharField(_("文件类型"), max_length=10, choices=FileType.choices, default=FileType.XLSX)
    encoding = models.CharField(
        _("文本编码"), max_length=10, choices=Encoding.choices, default=Encoding.UTF8, help_text=_("CSV 和定长文本")
    )
    delimiter = models.CharField(_("CSV 分隔符"), max_length=1, default=",", blank=True)
    header_line = models.BooleanField(_("含表头行"), default=True)
    total_line = models.CharField(_("合计行"), max_length=10, choices=TotalLine.choices, default=TotalLine.NONE)
    total_format = models.CharField(
        _("合计行格式"),
        max_length=200,
        blank=True,
        help_text=_(
            "可用 {count}（笔数）、{total}（金额）、{month}（YYYYMM）、{batch}（批次编号），可带宽度如 {count:>8}"
        ),
    )
    file_name_pattern = models.CharField(
        _("文件名格式"),
        max_length=100,
        default="{month}_{code}.{ext}",
        help_text=_("可用 {month}、{batch}、{code}、{ext}"),
    )
    line_ending = models.CharField(_("换行符"), max_length=4, choices=[("crlf", "CRLF"), ("lf", "LF")], default="crlf")
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("银行代发文件格式")
        verbose_name_plural = _("银行代发文件格式")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_line="none") | ~Q(total_format=""), name="banklayout_total_line_has_format"
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class BankLayoutColumn(models.Model):
    """One column of a bank layout: the field it holds, its header, and for fixed width its width and padding."""

    class Field(models.TextChoices):
        SEQ = "seq", _("序号")
        ACCOUNT = "account", _("银行账号")
        PAYEE_NAME = "payee_name", _("领取人姓名")
        PAYEE_ID = "payee_id", _("领取人身份证号")
        AMOUNT = "amount", _("金额（元，两位小数）")
        AMOUNT_FEN = "amount_fen", _("金额（分，整数）")
        REMARK = "remark", _("备注（儿童姓名和所属期）")
        CHILD_NAME = "child_name", _("儿童姓名")
        PERIOD = "period", _("所属期")
        BANK_NAME = "bank_name", _("开户银行")
        TOWNSHIP = "township", _("乡镇（街道）")
        REFERENCE = "reference", _("业务参考号（银行回盘按此对账）")

    class Align(models.TextChoices):
        LEFT = "left", _("左对齐")
        RIGHT = "right", _("右对齐")

    layout = models.ForeignKey(BankLayout, on_delete=models.CASCADE, related_name="columns")
    position = models.PositiveSmallIntegerField(_("顺序"))
    field = models.CharField(_("内容"), max_length=20, choices=Field.choices)
    header = models.CharField(_("表头"), max_length=50, blank=True)
    width = models.PositiveSmallIntegerField(_("宽度（字节）"), null=True, blank=True, help_text=_("定长文本必填"))
    align = models.CharField(_("对齐"), max_length=5, choices=Align.choices, default=Align.LEFT)
    padding = models.CharField(_("填充字符"), max_length=1, blank=True, default=" ", help_text=_("留空为空格"))

    class Meta:
        verbose_name = _("列")
        verbose_name_plural = _("列")
        ordering = ["layout", "position"]
        constraints = [
            models.UniqueConstraint(fields=["layout", "position"], name="banklayoutcolumn_position_once"),
            models.CheckConstraint(
                condition=Q(width__isnull=True) | Q(width__gt=0), name="banklayoutcolumn_width_positive"
            ),
        ]

    def __str__(self):
        return f"{self.position} {self.get_field_display()}"


class BankFileJob(Job):
    """The bank payment file of an approved batch, written by a task in a bank's layout and kept with
    its sha256. The whole county's payees: only county-wide roles open it (`township_ids` is None)."""

    PAGE_URL, RETRY_URL, DOWNLOAD_URL = "subsidies:bank_job", "subsidies:bank_retry", "subsidies:bank_download"
    PROGRESS_UNIT = _("条")
    KEEP_FILES_FOR = datetime.timedelta(days=366)  # the file sent to the bank is kept a year

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="bank_files", verbose_name=_("发放批次"))
    layout = models.ForeignKey(BankLayout, on_delete=models.PROTECT, related_name="+", verbose_name=_("文件格式"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("明细条数"), default=0)
    row_count = models.PositiveIntegerField(_("付款笔数"), default=0)
    amount = models.DecimalField(_("付款金额（元）"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    left_out_count = models.PositiveIntegerField(_("未列入笔数"), default=0)
    left_out = models.JSONField(_("未列入的明细"), default=list, blank=True)
    file = models.FileField(_("文件"), upload_to="bank/", max_length=200, blank=True)
    file_name = models.CharField(_("文件名"), max_length=150, blank=True)
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("银行代发文件")
        verbose_name_plural = _("银行代发文件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["batch", "-created_at"], name="bankfilejob_batch_created")]

    def __str__(self):
        return f"{self.batch} {self.layout.code}"
