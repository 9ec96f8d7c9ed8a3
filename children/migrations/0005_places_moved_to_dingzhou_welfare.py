"""Townships and villages now live in dingzhou_welfare (its 0004): children's fields point there and
its own copies leave the state. No table changes: the rows stay where they were."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0004_agreement_scan_restrict"),
        ("dingzhou_welfare", "0004_places_move_here"),
        # Every app pointing at a place switches first, so nothing refers to children's copies when they go.
        ("subsidies", "0006_places_in_dingzhou_welfare"),
        ("reports", "0003_places_in_dingzhou_welfare"),
        ("visits", "0003_places_in_dingzhou_welfare"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="child",
                    name="township",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="dingzhou_welfare.township",
                        verbose_name="乡镇（街道）",
                    ),
                ),
                migrations.AlterField(
                    model_name="child",
                    name="village",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="dingzhou_welfare.village",
                        verbose_name="村（社区）",
                    ),
                ),
                migrations.DeleteModel(name="Village"),
                migrations.DeleteModel(name="Township"),
            ],
            database_operations=[],
        ),
    ]
