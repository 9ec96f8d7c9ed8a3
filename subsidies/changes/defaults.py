"""The change list's default layout, following DOMAIN.md 5.2 and 6.1: national category codes, ID
number, name, sex, birth date, township, guardian, reason codes. Loaded by a migration; a county
changes it, or adds its own, in the admin."""

NATIONAL_LAYOUT = {
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


def load_default_layout(apps) -> None:
    """Create the national layout unless a layout of that code is there (then it is left as it is)."""
    Layout = apps.get_model("subsidies", "ChangeListLayout")
    Column = apps.get_model("subsidies", "ChangeListColumn")
    if Layout.objects.filter(code=NATIONAL_LAYOUT["code"]).exists():
        return
    layout = Layout.objects.create(**{k: v for k, v in NATIONAL_LAYOUT.items() if k != "columns"})
    Column.objects.bulk_create(
        Column(layout=layout, position=n, field=field, header=header)
        for n, (field, header) in enumerate(NATIONAL_LAYOUT["columns"], start=1)
    )
