"""Two bank layouts to start from: a generic workbook, and a county rural commercial bank's fixed-width
GBK text with a count-and-sum line first. A county changes them, or adds its own bank, in the admin;
a layout already there under the same code is left as it is."""

from django.db import migrations

LAYOUTS = [
    {
        "code": "generic",
        "name": "通用代发格式（Excel）",
        "file_type": "xlsx",
        "encoding": "utf-8",
        "header_line": True,
        "total_line": "last",
        "total_format": "合计：{count}笔，{total}元",
        "file_name_pattern": "{month}代发_{batch}.{ext}",
        "columns": [
            ("seq", "序号", None, "right", " "),
            ("account", "银行账号", 24, "left", " "),
            ("payee_name", "户名", 12, "left", " "),
            ("payee_id", "身份证号", 20, "left", " "),
            ("amount", "金额（元）", 12, "right", " "),
            ("remark", "备注", 30, "left", " "),
        ],
    },
    {
        "code": "rcb-fixed",
        "name": "县农村商业银行代发格式（定长文本，GBK）",
        "file_type": "fixed",
        "encoding": "gbk",
        "header_line": False,
        "total_line": "first",
        "total_format": "{count:0>8}{total:0>17}",
        "file_name_pattern": "DF{month}.{ext}",
        "columns": [
            ("account", "账号", 32, "left", " "),
            ("payee_name", "户名", 20, "left", " "),
            ("payee_id", "证件号码", 18, "left", " "),
            ("amount", "金额", 17, "right", "0"),
            ("remark", "摘要", 40, "left", " "),
        ],
    },
]


def add_layouts(apps, schema_editor):
    BankLayout = apps.get_model("subsidies", "BankLayout")
    BankLayoutColumn = apps.get_model("subsidies", "BankLayoutColumn")
    for spec in LAYOUTS:
        spec = dict(spec)
        columns = spec.pop("columns")
        layout, created = BankLayout.objects.get_or_create(code=spec.pop("code"), defaults=spec)
        if not created:
            continue
        for position, (field, header, width, align, padding) in enumerate(columns, start=1):
            BankLayoutColumn.objects.create(
                layout=layout, position=position, field=field, header=header, width=width, align=align, padding=padding
            )


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0009_bank_layouts_and_files")]

    operations = [migrations.RunPython(add_layouts, migrations.RunPython.noop)]
