"""Sample rosters: a realistic, valid file of any size (for the demo, the tests and the benchmark).

Deterministic for a seed. The children are synthetic: ID numbers are valid by GB 11643 but made up
(sequence numbers 900-999 of each birth date, which real registrations in a county rarely reach,
under a Baoding county prefix chosen by the seed).
"""

import csv
import datetime
import io
import random

from children.models import Township
from dingzhou_welfare.idnumbers import check_char
from subsidies.months import add_months, format_month, month_start

from .roster import COLUMNS

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "子梓浩宇欣怡涵轩晨博文佳雨思嘉一诗俊豪明轩可馨若瑶锦程天佑雅琪静婷志强建国秀兰玉梅海燕春华"
VILLAGES = [
    "东村",
    "西村",
    "南村",
    "北村",
    "东关村",
    "西关村",
    "前街村",
    "后街村",
    "大王庄村",
    "小王庄村",
    "李家庄村",
    "张家屯村",
]
CARERS = [("祖父母", 55, 75), ("外祖父母", 55, 75), ("叔伯姑舅姨", 30, 55), ("父亲", 28, 50), ("母亲", 26, 48)]
BANKS = ["定州市农村信用合作联社", "中国邮政储蓄银行定州市支行", "中国农业银行定州市支行"]
# (classification, programme, needs disability, rural only, under 16 only)
PROFILES = [
    ("散居孤儿", "散居孤儿基本生活费", False, False, False),
    ("事实无人抚养儿童", "事实无人抚养儿童基本生活补贴", False, False, False),
    ("留守儿童", "", False, True, True),
    ("困境儿童", "农村低保", False, True, False),
    ("残疾儿童", "困难残疾人生活补贴", True, False, False),
    ("机构孤儿", "机构养育孤儿基本生活费", False, False, False),
]
DISABILITIES = ["肢体残疾", "智力残疾", "听力残疾", "视力残疾", "言语残疾"]


PREFIXES = ["130681", "130683", "130684", "130602", "130606", "130607", "130608", "130609", "130623", "130624"]


class _Ids:
    """Unique valid ID numbers: per birth date a counter from sequence 900 on."""

    def __init__(self, prefix="130682"):
        self.prefix = prefix
        self.used: dict[tuple, int] = {}

    def make(self, birth: datetime.date, sex: str) -> str:
        key = (birth, sex)
        n = self.used.get(key, 0)
        self.used[key] = n + 1
        block = 90 + n // 5  # sequence 90x-99x; 5 numbers of each sex per block (odd digits are boys)
        if block > 99:
            raise ValueError("too many children on one birth date")
        digit = (n % 5) * 2 + (1 if sex == "M" else 0)
        first17 = f"{self.prefix}{birth:%Y%m%d}{block:02d}{digit}"
        return first17 + check_char(first17)


def roster_rows(count: int, *, seed: int = 2026, today: datetime.date | None = None, townships=None):
    """Yield `count` valid roster rows (lists of text in COLUMNS order)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 -- sample data, not secrets
    if townships is None:
        townships = list(Township.objects.order_by("code").values_list("name", flat=True))
    if not townships:
        raise ValueError("no townships loaded")
    # Each seed draws its children's numbers in another Baoding county's prefix, so two sample files
    # never give one number to two different children (nor collide with the demo's 130682 children).
    ids, carer_ids = _Ids(PREFIXES[seed % len(PREFIXES)]), _Ids("130682")
    last_month = add_months(month_start(today), -1)
    for i in range(count):
        kind, programme, disabled, rural_only, under16 = PROFILES[i % len(PROFILES)]
        age_days = rng.randint(200, (15 if under16 else 17) * 365)
        birth = today - datetime.timedelta(days=age_days)
        sex = rng.choice("MF")
        township = townships[i % len(townships)]
        carer_relation, low, high = rng.choice(CARERS)
        carer_birth = datetime.date(today.year - rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))
        carer_sex = rng.choice("MF")
        start = max(month_start(birth), datetime.date(2020, 1, 1))
        months = max(0, (last_month.year - start.year) * 12 + last_month.month - start.month)
        start_month = add_months(start, rng.randint(0, months)) if programme else None
        surname = rng.choice(SURNAMES)
        row = {
            "姓名": surname + rng.choice(GIVEN) + rng.choice(GIVEN),
            "性别": "男" if sex == "M" else "女",
            "身份证号": ids.make(birth, sex),
            "出生日期": birth.isoformat(),
            "民族": "汉族" if rng.random() < 0.97 else "回族",
            "乡镇（街道）": township,
            "村（社区）": VILLAGES[rng.randrange(len(VILLAGES))],
            "户籍性质": "农村" if rural_only or rng.random() < 0.85 else "城镇",
            "儿童类别": kind,
            "保障项目": programme,
            "保障起始月份": format_month(start_month) if start_month else "",
            "监护人姓名": surname + rng.choice(GIVEN) + rng.choice(GIVEN),
            "监护人身份证号": carer_ids.make(carer_birth, carer_sex),
            "与儿童关系": carer_relation,
            "监护人电话": f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
            "开户银行": rng.choice(BANKS),
            "银行账号": f"6{rng.randint(0, 10**18 - 1):018d}",
            "残疾类别": rng.choice(DISABILITIES) if disabled else "",
            "残疾等级": rng.choice(["一级", "二级", "三级", "四级"]) if disabled else "",
            "残疾证号": "",
            "备注": "",
        }
        if disabled:
            row["残疾证号"] = row["身份证号"] + rng.choice(["41", "42", "21", "12"])
        yield [row[c] for c in COLUMNS]


# Typical mistakes for a demo of the error list: (column, wrong value).
MISTAKES = [
    ("身份证号", lambda v: v[:17] + ("0" if v[-1] != "0" else "1")),  # a wrong check digit
    ("出生日期", lambda v: v[:8] + "31" if v[5:7] in ("02", "04", "06", "09", "11") else v[:5] + "02-30"),
    ("乡镇（街道）", lambda v: v.replace("镇", "乡") + "X"),
    ("保障起始月份", lambda v: (v.replace("-", "年") + "月") if v else "2024年1月"),
    ("与儿童关系", lambda v: "邻居"),
    ("银行账号", lambda v: v[:6] + "-" + v[6:]),
]


def with_mistakes(rows, every: int = 40):
    """Every `every`-th row gets one of the typical mistakes (for trying the error list)."""
    index = {column: i for i, column in enumerate(COLUMNS)}
    for n, row in enumerate(rows, start=1):
        if n % every == 0:
            column, wrong = MISTAKES[(n // every) % len(MISTAKES)]
            row = list(row)
            row[index[column]] = wrong(row[index[column]])
        yield row


def write_roster_xlsx(out, rows, *, columns=COLUMNS) -> int:
    """Written with openpyxl's streaming writer (text inline in the cells, no shared-strings table)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("儿童花名册")
    sheet.append(columns)
    n = 0
    for row in rows:
        sheet.append([value if value != "" else None for value in row])
        n += 1
    workbook.save(out)
    return n


def write_roster_csv(out, rows, *, encoding="utf-8-sig", columns=COLUMNS) -> int:
    text = io.TextIOWrapper(out, encoding=encoding, newline="")
    writer = csv.writer(text)
    writer.writerow(columns)
    n = 0
    for row in rows:
        writer.writerow(row)
        n += 1
    text.flush()
    text.detach()
    return n
