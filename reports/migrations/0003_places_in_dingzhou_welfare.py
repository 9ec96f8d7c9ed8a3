"""Townships and villages moved to dingzhou_welfare (its 0004): these fields point there. State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_batch_money"),
        ("dingzhou_welfare", "0004_places_move_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="batchmoney",
                    name="township",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="dingzhou_welfare.township"),
                ),
            ],
            database_operations=[],
        ),
    ]
