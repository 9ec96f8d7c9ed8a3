"""The national change list's default layout (DOMAIN.md 5.2 and 6.1), and the change events of the
history already entered: each classification's start and end, each paying enrolment's first month
and ending. A layout already there under the same code is left as it is; events already recorded
stay (the backfill is idempotent)."""

from django.db import migrations

NATIONAL = {
    "code": "national",
    "name": "全国儿童福利信息管理系统增减员名单",
    "sheet_title": "增减员",
    "file_name_pattern": "{month}_增减员_{code}.xlsx",
    "columns": [
        ("seq", "序号"),
        ("direction", "变动类型"),
        ("effective_date", "变动日期"),
        ("national_code", "类别代码"),
        ("category", "儿童类别"),
        ("programme", "保障项目"),
        ("id_number", "公民身份号码"),
        ("name", "姓名"),
        ("sex", "性别"),
        ("birth_date", "出生日期"),
        ("township_code", "乡镇（街道）代码"),
        ("township", "乡镇（街道）"),
        ("village", "村（社区）"),
        ("guardian", "监护人姓名"),
        ("guardian_relationship", "与儿童关系"),
        ("reason_code", "变动原因代码"),
        ("reason_label", "变动原因"),
        ("reason", "说明"),
    ],
}


def forwards(apps, schema_editor):
    from subsidies.changes.history import backfill

    Layout = apps.get_model("subsidies", "ChangeListLayout")
    Column = apps.get_model("subsidies", "ChangeListColumn")
    if not Layout.objects.filter(code=NATIONAL["code"]).exists():
        layout = Layout.objects.create(**{k: v for k, v in NATIONAL.items() if k != "columns"})
        Column.objects.bulk_create(
            Column(layout=layout, position=n, field=field, header=header)
            for n, (field, header) in enumerate(NATIONAL["columns"], start=1)
        )
    backfill(
        Classification=apps.get_model("children", "Classification"),
        Enrolment=apps.get_model("subsidies", "Enrolment"),
        Programme=apps.get_model("subsidies", "Programme"),
        ChangeEvent=apps.get_model("subsidies", "ChangeEvent"),
    )


def backwards(apps, schema_editor):
    apps.get_model("subsidies", "ChangeEvent").objects.all().delete()
    apps.get_model("subsidies", "ChangeListLayout").objects.filter(code=NATIONAL["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0011_change_events"), ("children", "0008_fill_next_review")]

    operations = [migrations.RunPython(forwards, backwards)]
