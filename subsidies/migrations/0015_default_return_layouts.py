"""Two return (回盘) layouts to start from: a generic one (account, name, amount, reference, result,
reason) and the county rural commercial bank's (amount in fen, no reference). A county changes them, or
adds its own bank's, in the admin; a layout already there under the same code is left as it is."""

from django.db import migrations

LAYOUTS = [
    {
        "code": "generic",
        "name": "通用回盘格式",
        "account_header": "银行账号",
        "amount_header": "金额（元）",
        "amount_in_fen": False,
        "reference_header": "业务参考号",
        "name_header": "户名",
        "status_header": "处理结果",
        "reason_header": "失败原因",
        "success_values": "成功,交易成功,已入账,S",
        "failure_values": "失败,交易失败,退票,F",
    },
    {
        "code": "rcb",
        "name": "县农村商业银行回盘格式",
        "account_header": "账号",
        "amount_header": "金额（分）",
        "amount_in_fen": True,
        "reference_header": "",
        "name_header": "户名",
        "status_header": "状态",
        "reason_header": "备注",
        "success_values": "0000,成功",
        "failure_values": "9999,失败",
    },
]


def add_layouts(apps, schema_editor):
    BankReturnLayout = apps.get_model("subsidies", "BankReturnLayout")
    for layout in LAYOUTS:
        BankReturnLayout.objects.get_or_create(code=layout["code"], defaults=layout)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0014_bank_returns")]

    operations = [migrations.RunPython(add_layouts, migrations.RunPython.noop)]
