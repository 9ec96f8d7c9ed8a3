"""Workbooks the import page hands out: the templates, and the uploaded file with its bad cells marked.

Both are written with xlsxwriter in constant_memory mode (rows go to disk one by one). Every cell
is written as text, through `neutralise`: a formula that came in as text goes out as text.
"""

from pathlib import Path

from django.utils.translation import gettext as _

from children.models import Carer, Child, ClassificationKind, Township
from dingzhou_welfare.spreadsheets import neutralise
from subsidies.models import Programme

from . import roster
from .models import ImportJob
from .readers import cell_text, detect_format, open_sheet
from .resources import STANDARD_COLUMNS


def _workbook(out):
    import xlsxwriter

    return xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_format_properties": {"font_name": "宋体", "font_size": 10},
        },
    )


def _notes_for_children() -> list[tuple[str, str, str]]:
    """Column, required, what to write."""
    townships = "、".join(Township.objects.order_by("code").values_list("name", flat=True)[:60])
    programmes = "；".join(
        p.name + (f"（简称：{'、'.join(p.aliases)}）" if p.aliases else "")
        for p in Programme.objects.filter(active=True)
    )
    kinds = "、".join(str(label) for _v, label in ClassificationKind.choices)
    return [
        ("姓名", _("必填"), _("儿童姓名")),
        ("性别", _("选填"), _("男 或 女；不填则按身份证号")),
        ("身份证号", _("必填"), _("18位，末位X大小写均可；请把本列设为文本格式，否则 Excel 会丢失后几位")),
        ("出生日期", _("选填"), _("如 2015-03-14；不填则按身份证号；填写时须与身份证号一致")),
        ("民族", _("选填"), _("如 汉族；新建档案不填时为汉族")),
        ("乡镇（街道）", _("必填"), _("名称或9位统计用区划代码：%(t)s") % {"t": townships}),
        ("村（社区）", _("选填"), _("所在乡镇中没有的村（社区）会在导入时新建")),
        ("户籍性质", _("必填"), _("农村 或 城镇")),
        (
            "儿童类别",
            _("选填"),
            _(
                "多个用顿号“、”分隔：%(k)s；"
                "也接受简称 散居孤儿、集中养育孤儿、机构孤儿、事实无人抚养、留守儿童、困境儿童"
                "（“事实无人抚养儿童”按保障项目定为散居或集中；“困境儿童”填写了残疾类别的定为自身残疾，"
                "否则为家庭贫困）。父母情况不在本表中，导入后请在儿童档案中补录"
            )
            % {"k": kinds},
        ),
        ("保障项目", _("选填"), _("多个用顿号“、”分隔：%(p)s") % {"p": programmes}),
        ("保障起始月份", _("填写保障项目时必填"), _("YYYY-MM，如 2024-01；此前由原系统发放的月份不再补发")),
        ("监护人姓名", _("选填"), _("监护人（照料人），也是发放账户的领取人")),
        ("监护人身份证号", _("选填"), _("18位")),
        (
            "与儿童关系",
            _("填写监护人时必填"),
            "、".join(str(label) for _v, label in Carer.Relationship.choices) + _("；也接受 爷爷、奶奶、外公、外婆 等"),
        ),
        ("监护人电话", _("选填"), _("手机或座机号码")),
        ("开户银行", _("选填"), _("与银行账号一起填写")),
        ("银行账号", _("选填"), _("8到32位数字，请设为文本格式")),
        ("残疾类别", _("选填"), "、".join(str(label) for _v, label in Child.DisabilityType.choices)),
        ("残疾等级", _("选填"), _("一级到四级，或 1-4")),
        ("残疾证号", _("选填"), ""),
        ("备注", _("选填"), ""),
        (
            "认定日期",
            _("选填"),
            _("儿童类别的认定日期，如 2021-09-01（有无保障项目均可填）；不填则为保障起始月份的1日，都不填则为导入当天"),
        ),
        (
            "无身份证号原因",
            _("没有身份证号时必填"),
            _(
                "如 弃婴，尚未落户；此时身份证号留空，须填写出生日期和性别。"
                "姓名、出生日期和乡镇相同的儿童在预览中标为可能重复"
            ),
        ),
    ]


def write_template(kind: str, out) -> None:
    workbook = _workbook(out)
    text = workbook.add_format({"num_format": "@"})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "num_format": "@"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    if kind == ImportJob.Kind.STANDARDS:
        columns = STANDARD_COLUMNS
        notes = [
            ("保障项目", _("必填"), "；".join(Programme.objects.values_list("name", flat=True))),
            ("月标准（元）", _("必填"), _("每人每月金额，如 1000 或 1450.00")),
            ("起始月份", _("必填"), _("YYYY-MM，如 2024-01；早于已计算批次的月份会在下一批次补发差额")),
        ]
        sheet_name = "保障标准"
    else:
        columns, notes, sheet_name = roster.COLUMNS + roster.OPTIONAL_COLUMNS, _notes_for_children(), "儿童花名册"
    sheet = workbook.add_worksheet(sheet_name)
    for col, name in enumerate(columns):
        sheet.set_column(col, col, 20 if "身份证" in name or "账号" in name else 14, text)
        sheet.write_string(0, col, name, head)
    sheet.freeze_panes(1, 0)
    help_sheet = workbook.add_worksheet(_("填写说明"))
    help_sheet.set_column(0, 0, 16)
    help_sheet.set_column(1, 1, 18)
    help_sheet.set_column(2, 2, 90)
    for col, name in enumerate([_("列名"), _("是否必填"), _("填写说明")]):
        help_sheet.write_string(0, col, name, head)
    for r, (column, required, note) in enumerate(notes, start=1):
        help_sheet.write_string(r, 0, column)
        help_sheet.write_string(r, 1, required)
        help_sheet.write_string(r, 2, note, wrap)
    last = len(notes) + 2
    help_sheet.write_string(last, 0, _("注意"), head)
    help_sheet.write_string(
        last,
        2,
        _(
            "第一行为表头，请勿修改列名；从第二行起每行一名儿童。空白单元格不会清除系统中已有的内容。"
            "上传后系统先逐行检查并显示预览，确认后才会写入；有任何错误时全部不导入。"
        ),
        wrap,
    )
    workbook.close()


def write_marked(job: ImportJob, out) -> int:
    """The uploaded rows, bad cells filled red, the reasons in a last column. Returns the invalid row count."""
    errors = dict(job.rows.filter(status="invalid").values_list("line", "errors").iterator())
    path = Path(job.file.path)
    fmt = detect_format(path, job.original_name)
    if job.kind == ImportJob.Kind.STANDARDS:
        required, known, sheet_name = STANDARD_COLUMNS, STANDARD_COLUMNS, "保障标准"
    else:
        required, known, sheet_name = roster.REQUIRED, roster.COLUMNS, "儿童花名册"
    sheet_in = open_sheet(path, fmt, required=required, known=known, sheet_name=sheet_name)
    workbook = _workbook(out)
    sheet = workbook.add_worksheet(sheet_name)
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    bad = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1, "border_color": "#C00000"})
    note = workbook.add_format({"font_color": "#9C0006", "text_wrap": False})
    width = max(sheet_in.header.values()) + 1
    names = [""] * width
    for name, index in sheet_in.header.items():
        names[index] = name
    for col, name in enumerate(names):
        sheet.write_string(0, col, neutralise(name), head)
        sheet.set_column(col, col, 20 if "身份证" in name or "账号" in name else 14)
    sheet.write_string(0, width, _("错误说明"), head)
    sheet.set_column(width, width, 60)
    sheet.freeze_panes(1, 0)
    r = 1
    for line, raw in sheet_in.rows:
        problems = errors.get(line, [])
        marked = {sheet_in.header.get(column) for column, _m in problems}
        for col in range(max(width, len(raw))):
            value = neutralise(cell_text(raw[col])) if col < len(raw) else ""
            if col in marked:
                sheet.write_string(r, col, value, bad)
            elif value:
                sheet.write_string(r, col, value)
        if problems:
            message = "；".join((f"{column}：{message}" if column else message) for column, message in problems)
            sheet.write_string(r, width, _("第%(n)d行 ") % {"n": line} + message, note)
        r += 1
    workbook.close()
    return len(errors)
