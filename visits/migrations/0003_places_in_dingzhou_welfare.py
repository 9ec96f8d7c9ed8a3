"""Townships and villages moved to dingzhou_welfare (its 0004): these fields point there. State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0002_default_intervals"),
        ("dingzhou_welfare", "0004_places_move_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="visitschedule",
                    name="township",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="dingzhou_welfare.township"),
                ),
                migrations.AlterField(
                    model_name="visitschedule",
                    name="village",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="dingzhou_welfare.village"),
                ),
                migrations.AlterField(
                    model_name="visitworkload",
                    name="township",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="dingzhou_welfare.township"),
                ),
            ],
            database_operations=[],
        ),
    ]
