"""A batch's summary totals kept with it (BatchTotal), filled here for the batches already computed.

The fill reads each batch's lines once, grouped by township and programme and by township, as
`subsidies.totals.store_totals` does (copied here: a migration must not follow later code).
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q, Sum

ZERO = Decimal("0.00")
MONEY = {"normal": "normal", "arrears": "arrears", "adjustments": "adjustment", "reissued": "reissue"}


def fill_totals(apps, schema_editor):
    Batch = apps.get_model("subsidies", "Batch")
    Line = apps.get_model("subsidies", "Line")
    BatchTotal = apps.get_model("subsidies", "BatchTotal")
    figures = {
        "children": Count("child_id", distinct=True),
        "lines": Count("id"),
        "total": Sum("amount", default=ZERO),
        **{name: Sum("amount", filter=Q(kind=kind), default=ZERO) for name, kind in MONEY.items()},
    }
    for batch_id in Batch.objects.order_by("pk").values_list("pk", flat=True):
        lines = Line.objects.filter(batch_id=batch_id)
        rows = [
            *lines.values("township_id", "programme_id").annotate(**figures).order_by(),
            *lines.values("township_id").annotate(**figures).order_by(),
        ]
        BatchTotal.objects.filter(batch_id=batch_id).delete()
        BatchTotal.objects.bulk_create(
            [
                BatchTotal(
                    batch_id=batch_id,
                    township_id=r["township_id"],
                    programme_id=r.get("programme_id"),
                    children=r["children"],
                    lines=r["lines"],
                    total=(r["total"] or ZERO).quantize(ZERO),
                    **{name: (r[name] or ZERO).quantize(ZERO) for name in MONEY},
                )
                for r in rows
            ],
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dingzhou_welfare", "0010_auditentry_append_only"),
        ("subsidies", "0015_default_return_layouts"),
    ]

    operations = [
        migrations.CreateModel(
            name="BatchTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("children", models.PositiveIntegerField(default=0, verbose_name="人数")),
                ("lines", models.PositiveIntegerField(default=0, verbose_name="明细条数")),
                (
                    "normal",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=14, verbose_name="当月"),
                ),
                (
                    "arrears",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=14, verbose_name="补发"),
                ),
                (
                    "adjustments",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=14, verbose_name="扣减"),
                ),
                (
                    "reissued",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=14, verbose_name="重发"),
                ),
                (
                    "total",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("0.00"), max_digits=14, verbose_name="合计（元）"
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="totals", to="subsidies.batch"
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        blank=True,
                        help_text="空：该乡镇全部项目",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="subsidies.programme",
                    ),
                ),
                (
                    "township",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="dingzhou_welfare.township"
                    ),
                ),
            ],
            options={
                "verbose_name": "批次汇总",
                "verbose_name_plural": "批次汇总",
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("programme__isnull", False)),
                        fields=("batch", "township", "programme"),
                        name="batchtotal_once_per_programme",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("programme__isnull", True)),
                        fields=("batch", "township"),
                        name="batchtotal_once_per_township",
                    ),
                ],
            },
        ),
        migrations.RunPython(fill_totals, migrations.RunPython.noop),
    ]
