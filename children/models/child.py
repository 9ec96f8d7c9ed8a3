"""The child's record: who, where, school, health, and whether the file is open."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.access import scope
from dingzhou_welfare.idnumbers import validate_id_number
from dingzhou_welfare.models import Township, Village

from ..validators import validate_birth_date

ID_NUMBER_SHAPE = Q(id_number="") | Q(id_number__regex=r"^[0-9]{17}[0-9X]$")


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day` moved by whole years. 29 February becomes 1 March going forward, 28 February going back,
    so "turns 18 on" and "born on or before the cut-off for 18" always agree."""
    year = day.year + years
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:  # a bad birth date kept from before it was checked
        return datetime.date.max if years > 0 else datetime.date.min
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return datetime.date(year, 3, 1) if years > 0 else day.replace(year=year, day=28)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years from `birth_date` to `day` (a person born on 29 February turns a year older on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope(self, user)

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
    birth_date = models.DateField(_("出生日期"), validators=[validate_birth_date])
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

    def clean_fields(self, exclude=None):
        """The birth-date rule (validate_birth_date: a minor today) applies to a date entered or
        changed; a child who has since turned 18 keeps a record that can still be edited."""
        if self.pk and self.birth_date:
            stored = type(self).objects.filter(pk=self.pk).values_list("birth_date", flat=True).first()
            if stored == self.birth_date:
                exclude = {*(exclude or ()), "birth_date"}
        super().clean_fields(exclude=exclude)

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
