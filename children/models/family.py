"""The people around a child: parents' situations, carers, and who receives the money."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.idnumbers import validate_id_number

from .child import Child


class ParentSituation(models.Model):
    """One parent's situation from a date on, with its evidence. The latest one is current."""

    class Parent(models.TextChoices):
        FATHER = "father", _("父亲")
        MOTHER = "mother", _("母亲")

    class Situation(models.TextChoices):
        ALIVE_ABLE = "alive_able", _("健在且能履行监护")
        WORKING_AWAY = "working_away", _("外出务工")
        INCAPABLE = "incapable", _("无监护能力（其他原因）")
        DEAD = "dead", _("死亡（含宣告死亡）")
        DECLARED_MISSING = "declared_missing", _("宣告失踪")
        UNKNOWN = "unknown", _("查找不到")
        SEVERE_DISABILITY = "severe_disability", _("重残")
        SERIOUS_ILLNESS = "serious_illness", _("重病")
        IMPRISONED = "imprisoned", _("服刑在押")
        DRUG_REHAB = "drug_rehab", _("强制隔离戒毒")
        RESTRICTED_LIBERTY = "restricted_liberty", _("被执行其他限制人身自由的措施")
        LOST_CONTACT = "lost_contact", _("失联")
        GUARDIANSHIP_REVOKED = "guardianship_revoked", _("被撤销监护资格")
        DEPORTED = "deported", _("被遣送（驱逐）出境")

    # The situations 62号 counts by their term (six months or more): children.rules.TERMED.
    TERMED = (Situation.IMPRISONED, Situation.DRUG_REHAB, Situation.RESTRICTED_LIBERTY)

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="parent_situations")
    parent = models.CharField(_("父/母"), max_length=10, choices=Parent.choices)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    situation = models.CharField(_("情形"), max_length=30, choices=Situation.choices)
    start_date = models.DateField(
        _("起始日期"), help_text=_("情形开始之日；失联自公安机关受理报案之日起算（民发〔2019〕62号）。")
    )
    # 民发〔2019〕62号 (DOMAIN.md 1.2): 服刑在押, 强制隔离戒毒 and other restrictions of liberty count
    # when the sentence or measure is of six months or more. Rows recorded before this field have
    # none: they keep counting, and the batch problem list asks for the term to be checked.
    term_months = models.PositiveSmallIntegerField(
        _("刑期/措施期限（月）"),
        null=True,
        blank=True,
        help_text=_("服刑在押、强制隔离戒毒或被执行其他限制人身自由措施的期限，以月计。"),
    )
    evidence = models.CharField(_("证明材料"), max_length=200, blank=True)
    document = models.ForeignKey(
        "ChildDocument", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("证明文件")
    )
    work_place = models.CharField(_("务工地点"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("父母情况")
        verbose_name_plural = _("父母情况")
        ordering = ["child", "parent", "-start_date", "-id"]
        indexes = [models.Index(fields=["child", "parent", "start_date"], name="parent_sit_child")]

    def __str__(self):
        return f"{self.get_parent_display()}: {self.get_situation_display()}"

    @property
    def term_unrecorded(self) -> bool:
        """A situation counted by its term, recorded without one (before the field): to check."""
        return self.situation in self.TERMED and self.term_months is None


class Carer(models.Model):
    """A guardian or the person who actually looks after the child."""

    class Relationship(models.TextChoices):
        FATHER = "father", _("父亲")
        MOTHER = "mother", _("母亲")
        PATERNAL_GRANDPARENT = "paternal_grandparent", _("祖父母")
        MATERNAL_GRANDPARENT = "maternal_grandparent", _("外祖父母")
        SIBLING = "sibling", _("兄姐")
        UNCLE_AUNT = "uncle_aunt", _("叔伯姑舅姨")
        OTHER_RELATIVE = "other_relative", _("其他亲属")
        INSTITUTION = "institution", _("福利机构")
        OTHER = "other", _("其他")

    class Capacity(models.TextChoices):
        FULL = "full", _("完全民事行为能力")
        LIMITED = "limited", _("限制民事行为能力")
        NONE = "none", _("无民事行为能力")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="carers")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    relationship = models.CharField(_("与儿童关系"), max_length=30, choices=Relationship.choices)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    capacity = models.CharField(_("行为能力"), max_length=10, choices=Capacity.choices, default=Capacity.FULL)
    is_guardian = models.BooleanField(_("法定监护人"), default=False)
    is_primary = models.BooleanField(_("主要照料人"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("监护人/照料人")
        verbose_name_plural = _("监护人/照料人")
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(is_primary=True), name="carer_one_primary")
        ]

    def __str__(self):
        return f"{self.name} ({self.get_relationship_display()})"


class PaymentAccount(models.Model):
    """Where the child's money goes (社会化发放)."""

    class Method(models.TextChoices):
        ONE_CARD = "one_card", _("惠民惠农一卡通")
        SOCIAL_SECURITY_CARD = "social_security_card", _("社保卡")
        BANK_CARD = "bank_card", _("银行卡")
        INSTITUTION = "institution", _("机构账户")

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="payment_account")
    method = models.CharField(_("领取方式"), max_length=30, choices=Method.choices, default=Method.ONE_CARD)
    payee_name = models.CharField(_("领取人"), max_length=50)
    payee_id_number = models.CharField(_("领取人身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    payee_relationship = models.CharField(_("领取人与儿童关系"), max_length=30, choices=Carer.Relationship.choices)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    account_number = models.CharField(
        _("银行账号"), max_length=32, validators=[RegexValidator(r"^\d{8,32}$", _("银行账号应为8到32位数字。"))]
    )

    class Meta:
        verbose_name = _("发放账户")
        verbose_name_plural = _("发放账户")

    def __str__(self):
        return f"{self.payee_name} {self.bank_name}"
