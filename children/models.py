"""The registry: areas, children, their parents, carers, classifications and documents."""

import datetime
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.idnumbers import validate_id_number

ID_NUMBER_SHAPE = Q(id_number="") | Q(id_number__regex=r"^[0-9]{17}[0-9X]$")


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day` moved by whole years. 29 February becomes 1 March going forward, 28 February going back,
    so "turns 18 on" and "born on or before the cut-off for 18" always agree."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return datetime.date(day.year + years, 3, 1) if years > 0 else day.replace(year=day.year + years, day=28)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years from `birth_date` to `day` (a person born on 29 February turns a year older on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class TownshipManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Township(models.Model):
    """乡镇/街道: versioned reference data, never an enum (fixtures are keyed by code)."""

    class Kind(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("街道")
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")
        ETHNIC_TOWNSHIP = "ethnic_township", _("民族乡")

    code = models.CharField(
        _("统计用区划代码"),
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^\d{9}$", _("乡镇代码应为9位数字。"))],
    )
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)

    objects = TownshipManager()

    class Meta:
        verbose_name = _("乡镇（街道）")
        verbose_name_plural = _("乡镇（街道）")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Village(models.Model):
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("乡镇"))
    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(_("代码"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("村（社区）")
        verbose_name_plural = _("村（社区）")
        ordering = ["township__code", "name"]
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="village_unique_name")]

    def __str__(self):
        return self.name


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user):
        from dingzhou_welfare.access import scope_children

        return scope_children(self, user)

    def active(self):
        return self.filter(status=Child.Status.ACTIVE)


class Child(models.Model):
    class HukouType(models.TextChoices):
        RURAL = "rural", _("农村")
        URBAN = "urban", _("城镇")

    class SchoolStatus(models.TextChoices):
        NOT_SCHOOL_AGE = "not_school_age", _("未到入学年龄")
        PRESCHOOL = "preschool", _("学前教育")
        IN_SCHOOL = "in_school", _("在校")
        DROPPED_OUT = "dropped_out", _("失学辍学")
        NOT_IN_SCHOOL = "not_in_school", _("其他未在校")

    class HealthStatus(models.TextChoices):
        HEALTHY = "healthy", _("健康")
        CHRONIC = "chronic", _("慢性病")
        SERIOUS_ILLNESS = "serious_illness", _("重病")
        DISABLED = "disabled", _("残疾")
        OTHER = "other", _("其他")

    class DisabilityType(models.TextChoices):
        VISUAL = "visual", _("视力残疾")
        HEARING = "hearing", _("听力残疾")
        SPEECH = "speech", _("言语残疾")
        PHYSICAL = "physical", _("肢体残疾")
        INTELLECTUAL = "intellectual", _("智力残疾")
        MENTAL = "mental", _("精神残疾")
        MULTIPLE = "multiple", _("多重残疾")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在册")
        CLOSED = "closed", _("已销档")

    class ClosedReason(models.TextChoices):
        AGED_OUT = "aged_out", _("年满18周岁")
        ADOPTED = "adopted", _("被收养")
        DIED = "died", _("死亡")
        MOVED_AWAY = "moved_away", _("迁出")
        OTHER = "other", _("其他")

    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, default="", validators=[validate_id_number])
    no_id_reason = models.CharField(_("无身份证号原因"), max_length=200, blank=True)
    birth_date = models.DateField(_("出生日期"))
    hukou_type = models.CharField(_("户籍性质"), max_length=10, choices=HukouType.choices)
    hukou_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    current_address = models.CharField(_("现住址"), max_length=200, blank=True)
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="children", verbose_name=_("乡镇（街道）")
    )
    village = models.ForeignKey(
        Village, null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("村（社区）")
    )
    school_status = models.CharField(
        _("就学情况"), max_length=20, choices=SchoolStatus.choices, default=SchoolStatus.IN_SCHOOL
    )
    school_name = models.CharField(_("学校"), max_length=100, blank=True)
    grade = models.CharField(_("年级"), max_length=20, blank=True)
    boarding = models.BooleanField(_("寄宿"), default=False)
    health_status = models.CharField(
        _("健康状况"), max_length=20, choices=HealthStatus.choices, default=HealthStatus.HEALTHY
    )
    disability_type = models.CharField(_("残疾类别"), max_length=20, choices=DisabilityType.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    disability_cert_no = models.CharField(_("残疾证号"), max_length=30, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    closed_reason = models.CharField(_("销档原因"), max_length=20, choices=ClosedReason.choices, blank=True)
    closed_on = models.DateField(_("销档日期"), null=True, blank=True)
    likely_duplicate = models.BooleanField(_("疑似重复"), default=False)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("儿童")
        verbose_name_plural = _("儿童")
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=~Q(id_number=""), name="child_unique_id_number"),
            models.CheckConstraint(condition=ID_NUMBER_SHAPE, name="child_id_number_shape"),
            models.CheckConstraint(condition=~Q(id_number="") | ~Q(no_id_reason=""), name="child_id_or_reason"),
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True) | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="child_disability_grade_range",
            ),
        ]
        indexes = [
            models.Index(fields=["township", "id"], name="child_township_id"),
            models.Index(fields=["village", "id"], name="child_village_id"),
            models.Index(fields=["name", "birth_date"], name="child_name_birth"),
        ]
        permissions = [
            ("reveal_personal_data", _("可查看完整身份证号、银行账号等个人信息")),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from dingzhou_welfare.idnumbers import check_agrees_with_id, normalize_id_number, parse_id_number

        errors = {}
        self.id_number = normalize_id_number(self.id_number)
        if self.id_number:
            try:
                info = parse_id_number(self.id_number)
            except ValidationError:
                info = None  # the field validator reports it
            if info:
                errors.update(check_agrees_with_id(info, birth_date=self.birth_date, sex=self.sex))
            # Here rather than through the unique constraint, whose message names the constraint.
            if Child.objects.filter(id_number=self.id_number).exclude(pk=self.pk).exists():
                errors["id_number"] = _("该身份证号已登记在另一份儿童档案中，请先查询，不要重复建档。")
        elif not self.no_id_reason.strip():
            errors["no_id_reason"] = _("没有身份证号时须填写原因（如弃婴尚未落户）。")
        if self.village_id and self.township_id and self.village.township_id != self.township_id:
            errors["village"] = _("所选村（社区）不属于所选乡镇。")
        if self.disability_grade and not self.disability_type:
            errors["disability_type"] = _("填写残疾等级时须选择残疾类别。")
        if errors:
            raise ValidationError(errors)

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)

    def birthday(self, age: int) -> datetime.date:
        """The day the child reaches `age` (29 February counts as 1 March in other years)."""
        return add_years(self.birth_date, age)


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

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="parent_situations")
    parent = models.CharField(_("父/母"), max_length=10, choices=Parent.choices)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    situation = models.CharField(_("情形"), max_length=30, choices=Situation.choices)
    start_date = models.DateField(_("起始日期"))
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


class ClassificationKind(models.TextChoices):
    ORPHAN_SCATTERED = "orphan_scattered", _("社会散居孤儿")
    ORPHAN_INSTITUTIONAL = "orphan_institutional", _("机构集中养育孤儿")
    DE_FACTO_SCATTERED = "de_facto_scattered", _("社会散居事实无人抚养儿童")
    DE_FACTO_INSTITUTIONAL = "de_facto_institutional", _("集中养育事实无人抚养儿童")
    LEFT_BEHIND = "left_behind", _("农村留守儿童")
    DISABLED = "disabled", _("残疾儿童")
    HARDSHIP_POVERTY = "hardship_poverty", _("困境儿童（家庭贫困）")
    HARDSHIP_DISABILITY = "hardship_disability", _("困境儿童（自身残疾）")
    HARDSHIP_GUARDIANSHIP = "hardship_guardianship", _("困境儿童（监护缺失或不当）")


class ClassificationQuerySet(models.QuerySet):
    def current_on(self, day: datetime.date):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gt=day), start_date__lte=day)

    def open(self):
        return self.filter(end_date__isnull=True)


class Classification(models.Model):
    """A child's category (儿童类别) over a period; a child may hold several at once."""

    class EndReason(models.TextChoices):
        TURNED_18 = "turned_18", _("年满18周岁")
        TURNED_16 = "turned_16", _("年满16周岁")
        ADOPTED = "adopted", _("被收养")
        DIED = "died", _("死亡")
        SITUATION_CHANGED = "situation_changed", _("父母情况变化")
        MOVED_AWAY = "moved_away", _("迁出")
        WRONGLY_RECORDED = "wrongly_recorded", _("登记错误")
        OTHER = "other", _("其他")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="classifications")
    kind = models.CharField(_("儿童类别"), max_length=30, choices=ClassificationKind.choices)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=30, choices=EndReason.choices, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClassificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("儿童类别")
        verbose_name_plural = _("儿童类别")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind"], condition=Q(end_date__isnull=True), name="classification_one_open_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="classification_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, end_reason="") | (Q(end_date__isnull=False) & ~Q(end_reason="")),
                name="classification_end_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["kind", "end_date", "child"], name="classification_kind_open")]

    def __str__(self):
        return self.get_kind_display()


def document_path(instance, filename):
    suffix = PurePosixPath(filename).suffix.lower()
    return f"children/{instance.child_id}/{uuid.uuid4().hex}{suffix}"


class ChildDocument(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DEATH_CERTIFICATE = "death_certificate", _("死亡证明")
        COURT_JUDGMENT = "court_judgment", _("法院判决书")
        DISABILITY_CERTIFICATE = "disability_certificate", _("残疾人证")
        HUKOU = "hukou", _("户口簿")
        POLICE_STATEMENT = "police_statement", _("公安机关证明")
        GUARDIANSHIP_AGREEMENT = "guardianship_agreement", _("委托监护责任确认书")
        OTHER = "other", _("其他")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=30, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=document_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("材料")
        verbose_name_plural = _("材料")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


DEFAULT_CARER_DUTIES = _(
    "一、照料儿童的日常生活，保障其饮食、住宿、衣着和就医；\n"
    "二、做好儿童的安全看护，预防溺水、交通、用电、用火等意外伤害，不让儿童脱离监护单独生活；\n"
    "三、督促儿童按时上学，配合学校做好教育，不让儿童失学辍学；\n"
    "四、关心儿童的思想、情绪和心理状况，多与儿童交流；\n"
    "五、儿童遇到困难、出现心理或行为异常、受到侵害时，及时告知委托人并报告村（居）委会、学校或公安机关。"
)
DEFAULT_PARENT_DUTIES = _(
    "一、委托人仍是儿童的法定监护人，委托照护不免除其监护职责；\n"
    "二、每周至少与儿童和受委托人联系一次，了解儿童的生活、学习和心理状况；\n"
    "三、承担儿童的生活、教育和医疗等费用；\n"
    "四、尽可能常回家看望儿童，接到学校、村（居）委会关于儿童心理或行为异常的通知后及时处理；\n"
    "五、受委托人经评估不适宜照护时，及时另行委托并告知村（居）委会。"
)


def default_carer_duties() -> str:
    return str(DEFAULT_CARER_DUTIES)


def default_parent_duties() -> str:
    return str(DEFAULT_PARENT_DUTIES)


class AgreementQuerySet(models.QuerySet):
    def signed(self):
        """Signed and not ended early: the agreements that can cover a child."""
        return self.filter(status=GuardianshipAgreement.Status.SIGNED)

    def current_on(self, day: datetime.date):
        return self.signed().filter(period_start__lte=day, period_end__gte=day)


class GuardianshipAgreement(models.Model):
    """委托监护责任确认书: parents working away entrust a carer (未成年人保护法 Art. 22-23; DOMAIN.md 4.2).

    Drawn up as a draft (printed pre-filled for signing), then signed: the signed scan is
    uploaded with the day it was signed. Ended early when the parents come home or the carer
    is found unsuitable; otherwise it runs out at `period_end`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("待签订")
        SIGNED = "signed", _("已签订")
        ENDED = "ended", _("已终止")

    class EndReason(models.TextChoices):
        PARENTS_RETURNED = "parents_returned", _("父母返乡，恢复亲自监护")
        CARER_UNSUITABLE = "carer_unsuitable", _("受委托人经评估不适宜照护")
        CARER_REPLACED = "carer_replaced", _("另行委托他人")
        CARER_UNABLE = "carer_unable", _("受委托人死亡或丧失照护能力")
        NOT_LEFT_BEHIND = "not_left_behind", _("儿童不再属于农村留守儿童")
        NOT_SIGNED = "not_signed", _("草稿作废（未签订）")
        WRONGLY_RECORDED = "wrongly_recorded", _("登记错误")
        OTHER = "other", _("其他")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="agreements")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    father_name = models.CharField(_("父亲姓名"), max_length=50, blank=True)
    father_id_number = models.CharField(_("父亲身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    father_phone = models.CharField(_("父亲电话"), max_length=20, blank=True)
    father_work_place = models.CharField(_("父亲务工地点"), max_length=100, blank=True)
    father_away_since = models.DateField(_("父亲外出时间"), null=True, blank=True)
    father_expected_return = models.CharField(_("父亲预计返乡"), max_length=50, blank=True)
    mother_name = models.CharField(_("母亲姓名"), max_length=50, blank=True)
    mother_id_number = models.CharField(_("母亲身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    mother_phone = models.CharField(_("母亲电话"), max_length=20, blank=True)
    mother_work_place = models.CharField(_("母亲务工地点"), max_length=100, blank=True)
    mother_away_since = models.DateField(_("母亲外出时间"), null=True, blank=True)
    mother_expected_return = models.CharField(_("母亲预计返乡"), max_length=50, blank=True)
    reason_unable = models.CharField(_("不能亲自履行监护的原因"), max_length=200, blank=True)

    carer = models.ForeignKey(
        Carer, null=True, blank=True, on_delete=models.SET_NULL, related_name="agreements", verbose_name=_("受委托人")
    )
    # The carer as written on the agreement: it stays as signed when the carer's record changes later.
    carer_name = models.CharField(_("受委托人姓名"), max_length=50)
    carer_id_number = models.CharField(_("受委托人身份证号"), max_length=18, validators=[validate_id_number])
    carer_relationship = models.CharField(_("受委托人与儿童关系"), max_length=30, choices=Carer.Relationship.choices)
    carer_phone = models.CharField(_("受委托人电话"), max_length=20, blank=True)
    carer_address = models.CharField(_("受委托人住址"), max_length=200, blank=True)
    carer_health = models.CharField(_("受委托人健康状况"), max_length=100, blank=True)
    carer_full_capacity = models.BooleanField(_("具有完全民事行为能力"), default=False)
    carer_able_to_care = models.BooleanField(_("具有照护能力"), default=False)
    # 未成年人保护法 Art. 22 (2): the excluded circumstances, each declared absent; Art. 21: infectious disease.
    no_harm_record = models.BooleanField(_("无性侵害、虐待、遗弃、拐卖、暴力伤害等违法犯罪行为"), default=False)
    no_bad_habits = models.BooleanField(_("无吸毒、酗酒、赌博等恶习"), default=False)
    no_neglect_record = models.BooleanField(_("未曾拒不履行或长期怠于履行监护、照护职责"), default=False)
    no_infectious_disease = models.BooleanField(_("未患有严重传染性疾病"), default=False)
    no_other_unsuitability = models.BooleanField(_("无其他不适宜担任受委托人的情形"), default=False)

    period_start = models.DateField(_("委托起始日期"))
    period_end = models.DateField(_("委托终止日期"))
    carer_duties = models.TextField(_("受委托人职责"), default=default_carer_duties)
    parent_duties = models.TextField(_("委托人职责"), default=default_parent_duties)
    school_notified_on = models.DateField(_("书面告知学校日期"), null=True, blank=True)
    village_notified_on = models.DateField(_("书面告知村（居）委会日期"), null=True, blank=True)

    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    scan = models.ForeignKey(
        ChildDocument,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,  # kept while the agreement is; both go when the child's record is deleted
        related_name="+",
        verbose_name=_("签字扫描件"),
    )
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=30, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("终止说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("填写人")
    )
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("委托监护责任确认书")
        verbose_name_plural = _("委托监护责任确认书")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="agreement_end_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_on__isnull=False, scan__isnull=False),
                name="agreement_signed_has_scan",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="agreement_ended_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["child", "status", "period_end"], name="agreement_child_status_end")]

    def __str__(self):
        return _("%(child)s 委托监护责任确认书（%(start)s 至 %(end)s）") % {
            "child": self.child.name if self.child_id else "",
            "start": self.period_start,
            "end": self.period_end,
        }

    @property
    def principals(self) -> list[str]:
        """The parents who sign as 委托人."""
        return [name for name in (self.father_name, self.mother_name) if name]

    def covers(self, day: datetime.date) -> bool:
        return self.status == self.Status.SIGNED and self.period_start <= day <= self.period_end

    @property
    def is_current(self) -> bool:
        from django.utils import timezone

        return self.covers(timezone.localdate())
