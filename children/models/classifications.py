"""A child's categories (儿童类别) over time; subsidies and reports read them by day."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .child import Child


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

    def review_due_by(self, day: datetime.date):
        """Open classifications whose annual review falls on or before `day` (overdue included)."""
        return self.open().filter(next_review__lte=day)


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
    next_review = models.DateField(
        _("下次复核日期"), null=True, blank=True, help_text=_("年度复核（孤儿核查认定）到期日；终止的类别不再复核。")
    )
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


class ClassificationReview(models.Model):
    """年度复核（孤儿核查认定）: a classification checked again, with its outcome and evidence."""

    class Outcome(models.TextChoices):
        STILL_ELIGIBLE = "still_eligible", _("仍符合条件")
        CHANGED = "changed", _("情况有变化，仍符合条件")
        ENDED = "ended", _("不再符合条件，终止类别")

    classification = models.ForeignKey(Classification, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("复核日期"))
    outcome = models.CharField(_("复核结论"), max_length=20, choices=Outcome.choices)
    evidence = models.TextField(_("复核依据"))
    document = models.ForeignKey(
        "ChildDocument", null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("证明文件")
    )
    due_on = models.DateField(_("原定复核日期"), null=True, blank=True)
    next_review = models.DateField(_("下次复核日期"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("年度复核")
        verbose_name_plural = _("年度复核")
        ordering = ["-reviewed_on", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(evidence=""), name="review_has_evidence")]

    def __str__(self):
        return f"{self.classification} {self.reviewed_on} {self.outcome}"
