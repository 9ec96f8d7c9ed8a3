"""Care campaigns (走访慰问): a named campaign, the relief it hands out, and what each child received.

One handout per child and campaign (the form edits it), so a child is counted once however many
times the record is corrected; its lines say how much of each item the child received.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    name = models.CharField(_("活动名称"), max_length=100, unique=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访慰问活动")
        verbose_name_plural = _("走访慰问活动")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="campaign_end_after_start")
        ]

    def __str__(self):
        return self.name

    def is_open_on(self, day) -> bool:
        return self.start_date <= day <= self.end_date


class CampaignItem(models.Model):
    """Something the campaign hands out: goods counted in whole units, or cash in yuan."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("实物")
        CASH = "cash", _("慰问金")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items", verbose_name=_("活动"))
    name = models.CharField(_("物品"), max_length=30)
    unit = models.CharField(_("单位"), max_length=10)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.GOODS)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("慰问物品")
        verbose_name_plural = _("慰问物品")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="campaign_item_unique_name")]

    def __str__(self):
        return f"{self.name}（{self.unit}）"

    @property
    def is_cash(self) -> bool:
        return self.kind == self.Kind.CASH


class Handout(models.Model):
    """What one child received in one campaign, optionally on a recorded home visit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="handouts", verbose_name=_("活动"))
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="handouts", verbose_name=_("儿童")
    )
    visit = models.ForeignKey(
        "visits.Visit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handouts",
        verbose_name=_("探访记录"),
    )
    handed_on = models.DateField(_("发放日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("慰问发放")
        verbose_name_plural = _("慰问发放")
        ordering = ["-handed_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "child"], name="handout_once_per_child")]

    def __str__(self):
        return f"{self.campaign} · {self.child}"


class HandoutLine(models.Model):
    handout = models.ForeignKey(Handout, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(CampaignItem, on_delete=models.PROTECT, related_name="lines", verbose_name=_("物品"))
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["handout", "item"], name="handout_line_once_per_item"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="handout_line_positive"),
        ]

    def __str__(self):
        return f"{self.item.name} {self.quantity}"
