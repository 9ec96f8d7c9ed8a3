"""Guardianship agreements (委托监护责任确认书) between parents working away and a carer."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dingzhou_welfare.idnumbers import validate_id_number

from .child import Child
from .documents import ChildDocument
from .family import Carer

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
