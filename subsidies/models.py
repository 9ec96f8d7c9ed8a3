"""Programmes, their versioned standards, enrolments, and the monthly disbursement."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from children.models import ClassificationKind
from dingzhou_welfare.jobs.models import Job

from .validators import DEFAULT_MONTHLY_CEILING, validate_standard_amount, validate_standard_month


class Programme(models.Model):
    """保障项目. Its rules are data, so the next county only loads its own."""

    class StartRule(models.TextChoices):
        MONTH_AFTER_CONFIRMATION = "month_after_confirmation", _("确认的次月起发放")
        MONTH_OF_CONFIRMATION = "month_of_confirmation", _("确认当月起发放")
        MONTH_OF_APPLICATION = "month_of_application", _("申请当月起发放")

    class StopRule(models.TextChoices):
        MONTH_AFTER_EVENT = "month_after_event", _("情形发生的次月起停发")
        MONTH_OF_EVENT = "month_of_event", _("情形发生当月起停发")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    aliases = models.JSONField(_("别名"), default=list, blank=True, help_text=_("导入时也接受的简称。"))
    fund_type_code = models.CharField(_("资金发放类型代码"), max_length=10, blank=True)
    eligible_kinds = models.JSONField(
        _("适用儿童类别"), default=list, blank=True, help_text=_("须持有其中之一；为空则不要求儿童类别。")
    )
    requires_disability = models.BooleanField(_("须持残疾人证"), default=False)
    severe_disability_only = models.BooleanField(_("仅限一、二级残疾"), default=False)
    age_limit = models.PositiveSmallIntegerField(_("年龄上限"), null=True, blank=True)
    extends_in_school = models.BooleanField(
        _("在校可延长"),
        default=False,
        help_text=_("年满上限后仍在校就读的，发放至保障记录登记的预计毕业月份。"),
    )
    start_rule = models.CharField(_("起始规则"), max_length=30, choices=StartRule.choices)
    stop_rule = models.CharField(_("停发规则"), max_length=30, choices=StopRule.choices)
    display_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    max_monthly_amount = models.DecimalField(
        _("月标准上限（元）"),
        max_digits=10,
        decimal_places=2,
        default=DEFAULT_MONTHLY_CEILING,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("高于此数的月标准会被拒绝，以免多输几个零。"),
    )

    class Meta:
        verbose_name = _("保障项目")
        verbose_name_plural = _("保障项目")
        ordering = ["display_order", "id"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    def eligible_kind_labels(self) -> list[str]:
        return [ClassificationKind(k).label for k in self.eligible_kinds]


class StackingRule(models.Model):
    """How `programme` is paid when the child also receives `other` in the same month."""

    class Rule(models.TextChoices):
        EXCLUSIVE = "exclusive", _("不重复享受，按较高标准发放")
        TOP_UP = "top_up", _("补差发放至本项目标准")
        CUMULATIVE = "cumulative", _("可叠加，全额发放")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="stacking_rules")
    other = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("另一项目"))
    rule = models.CharField(_("规则"), max_length=20, choices=Rule.choices)

    class Meta:
        verbose_name = _("叠加规则")
        verbose_name_plural = _("叠加规则")
        constraints = [
            models.UniqueConstraint(fields=["programme", "other"], name="stacking_unique_pair"),
            models.CheckConstraint(condition=~Q(programme=F("other")), name="stacking_not_self"),
        ]

    def __str__(self):
        return f"{self.programme} / {self.other}: {self.get_rule_display()}"


class Standard(models.Model):
    """A programme's monthly amount from a month on; the latest one started is in force."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="standards")
    effective_month = models.DateField(_("起始月份"), validators=[validate_standard_month])
    amount = models.DecimalField(
        _("月标准（元）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    note = models.CharField(_("依据"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保障标准")
        verbose_name_plural = _("保障标准")
        ordering = ["programme", "-effective_month"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "effective_month"], name="standard_one_per_month"),
            models.CheckConstraint(condition=Q(effective_month__day=1), name="standard_month_is_first_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="standard_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.programme} {self.effective_month:%Y-%m} {self.amount}"

    def clean(self):
        if self.programme_id and self.amount is not None:
            try:
                validate_standard_amount(self.amount, ceiling=self.programme.max_monthly_amount)
            except ValidationError as error:
                raise ValidationError({"amount": error.messages}) from None


class EnrolmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Enrolment.OPEN_STATUSES)

    def paying_in(self, month: datetime.date):
        return (
            self.filter(status__in=Enrolment.PAYING_STATUSES, start_month__lte=month)
            .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
            .exclude(status=Enrolment.Status.SUSPENDED, suspended_from__lte=month)
        )


class Enrolment(models.Model):
    """保障记录: a child in a programme, from application to the end of payment."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("已申请，待乡镇查验")
        CHECKED = "checked", _("乡镇已查验，待民政局确认")
        CONFIRMED = "confirmed", _("已确认，保障中")
        REFUSED = "refused", _("未通过")
        SUSPENDED = "suspended", _("暂停发放，待复核")
        ENDED = "ended", _("已终止")

    class EndReason(models.TextChoices):
        TURNED_18 = "turned_18", _("年满18周岁")
        ADOPTED = "adopted", _("被收养")
        DIED = "died", _("死亡")
        SITUATION_CHANGED = "situation_changed", _("情形消失")
        MOVED_AWAY = "moved_away", _("迁出")
        CLASSIFICATION_ENDED = "classification_ended", _("儿童类别终止")
        GRADUATED = "graduated", _("超龄在校延长期满")
        REVIEW = "review", _("复核终止")
        OTHER = "other", _("其他")

    OPEN_STATUSES = (Status.APPLIED, Status.CHECKED, Status.CONFIRMED, Status.SUSPENDED)
    # Statuses whose months may carry lines: a suspended enrolment is paid up to its suspension.
    PAYING_STATUSES = (Status.CONFIRMED, Status.SUSPENDED, Status.ENDED)

    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="enrolments")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    applied_on = models.DateField(_("申请日期"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.CharField(_("申请材料"), max_length=200, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    check_note = models.CharField(_("查验意见"), max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refused_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(_("不予通过的理由"), max_length=300, blank=True)
    start_month = models.DateField(_("起始发放月份"), null=True, blank=True)
    end_month = models.DateField(_("最后发放月份"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=30, choices=EndReason.choices, blank=True)
    ended_on = models.DateField(_("情形发生日期"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_note = models.CharField(_("终止说明"), max_length=300, blank=True)
    suspended_from = models.DateField(
        _("暂停发放起始月份"), null=True, blank=True, help_text=_("自该月起暂停发放，复核后恢复（补发）或终止。")
    )
    suspension_reason = models.CharField(_("暂停原因"), max_length=300, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    school_name = models.CharField(_("就读学校"), max_length=100, blank=True)
    expected_graduation = models.DateField(
        _("预计毕业日期"), null=True, blank=True, help_text=_("项目允许在校延长的，年满上限后发放至毕业当月。")
    )
    prior_paid_through = models.DateField(
        _("原系统已发放至"), null=True, blank=True, help_text=_("导入的保障记录：此前月份由原系统发放，不再补发。")
    )
    reconcile_requested_at = models.DateTimeField(null=True, blank=True)
    needs_reconcile = models.BooleanField(
        default=False, help_text=_("已计算过的月份可能少发或多发（补确认、标准追溯调整），下一批次核对补发。")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("保障记录")
        verbose_name_plural = _("保障记录")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "programme"],
                condition=Q(status__in=["applied", "checked", "confirmed", "suspended"]),
                name="enrolment_one_open_per_programme",
            ),
            # The bureau's confirmation is never by the person who applied (four eyes).
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | Q(applied_by__isnull=True) | ~Q(confirmed_by=F("applied_by")),
                name="enrolment_confirmer_not_applicant",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["confirmed", "suspended", "ended"]) | Q(start_month__isnull=False),
                name="enrolment_paying_has_start",
            ),
            models.CheckConstraint(
                condition=Q(status="suspended", suspended_from__isnull=False)
                | (~Q(status="suspended") & Q(suspended_from__isnull=True)),
                name="enrolment_suspended_has_month",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "programme"], name="enrolment_status_programme"),
            models.Index(fields=["child", "status"], name="enrolment_child_status"),
            models.Index(fields=["needs_reconcile"], condition=Q(needs_reconcile=True), name="enrolment_reconcile"),
        ]

    def __str__(self):
        return f"{self.child} · {self.programme}"


class Batch(models.Model):
    """发放批次: one per month. Draft batches can be recomputed; approved ones never change."""

    class Status(models.TextChoices):
        COMPUTING = "computing", _("计算中")
        DRAFT = "draft", _("待审批")
        APPROVED = "approved", _("已审批")
        EXPORTED = "exported", _("已导出发放")
        SENT_TO_BANK = "sent_to_bank", _("已送银行")

    # Approved and after: the lines never change, and they count as paid (应发).
    FROZEN_STATUSES = (Status.APPROVED, Status.EXPORTED, Status.SENT_TO_BANK)

    month = models.DateField(_("发放月"), unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.COMPUTING)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("开始计算"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算完成"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    townships_total = models.PositiveIntegerField(default=0)
    townships_done = models.PositiveIntegerField(default=0)
    line_count = models.PositiveIntegerField(_("明细条数"), default=0)
    total_amount = models.DecimalField(_("合计（元）"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="batch_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(run_by__isnull=True) | ~Q(approved_by=F("run_by")),
                name="batch_approver_not_runner",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}"

    @property
    def number(self) -> str:
        """The batch number: from the database id, unique and never reused."""
        return f"FF{self.month:%Y%m}-{self.pk:05d}"

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN_STATUSES


class BatchTownship(models.Model):
    """The fan-out unit: one township's lines of a batch, computed in one transaction."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待计算")
        DONE = "done", _("已完成")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="townships")
    township = models.ForeignKey("dingzhou_welfare.Township", on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    line_count = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "township"], name="batch_township_once")]

    def __str__(self):
        return f"{self.batch} {self.township}"


class Line(models.Model):
    """One payment: a child, a programme, the month the money is for, and the payee as computed."""

    class Kind(models.TextChoices):
        NORMAL = "normal", _("正常发放")
        ARREARS = "arrears", _("补发")
        ADJUSTMENT = "adjustment", _("调整（扣减）")
        REISSUE = "reissue", _("重发")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="lines")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="lines")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey("dingzhou_welfare.Township", on_delete=models.PROTECT, related_name="+")
    village_name = models.CharField(max_length=50, blank=True)
    period = models.DateField(_("所属期"))
    kind = models.CharField(_("发放方式"), max_length=12, choices=Kind.choices)
    standard = models.DecimalField(_("保障标准"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    payee_name = models.CharField(_("领取人"), max_length=50, blank=True)
    payee_relationship = models.CharField(_("与儿童关系"), max_length=30, blank=True)
    payee_id_number = models.CharField(max_length=18, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    account_number = models.CharField(_("银行账号"), max_length=32, blank=True)
    # A 重发 line pays again a line the bank returned (退票), once: the unique constraint below.
    reissue_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissues", verbose_name=_("重发的原明细")
    )

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        constraints = [
            # Each month of an enrolment is paid normally once, whatever batch or worker computed it.
            models.UniqueConstraint(
                fields=["enrolment", "period"], condition=Q(kind="normal"), name="line_normal_once_per_period"
            ),
            models.UniqueConstraint(fields=["batch", "enrolment", "period", "kind"], name="line_once_per_batch"),
            models.CheckConstraint(condition=Q(period__day=1), name="line_period_is_first_day"),
            models.CheckConstraint(condition=~Q(amount=0), name="line_amount_not_zero"),
            models.UniqueConstraint(fields=["reissue_of"], name="line_reissued_once"),
            models.CheckConstraint(
                condition=Q(kind="reissue", reissue_of__isnull=False)
                | (~Q(kind="reissue") & Q(reissue_of__isnull=True)),
                name="line_reissue_names_its_line",
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "township", "id"], name="line_batch_township"),
            models.Index(fields=["enrolment", "period"], name="line_enrolment_period"),
        ]

    def __str__(self):
        return f"{self.child_id} {self.programme_id} {self.period:%Y-%m} {self.amount}"


class ExportJob(Job):
    """A roster export run as a task: its state and progress survive a reload, its file stays for download.

    The states, progress, stale detection and purge are `Job`'s (dingzhou_welfare/jobs). A batch's
    export holds every township: only county-wide roles open it (`township_ids` is None)."""

    PAGE_URL, RETRY_URL, DOWNLOAD_URL = "subsidies:export_job", "subsidies:export_retry", "subsidies:export_download"
    PROGRESS_UNIT = _("条")

    class Kind(models.TextChoices):
        ROSTER = "roster", _("发放花名册")
        SUMMARY = "summary", _("乡镇汇总表（不含姓名，可公示）")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel（.xlsx）")
        CSV = "csv", _("CSV（.csv，UTF-8）")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在导出")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("发放批次"))
    kind = models.CharField(_("导出内容"), max_length=10, choices=Kind.choices, default=Kind.ROSTER)
    format = models.CharField(_("格式"), max_length=4, choices=Format.choices, default=Format.XLSX)
    masked = models.BooleanField(_("身份证号、账号脱敏"), default=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(_("已写入条数"), default=0)
    total = models.PositiveIntegerField(_("总条数"), default=0)
    row_count = models.PositiveIntegerField(_("导出条数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/", max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["batch", "-created_at"], name="exportjob_batch_created")]

    def __str__(self):
        return f"{self.batch} {self.get_kind_display()} {self.format}"


class BatchProblem(models.Model):
    """One child on a batch's problem list (问题清单), found when the batch was computed.

    Written by `subsidies.problems.detect_problems` in the transaction that adds up the totals and
    read as it is by the batch page and the roster workbook; a recomputed draft writes a new list.
    Which kinds block approval is data in `subsidies.problems.SEVERITY`.
    """

    class Kind(models.TextChoices):
        NO_ACCOUNT = "no_account", _("未登记发放账户")
        NO_ID_NUMBER = "no_id_number", _("儿童无身份证号")
        SHARED_ACCOUNT = "shared_account", _("同一账户发放给多名儿童")
        PAID_TWICE = "paid_twice", _("同一项目同一所属期重复发放")
        UNSUPPORTED_CLASSIFICATION = "unsupported_classification", _("父母情况已不支持儿童类别")
        TURNING_18 = "turning_18", _("本月年满18周岁")
        CLOSED_FILE = "closed_file", _("档案已销档")
        AMOUNT_UNLIKE_STANDARD = "amount_unlike_standard", _("金额与标准不符且无叠加原因")
        REVIEW_OVERDUE = "review_overdue", _("年度复核逾期")
        TERM_UNRECORDED = "term_unrecorded", _("父母情形期限未登记（待核实）")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="problems")
    kind = models.CharField(_("问题类型"), max_length=30, choices=Kind.choices)
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="+")
    township = models.ForeignKey("dingzhou_welfare.Township", on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("批次问题")
        verbose_name_plural = _("批次问题")
        indexes = [models.Index(fields=["batch", "kind", "township"], name="batchproblem_batch_kind")]

    def __str__(self):
        return f"{self.batch} {self.kind} {self.child_id}"


class BatchWaiver(models.Model):
    """A staff member's written decision to approve a batch despite one kind of blocking problem."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="waivers")
    kind = models.CharField(_("问题类型"), max_length=30, choices=BatchProblem.Kind.choices)
    problem_count = models.PositiveIntegerField(_("豁免时的问题数"))
    reason = models.TextField(_("豁免理由"))
    waived_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    waived_at = models.DateTimeField(_("豁免时间"))

    class Meta:
        verbose_name = _("问题豁免")
        verbose_name_plural = _("问题豁免")
        ordering = ["waived_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "kind"], name="batchwaiver_once_per_kind"),
            models.CheckConstraint(condition=~Q(reason=""), name="batchwaiver_has_reason"),
        ]

    def __str__(self):
        return f"{self.batch} {self.kind}"


# The bank payment file's models live beside its code; imported here so Django registers them.
from .bank.models import BankFileJob, BankLayout, BankLayoutColumn  # noqa: E402, F401
from .bank.return_models import BankPayment, BankReturnJob, BankReturnLayout  # noqa: E402, F401

# The change list's models (增员/减员) likewise.
from .changes.models import ChangeEvent, ChangeListColumn, ChangeListLayout  # noqa: E402, F401
from .total_models import BatchTotal  # noqa: E402, F401
