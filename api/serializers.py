"""What each endpoint returns. ID numbers and bank accounts are masked unless the client was granted them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from children.models import Carer, ClassificationKind, Sex
from dingzhou_welfare.idnumbers import mask_account, mask_id_number
from subsidies.bank.line_status import PaidStatus
from subsidies.models import BankPayment, Batch, BatchTownship, ChangeEvent, Line
from subsidies.months import format_month


class PersonalField(serializers.CharField):
    """A personal datum, returned whole only to a client granted personal data (serializer context)."""

    def __init__(self, mask, **kwargs):
        self.mask = mask
        kwargs.setdefault("help_text", _("个人信息：未授权的客户端得到脱敏值。"))
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        value = super().to_representation(value) if value else ""
        return value if self.context.get("personal_data") else self.mask(value)


class LabelField(serializers.CharField):
    """A code's label from its choices, translated once per request rather than once per row
    (get_FOO_display translates, and DRF inspects it as a callable, on every row: a third of a page's time)."""

    def __init__(self, choices, **kwargs):
        self.label_choices = choices
        self.labels = None
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        if self.labels is None:
            self.labels = {code: str(label) for code, label in self.label_choices}
        return self.labels.get(value, value or "")


class MonthField(serializers.DateField):
    """A month as YYYY-MM."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, format="%Y-%m", **kwargs)

    def to_representation(self, value):
        return format_month(value) if value else None


class BatchTownshipSerializer(serializers.ModelSerializer):
    township_code = serializers.CharField(source="township.code", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = BatchTownship
        fields = ["township_code", "township_name", "line_count", "total_amount"]


class BatchSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text=_("批次号"))
    month = MonthField(help_text=_("发放月，YYYY-MM"))
    status_display = LabelField(Batch.Status.choices, source="status")
    townships = BatchTownshipSerializer(many=True, read_only=True, help_text=_("各乡镇的条数与金额"))

    class Meta:
        model = Batch
        fields = [
            "number",
            "month",
            "status",
            "status_display",
            "line_count",
            "total_amount",
            "computed_at",
            "approved_at",
            "townships",
        ]


class LineSerializer(serializers.ModelSerializer):
    batch_number = serializers.CharField(source="batch.number", read_only=True)
    child_id = serializers.IntegerField(read_only=True, help_text=_("儿童在本系统的编号"))
    child_name = serializers.CharField(source="child.name", read_only=True)
    child_id_number = PersonalField(mask_id_number, source="child.id_number")
    township_code = serializers.CharField(source="township.code", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    programme_code = serializers.CharField(source="programme.code", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    period = MonthField(help_text=_("所属期，YYYY-MM"))
    kind = serializers.ChoiceField(
        choices=Line.Kind.choices,
        read_only=True,
        help_text=_(
            "发放方式：normal 正常发放；arrears 补发；adjustment 调整（扣减）；"
            "reissue 重发（重发此前退票的明细，见 reissue_of）。"
        ),
    )
    kind_display = LabelField(Line.Kind.choices, source="kind")
    reissue_of = serializers.IntegerField(
        source="reissue_of_id", read_only=True, allow_null=True, help_text=_("重发的原明细编号；非重发为空")
    )
    reissue_of_batch_number = serializers.SerializerMethodField(help_text=_("重发的原明细所在批次号；非重发为空"))
    payee_id_number = PersonalField(mask_id_number)
    account_number = PersonalField(mask_account)
    paid_status = serializers.ChoiceField(
        choices=PaidStatus.choices,
        read_only=True,
        help_text=_(
            "发放状态：to_send 待送银行（已审批，未送银行）；sent 已送银行（待回盘）；paid 已发放；"
            "returned 退票（原因见 returned_reason、bank_reason）；reissued 已重发（退票后已在后续批次重发，"
            "见 reissued_in_batch_number）；not_sent 未列入代发文件（无银行账号或合计不为正数）。"
        ),
    )
    paid_status_display = LabelField(PaidStatus.choices, source="paid_status")
    returned_reason = serializers.ChoiceField(
        choices=BankPayment.Reason.choices,
        read_only=True,
        allow_null=True,
        help_text=_("退票原因（退票、已重发时）；其他状态为空"),
    )
    returned_reason_display = LabelField(BankPayment.Reason.choices, source="returned_reason")
    bank_reason = serializers.CharField(read_only=True, allow_null=True, help_text=_("银行回盘的失败说明原文"))
    reissued_by = serializers.IntegerField(
        source="reissued_by_id", read_only=True, allow_null=True, help_text=_("重发此明细的明细编号")
    )
    reissued_in_batch_number = serializers.SerializerMethodField(help_text=_("重发此明细的批次号"))

    class Meta:
        model = Line
        fields = [
            "id",
            "batch_number",
            "child_id",
            "child_name",
            "child_id_number",
            "township_code",
            "township_name",
            "village_name",
            "programme_code",
            "programme_name",
            "period",
            "kind",
            "kind_display",
            "standard",
            "amount",
            "payee_name",
            "payee_relationship",
            "payee_id_number",
            "bank_name",
            "account_number",
            "paid_status",
            "paid_status_display",
            "returned_reason",
            "returned_reason_display",
            "bank_reason",
            "reissue_of",
            "reissue_of_batch_number",
            "reissued_by",
            "reissued_in_batch_number",
        ]

    def get_reissue_of_batch_number(self, line) -> str | None:
        return line.reissue_of.batch.number if line.reissue_of_id else None

    def get_reissued_in_batch_number(self, line) -> str | None:
        if line.reissued_in_batch_id is None:
            return None
        return Batch(pk=line.reissued_in_batch_id, month=line.reissued_in_month).number


class CountSerializer(serializers.Serializer):
    category = serializers.CharField(help_text=_("儿童类别代码"))
    category_display = serializers.CharField(help_text=_("儿童类别"))
    township_code = serializers.CharField()
    township_name = serializers.CharField()
    children = serializers.IntegerField(help_text=_("儿童人数"))


class CountsSerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("统计日期"))
    total_children = serializers.IntegerField(help_text=_("有任一类别的儿童人数（一人多类只计一次）"))
    results = CountSerializer(many=True)


def _guardian(event):
    """The guardian the month's change list shows (subsidies/changes/layouts.py with_people)."""
    guardians = getattr(event.child, "guardians", None)
    return guardians[0] if guardians else None


class ChangeEventSerializer(serializers.ModelSerializer):
    """An event of the month's change list (增员/减员), with the child as the list shows it."""

    month = MonthField(help_text=_("所属月份，YYYY-MM"))
    direction_display = LabelField(ChangeEvent.Direction.choices, source="direction")
    category_display = LabelField(
        ClassificationKind.choices, source="category", help_text=_("儿童类别；保障项目的变动为空")
    )
    programme_code = serializers.CharField(source="programme.code", read_only=True, allow_null=True, default=None)
    programme_name = serializers.CharField(source="programme.name", read_only=True, allow_null=True, default=None)
    reason_display = LabelField(ChangeEvent._meta.get_field("reason_code").choices, source="reason_code")
    child_id = serializers.IntegerField(read_only=True, help_text=_("儿童在本系统的编号"))
    child_name = serializers.CharField(source="child.name", read_only=True)
    child_id_number = PersonalField(mask_id_number, source="child.id_number")
    child_sex = LabelField(Sex.choices, source="child.sex")
    child_birth_date = serializers.DateField(source="child.birth_date", read_only=True)
    township_code = serializers.CharField(source="child.township.code", read_only=True)
    township_name = serializers.CharField(source="child.township.name", read_only=True)
    village_name = serializers.CharField(source="child.village.name", read_only=True, allow_null=True, default=None)
    guardian_name = serializers.SerializerMethodField()
    guardian_relationship = serializers.SerializerMethodField()
    relationship_labels = None

    class Meta:
        model = ChangeEvent
        fields = [
            "id",
            "recorded_at",
            "effective_date",
            "month",
            "direction",
            "direction_display",
            "category",
            "category_display",
            "national_category_code",
            "programme_code",
            "programme_name",
            "reason_code",
            "reason_display",
            "reason",
            "child_id",
            "child_name",
            "child_id_number",
            "child_sex",
            "child_birth_date",
            "township_code",
            "township_name",
            "village_name",
            "guardian_name",
            "guardian_relationship",
        ]

    def get_guardian_name(self, event) -> str:
        guardian = _guardian(event)
        return guardian.name if guardian else ""

    def get_guardian_relationship(self, event) -> str:
        guardian = _guardian(event)
        if guardian is None:
            return ""
        if self.relationship_labels is None:
            self.relationship_labels = {code: str(label) for code, label in Carer.Relationship.choices}
        return self.relationship_labels.get(guardian.relationship, "")
