"""A batch's summary totals, kept with the batch (issue 14: the batch page at a million lines).

One row per township and programme, and one per township for all its programmes (programme empty),
whose `children` counts each child once however many programmes pay them. The engine writes a
township's rows in the transaction that writes its lines (`subsidies.totals.store_totals`), so the
batch page and the summary sheet read a few hundred rows instead of adding up the lines.

A child's lines in a batch are all in one township (the engine deletes a moved child's lines from
the old township before writing them in the new one, and rewrites the old township's totals), so
the children of a programme or of the batch are the sums of the townships' children.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Batch, Programme

ZERO = Decimal("0.00")


class BatchTotal(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="totals")
    township = models.ForeignKey("dingzhou_welfare.Township", on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text=_("空：该乡镇全部项目")
    )
    children = models.PositiveIntegerField(_("人数"), default=0)
    lines = models.PositiveIntegerField(_("明细条数"), default=0)
    normal = models.DecimalField(_("当月"), max_digits=14, decimal_places=2, default=ZERO)
    arrears = models.DecimalField(_("补发"), max_digits=14, decimal_places=2, default=ZERO)
    adjustments = models.DecimalField(_("扣减"), max_digits=14, decimal_places=2, default=ZERO)
    reissued = models.DecimalField(_("重发"), max_digits=14, decimal_places=2, default=ZERO)
    total = models.DecimalField(_("合计（元）"), max_digits=14, decimal_places=2, default=ZERO)

    class Meta:
        verbose_name = _("批次汇总")
        verbose_name_plural = _("批次汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "township", "programme"],
                condition=Q(programme__isnull=False),
                name="batchtotal_once_per_programme",
            ),
            models.UniqueConstraint(
                fields=["batch", "township"], condition=Q(programme__isnull=True), name="batchtotal_once_per_township"
            ),
        ]

    def __str__(self):
        return f"{self.batch_id} {self.township_id} {self.programme_id or '*'} {self.total}"
