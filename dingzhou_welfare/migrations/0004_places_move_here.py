"""Townships and villages move from children to the ground floor, which scopes by them.

State only: the tables keep their names (children_township, children_village) and no row moves.
The apps whose models point at places switch their fields in their own migrations, then
children's 0005 forgets its copies; 0005 here moves the content types so permissions stay.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dingzhou_welfare", "0003_staffprofile_scope_version"),
        ("children", "0004_agreement_scan_restrict"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Township",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "code",
                            models.CharField(
                                max_length=9,
                                unique=True,
                                validators=[django.core.validators.RegexValidator("^\\d{9}$", "乡镇代码应为9位数字。")],
                                verbose_name="统计用区划代码",
                            ),
                        ),
                        ("name", models.CharField(max_length=50, verbose_name="名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("subdistrict", "街道"),
                                    ("town", "镇"),
                                    ("township", "乡"),
                                    ("ethnic_township", "民族乡"),
                                ],
                                max_length=20,
                                verbose_name="类型",
                            ),
                        ),
                        ("valid_from", models.DateField(blank=True, null=True, verbose_name="启用日期")),
                        ("valid_to", models.DateField(blank=True, null=True, verbose_name="停用日期")),
                    ],
                    options={
                        "verbose_name": "乡镇（街道）",
                        "verbose_name_plural": "乡镇（街道）",
                        "db_table": "children_township",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="Village",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=50, verbose_name="名称")),
                        ("code", models.CharField(blank=True, max_length=12, verbose_name="代码")),
                        (
                            "township",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="villages",
                                to="dingzhou_welfare.township",
                                verbose_name="乡镇",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "村（社区）",
                        "verbose_name_plural": "村（社区）",
                        "db_table": "children_village",
                        "ordering": ["township__code", "name"],
                        "constraints": [
                            models.UniqueConstraint(fields=("township", "name"), name="village_unique_name")
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="staffprofile",
                    name="townships",
                    field=models.ManyToManyField(blank=True, to="dingzhou_welfare.township", verbose_name="负责乡镇"),
                ),
                migrations.AlterField(
                    model_name="staffprofile",
                    name="villages",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="儿童主任只负责部分村时填写；不填则为整个乡镇。",
                        to="dingzhou_welfare.village",
                        verbose_name="负责村（社区）",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
