"""Adoption cases (收养登记) with their parties, the adoptive-family assessment (收养评估) and the steps taken.

The workflow is a state machine kept in services.py; a model holds one row's truth only.
"""

import datetime
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from children.models import Sex, add_years, age_on
from dingzhou_welfare.idnumbers import validate_id_number


class State(models.TextChoices):
    APPLICATION = "application", _("申请")
    REVIEW = "review", _("初审")
    ASSESSMENT = "assessment", _("收养评估")
    INTEGRATION = "integration", _("融合期")
    DECISION = "decision", _("登记审查")
    REGISTERED = "registered", _("已登记")
    REFUSED = "refused", _("不予登记")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATES = (State.APPLICATION, State.REVIEW, State.ASSESSMENT, State.INTEGRATION, State.DECISION)
# The path a case walks; the end states are the last step or leave it.
PATH = (State.APPLICATION, State.REVIEW, State.ASSESSMENT, State.INTEGRATION, State.DECISION, State.REGISTERED)

INTEGRATION_MIN_DAYS = 30  # 收养评估办法: 融合期不少于30日
NOTICE_DAYS = 60  # 中国公民收养子女登记办法: 弃婴公告期60日
CONSENT_AGE = 8  # 民法典 1104


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)


class AdoptionCase(models.Model):
    class Origin(models.TextChoices):
        INSTITUTION = "institution", _("儿童福利机构抚养的儿童")
        FOUNDLING = "foundling", _("查找不到生父母的弃婴、儿童（非机构）")
        GUARDIAN = "guardian", _("监护人或生父母送养")

    class PlacerKind(models.TextChoices):
        INSTITUTION = "institution", _("儿童福利机构")
        GUARDIAN = "guardian", _("孤儿的监护人")
        BIRTH_PARENTS = "birth_parents", _("有特殊困难无力抚养的生父母")

    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, related_name="adoption_cases", verbose_name=_("被收养人")
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.APPLICATION)
    origin = models.CharField(_("被收养人来源"), max_length=20, choices=Origin.choices)
    parents_unknown = models.BooleanField(
        _("查找不到生父母"), default=False, help_text=_("弃婴或生父母查找不到的儿童；影响民法典第1100条的豁免。")
    )
    collateral_relative = models.BooleanField(
        _("收养三代以内旁系同辈血亲的子女"), default=False, help_text=_("民法典第1099条：不受第1102条年龄差限制。")
    )
    applied_on = models.DateField(_("申请日期"))
    placer_kind = models.CharField(_("送养人类型"), max_length=20, choices=PlacerKind.choices)
    placer_name = models.CharField(_("送养人（机构）名称"), max_length=100)
    placer_id_number = models.CharField(
        _("送养人身份证号"),
        max_length=18,
        blank=True,
        validators=[validate_id_number],
        help_text=_("个人送养时填写；机构送养留空。"),
    )
    placer_address = models.CharField(_("送养人住所"), max_length=200, blank=True)
    placer_phone = models.CharField(_("送养人电话"), max_length=20, blank=True)
    placer_consent_on = models.DateField(_("送养人书面同意日期"), null=True, blank=True)
    child_consent_on = models.DateField(
        _("被收养人同意日期"),
        null=True,
        blank=True,
        help_text=_("被收养人年满8周岁的，须征得其同意（民法典第1104条）。"),
    )
    note = models.TextField(_("备注"), blank=True)
    # The assessment's dates: notified, the integration period (融合期) and the report.
    notified_on = models.DateField(_("书面告知评估日期"), null=True, blank=True)
    integration_start = models.DateField(_("融合期开始"), null=True, blank=True)
    integration_end = models.DateField(_("融合期结束"), null=True, blank=True)
    # The public search notice for a foundling (寻亲公告).
    notice_published_on = models.DateField(_("寻亲公告发布日期"), null=True, blank=True)
    notice_medium = models.CharField(_("公告载体"), max_length=200, blank=True)
    # The outcome.
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    certificate_number = models.CharField(_("收养登记证号"), max_length=30, blank=True)
    refusal_reason = models.TextField(_("不予登记理由"), blank=True)
    withdrawal_reason = models.CharField(_("撤回原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("收养案件")
        verbose_name_plural = _("收养案件")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(state__in=[s.value for s in OPEN_STATES]), name="adoption_one_open_case"
            ),
            models.UniqueConstraint(
                fields=["child"], condition=Q(state="registered"), name="adoption_one_registration_per_child"
            ),
            models.UniqueConstraint(
                fields=["certificate_number"], condition=~Q(certificate_number=""), name="adoption_unique_certificate"
            ),
            models.CheckConstraint(
                condition=~Q(state="registered") | (Q(registered_on__isnull=False) & ~Q(certificate_number="")),
                name="adoption_registered_has_certificate",
            ),
        ]
        indexes = [models.Index(fields=["state", "-applied_on"], name="adoption_state_applied")]

    def __str__(self):
        return _("%(child)s 收养案件（%(n)s）") % {"child": self.child, "n": self.number}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("adoption:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"SY{self.applied_on:%Y}-{self.pk:05d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def needs_notice(self) -> bool:
        """A foundling not raised in an institution is announced for 60 days before registration."""
        return self.origin == self.Origin.FOUNDLING

    @property
    def notice_ends_on(self) -> datetime.date | None:
        if self.notice_published_on is None:
            return None
        return self.notice_published_on + datetime.timedelta(days=NOTICE_DAYS)

    @property
    def integration_earliest_end(self) -> datetime.date | None:
        if self.integration_start is None:
            return None
        return self.integration_start + datetime.timedelta(days=INTEGRATION_MIN_DAYS)


class Applicant(models.Model):
    """收养人: one, or two spouses adopting jointly (民法典 1101)."""

    class Marital(models.TextChoices):
        UNMARRIED = "unmarried", _("未婚")
        MARRIED = "married", _("已婚")
        DIVORCED = "divorced", _("离异")
        WIDOWED = "widowed", _("丧偶")

    class Health(models.TextChoices):
        HEALTHY = "healthy", _("健康")
        ILL_NOT_EXCLUDING = "ill_not_excluding", _("患有疾病，但医学上不影响收养")
        EXCLUDING = "excluding", _("患有医学上认为不应当收养子女的疾病")

    class Record(models.TextChoices):
        NONE = "none", _("无违法犯罪记录")
        NOT_HARMFUL = "not_harmful", _("有记录，但不影响被收养人健康成长")
        HARMFUL = "harmful", _("有不利于被收养人健康成长的违法犯罪记录")

    class Housing(models.TextChoices):
        OWNED = "owned", _("自有住房")
        RENTED = "rented", _("租住")
        FAMILY = "family", _("与家人同住")
        OTHER = "other", _("其他")

    case = models.ForeignKey(AdoptionCase, on_delete=models.CASCADE, related_name="applicants")
    position = models.PositiveSmallIntegerField(
        _("顺序"), validators=[MinValueValidator(1), MaxValueValidator(2)], help_text=_("收养人一或收养人二（配偶）。")
    )
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    id_number = models.CharField(_("身份证号"), max_length=18, validators=[validate_id_number])
    birth_date = models.DateField(_("出生日期"))
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    address = models.CharField(_("住所"), max_length=200)
    occupation = models.CharField(_("职业及工作单位"), max_length=100, blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=20, choices=Marital.choices)
    children_count = models.PositiveSmallIntegerField(_("现有子女数"), help_text=_("含亲生、收养和继子女。"))
    health = models.CharField(_("健康状况"), max_length=30, choices=Health.choices)
    health_note = models.CharField(_("体检结论"), max_length=200, blank=True)
    annual_income = models.DecimalField(
        _("年收入（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    housing = models.CharField(_("住房"), max_length=20, choices=Housing.choices)
    housing_area = models.DecimalField(
        _("住房面积（平方米）"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    record = models.CharField(_("违法犯罪记录"), max_length=20, choices=Record.choices)
    able_to_raise = models.BooleanField(
        _("有抚养、教育和保护被收养人的能力"),
        null=True,
        blank=True,
        help_text=_("初审时根据收入、住房和证明材料确认。"),
    )

    class Meta:
        verbose_name = _("收养人")
        verbose_name_plural = _("收养人")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="applicant_one_per_position"),
            models.UniqueConstraint(fields=["case", "id_number"], name="applicant_unique_in_case"),
            models.CheckConstraint(condition=Q(position__in=[1, 2]), name="applicant_position_1_or_2"),
        ]

    def __str__(self):
        return self.name

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)

    def turns(self, age: int) -> datetime.date:
        return add_years(self.birth_date, age)


class Assessment(models.Model):
    """收养评估 (民发〔2020〕144号): by a team of at least two bureau staff, or a contracted third party."""

    class Mode(models.TextChoices):
        TEAM = "team", _("民政部门评估小组")
        THIRD_PARTY = "third_party", _("委托第三方机构")

    class Conclusion(models.TextChoices):
        SUITABLE = "suitable", _("适合收养")
        UNSUITABLE = "unsuitable", _("不适合收养")

    case = models.OneToOneField(AdoptionCase, on_delete=models.CASCADE, related_name="assessment")
    mode = models.CharField(_("评估方式"), max_length=20, choices=Mode.choices)
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("评估人员")
    )
    third_party_name = models.CharField(_("第三方机构名称"), max_length=100, blank=True)
    third_party_agreement = models.CharField(_("委托协议编号"), max_length=60, blank=True)
    third_party_assessors = models.CharField(
        _("第三方评估人员"), max_length=200, blank=True, help_text=_("至少两人，用顿号分隔。")
    )
    red_flags = models.JSONField(_("须报告的情形"), default=list, blank=True)
    red_flag_note = models.TextField(_("情形说明"), blank=True)
    conclusion = models.CharField(_("评估结论"), max_length=20, choices=Conclusion.choices, blank=True)
    conclusion_note = models.TextField(_("结论意见"), blank=True)
    report_date = models.DateField(_("评估报告日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("收养评估")
        verbose_name_plural = _("收养评估")
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="team") | (~Q(third_party_name="") & ~Q(third_party_agreement="")),
                name="assessment_third_party_named",
            ),
        ]

    def __str__(self):
        return str(self.case)

    def red_flag_labels(self) -> list[str]:
        return [str(RedFlag(code).label) for code in self.red_flags if code in RedFlag.values]


class Dimension(models.TextChoices):
    """The eleven contents of the assessment (收养评估办法 第十条); the last one is judged after integration."""

    MOTIVE = "motive", _("收养动机")
    CHARACTER = "character", _("道德品行")
    EDUCATION = "education", _("受教育程度")
    HEALTH = "health", _("健康状况")
    ECONOMY_HOUSING = "economy_housing", _("经济及住房条件")
    MARRIAGE_FAMILY = "marriage_family", _("婚姻家庭关系")
    HOUSEHOLD_OPINION = "household_opinion", _("共同生活家庭成员意见")
    UPBRINGING_PLAN = "upbringing_plan", _("抚育计划")
    NEIGHBOURS = "neighbours", _("邻里关系")
    COMMUNITY = "community", _("社区环境")
    INTEGRATION = "integration", _("与被收养人融合情况")


CAPACITY_DIMENSIONS = [d for d in Dimension if d != Dimension.INTEGRATION]


class RedFlag(models.TextChoices):
    """What the assessors must report to the bureau (收养评估办法 第十四条)."""

    FRAUD = "fraud", _("弄虚作假，伪造、变造相关材料或者隐瞒相关事实")
    ILLEGAL_ORGANISATION = "illegal_organisation", _("参加非法组织、邪教组织")
    HARM_TO_MINORS = "harm_to_minors", _("买卖、性侵、虐待或者遗弃、非法送养未成年人，及其他侵犯未成年人身心健康")
    DOMESTIC_VIOLENCE = "domestic_violence", _("有持续性、经常性的家庭暴力")
    CRIME = "crime", _("有故意犯罪行为，判处或者可能判处有期徒刑以上刑罚")
    ILLNESS = "illness", _("患有精神类疾病、传染性疾病、重度残疾或者智力残疾、重大疾病")
    ADDICTION = "addiction", _("存在吸毒、酗酒、赌博、嫖娼等恶习")
    HARM_IN_INTEGRATION = "harm_in_integration", _("故意或者过失导致正在进行融合的被收养人受到侵害或者重大伤害")


class Finding(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="findings")
    dimension = models.CharField(_("评估内容"), max_length=30, choices=Dimension.choices)
    finding = models.TextField(_("评估情况"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评估内容")
        verbose_name_plural = _("评估内容")
        constraints = [models.UniqueConstraint(fields=["assessment", "dimension"], name="finding_one_per_dimension")]

    def __str__(self):
        return self.get_dimension_display()


class Step(models.Model):
    """One move of the case from a state to the next: who, when, and what was noted."""

    case = models.ForeignKey(AdoptionCase, on_delete=models.CASCADE, related_name="steps")
    from_state = models.CharField(_("原状态"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"


class CertificateCounter(models.Model):
    """The last certificate number handed out in a year. Locked while a registration takes the next one."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("收养登记证号计数")
        verbose_name_plural = _("收养登记证号计数")

    def __str__(self):
        return f"{self.year}: {self.last}"


def document_path(instance, filename):
    suffix = PurePosixPath(filename).suffix.lower()
    return f"adoption/{instance.case_id}/{uuid.uuid4().hex}{suffix}"


class CaseDocument(models.Model):
    """Evidence per party (收养人 / 送养人 / 被收养人), checked like the registry's documents."""

    class Party(models.TextChoices):
        APPLICANT = "applicant", _("收养人")
        PLACER = "placer", _("送养人")
        CHILD = "child", _("被收养人")
        CASE = "case", _("登记机关")

    class Kind(models.TextChoices):
        HUKOU_ID = "hukou_id", _("户口簿、身份证")
        MARRIAGE = "marriage", _("婚姻状况证明")
        CHILDREN_STATEMENT = "children_statement", _("子女情况声明")
        HEALTH = "health", _("县级以上医疗机构体检证明")
        INCOME = "income", _("收入证明")
        HOUSING = "housing", _("住房证明")
        NO_RECORD = "no_record", _("无违法犯罪记录证明")
        PLACER_ID = "placer_id", _("送养人身份证明或机构登记证书")
        PLACER_CONSENT = "placer_consent", _("送养意见书")
        ADMISSION = "admission", _("儿童入院登记或捡拾报案证明")
        PARENTS_PROOF = "parents_proof", _("生父母死亡或查找不到的证明")
        CHILD_CONSENT = "child_consent", _("被收养人同意书")
        NOTICE = "notice", _("寻亲公告")
        OTHER = "other", _("其他")

    case = models.ForeignKey(AdoptionCase, on_delete=models.CASCADE, related_name="documents")
    party = models.CharField(_("当事人"), max_length=20, choices=Party.choices)
    applicant = models.ForeignKey(
        Applicant, null=True, blank=True, on_delete=models.CASCADE, related_name="documents", verbose_name=_("收养人")
    )
    kind = models.CharField(_("材料类型"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=document_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收养材料")
        verbose_name_plural = _("收养材料")
        ordering = ["party", "kind", "-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(party="applicant", applicant__isnull=False)
                | (~Q(party="applicant") & Q(applicant__isnull=True)),
                name="adoption_document_applicant_party",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
