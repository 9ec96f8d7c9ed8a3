"""The children roster import (DESIGN.md section 4): check every row, then write in bulk.

One pass over the file, in chunks of CHUNK rows. Each chunk is parsed and checked cell by cell
(`parse_row`), then compared with what the registry holds for the chunk's ID numbers, read in a
handful of queries per chunk (`_load_existing`). The result per row is new / changed (with the
fields that change) / unchanged / invalid. On commit, the same pass also writes each chunk with
bulk_create / bulk_update (`write_chunk`); the caller holds one transaction around the whole file.

The rules are those of the registry, mirrored rather than called row by row (a row-by-row
`full_clean()` with its queries is far too slow for 100,000 rows):
- ID numbers through `children.idnumbers` (the one GB 11643 validator), birth date and sex must agree;
- classifications as in `children.rules.classification_problems`, without the parents' situations,
  which a roster does not carry (age limits, rural registration, disability data, exclusive kinds);
- programmes as in `subsidies.eligibility.enrolment_problems` (age limit, classification held,
  disability); an enrolment brought in by import is confirmed, starts in the given month and counts
  as paid by the previous system up to the month before the import (DESIGN.md section 3).
Empty optional cells leave what the registry holds; an import never deletes or ends anything.
"""

import datetime
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from children.idnumbers import check_agrees_with_id, mask_account, mask_id_number, mask_phone, parse_id_number
from children.models import (
    Carer,
    Child,
    Classification,
    ClassificationKind,
    PaymentAccount,
    Township,
    Village,
    add_years,
)
from children.rules import AGE_LIMITS, DEFAULT_AGE_LIMIT, EXCLUSIVE_GROUPS
from dingzhou_welfare.models import AuditEntry
from subsidies.eligibility import SEVERE_GRADES, SEVERE_LOWER_GRADE_TYPES
from subsidies.models import Enrolment, Programme
from subsidies.months import add_months, format_month, month_start

from . import bulk, cells
from .cells import CellError
from .readers import open_sheet

Kind = ClassificationKind

COLUMNS = [
    "姓名",
    "性别",
    "身份证号",
    "出生日期",
    "民族",
    "乡镇（街道）",
    "村（社区）",
    "户籍性质",
    "儿童类别",
    "保障项目",
    "保障起始月份",
    "监护人姓名",
    "监护人身份证号",
    "与儿童关系",
    "监护人电话",
    "开户银行",
    "银行账号",
    "残疾类别",
    "残疾等级",
    "残疾证号",
    "备注",
]
REQUIRED = ["姓名", "身份证号", "乡镇（街道）", "户籍性质"]
CHUNK = 2000

SEXES = {"男": "M", "女": "F", "M": "M", "F": "F"}
HUKOU = {
    "农村": Child.HukouType.RURAL,
    "农业": Child.HukouType.RURAL,
    "城镇": Child.HukouType.URBAN,
    "非农业": Child.HukouType.URBAN,
}
# DESIGN.md section 4: the Chinese names and the bureau's short names.
KIND_NAMES = {
    **{str(label): value for value, label in Kind.choices},
    "社会散居孤儿": Kind.ORPHAN_SCATTERED,
    "散居孤儿": Kind.ORPHAN_SCATTERED,
    "机构集中养育孤儿": Kind.ORPHAN_INSTITUTIONAL,
    "集中养育孤儿": Kind.ORPHAN_INSTITUTIONAL,
    "机构孤儿": Kind.ORPHAN_INSTITUTIONAL,
    "农村留守儿童": Kind.LEFT_BEHIND,
    "留守儿童": Kind.LEFT_BEHIND,
    "残疾儿童": Kind.DISABLED,
}
# Names that stand for one of two or three kinds: decided by the rest of the row (see _kind_of).
DE_FACTO_NAMES = {"事实无人抚养儿童", "事实无人抚养"}
HARDSHIP_NAMES = {"困境儿童"}
RELATIONSHIPS = {
    **{str(label): value for value, label in Carer.Relationship.choices},
    **dict.fromkeys(["父", "爸爸"], Carer.Relationship.FATHER),
    **dict.fromkeys(["母", "妈妈"], Carer.Relationship.MOTHER),
    **dict.fromkeys(["祖父", "祖母", "爷爷", "奶奶"], Carer.Relationship.PATERNAL_GRANDPARENT),
    **dict.fromkeys(["外祖父", "外祖母", "外公", "外婆", "姥爷", "姥姥"], Carer.Relationship.MATERNAL_GRANDPARENT),
    **dict.fromkeys(["兄", "姐", "哥哥", "姐姐"], Carer.Relationship.SIBLING),
    **dict.fromkeys(
        ["叔叔", "伯伯", "伯父", "叔父", "姑姑", "姑妈", "舅舅", "舅父", "姨", "姨妈", "婶婶", "舅妈"],
        Carer.Relationship.UNCLE_AUNT,
    ),
    "福利院": Carer.Relationship.INSTITUTION,
}
DISABILITY_TYPES = {
    **{str(label): value for value, label in Child.DisabilityType.choices},
    **{str(label).removesuffix("残疾"): value for value, label in Child.DisabilityType.choices},
}
GRADES = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}
MASKS = {
    "身份证号": mask_id_number,
    "监护人身份证号": mask_id_number,
    "银行账号": mask_account,
    "监护人电话": mask_phone,
    "残疾证号": mask_id_number,
}
# The child's own fields: column, attribute, how to show a value.
CHILD_FIELDS = [
    ("姓名", "name"),
    ("性别", "sex"),
    ("出生日期", "birth_date"),
    ("民族", "ethnicity"),
    ("乡镇（街道）", "township_id"),
    ("村（社区）", "village_id"),
    ("户籍性质", "hukou_type"),
    ("残疾类别", "disability_type"),
    ("残疾等级", "disability_grade"),
    ("残疾证号", "disability_cert_no"),
    ("备注", "note"),
]
PREVIEW_FIELDS = [("乡镇（街道）", "township_id"), ("村（社区）", "village_id")]
CARER_FIELDS = [
    ("监护人姓名", "name"),
    ("监护人身份证号", "id_number"),
    ("与儿童关系", "relationship"),
    ("监护人电话", "phone"),
]
ACCOUNT_FIELDS = [
    ("开户银行", "bank_name"),
    ("银行账号", "account_number"),
    ("监护人姓名", "payee_name"),
    ("监护人身份证号", "payee_id_number"),
    ("与儿童关系", "payee_relationship"),
]


WHAT_ID = gettext_lazy("身份证号")
WHAT_CARER_ID = gettext_lazy("监护人身份证号")
WHAT_ACCOUNT = gettext_lazy("银行账号")


def _max(model, name) -> int:
    return model._meta.get_field(name).max_length


@dataclass
class Context:
    """What every row is checked against, loaded once per file."""

    today: datetime.date
    townships: dict[str, Township]
    villages: dict[tuple[int, str], int]
    programmes: dict[str, Programme]
    township_names: dict[int, str]
    village_names: dict[int, str] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)  # ID number -> first line
    full_changes: bool = False  # every field of a new child (the commit's audit), or the few the preview shows
    labels: dict = field(default_factory=dict)
    kind_labels: dict = field(default_factory=dict)

    def __post_init__(self):
        # Choice labels, translated once per file rather than once per cell.
        self.labels = {
            "sex": {k: str(v) for k, v in Child._meta.get_field("sex").choices},
            "hukou_type": {k: str(v) for k, v in Child.HukouType.choices},
            "disability_type": {k: str(v) for k, v in Child.DisabilityType.choices},
            "relationship": {k: str(v) for k, v in Carer.Relationship.choices},
            "payee_relationship": {k: str(v) for k, v in Carer.Relationship.choices},
        }
        self.kind_labels = {k: str(v) for k, v in Kind.choices}

    @classmethod
    def load(cls, today: datetime.date | None = None) -> "Context":
        townships: dict[str, Township] = {}
        for township in Township.objects.all():
            townships[township.code] = township
            townships.setdefault(township.name, township)
        villages, village_names = {}, {}
        for pk, township_id, name in Village.objects.values_list("pk", "township_id", "name").iterator():
            villages[(township_id, name)] = pk
            village_names[pk] = name
        programmes: dict[str, Programme] = {}
        for programme in Programme.objects.all():
            programmes[programme.name] = programme
            for alias in programme.aliases or []:
                programmes.setdefault(alias, programme)
        return cls(
            today=today or timezone.localdate(),
            townships=townships,
            villages=villages,
            programmes=programmes,
            township_names={t.pk: t.name for t in townships.values()},
            village_names=village_names,
        )

    @property
    def prior_paid_through(self) -> datetime.date:
        """DESIGN.md section 3: the previous system paid up to the month before the import."""
        return add_months(month_start(self.today), -1)

    def label(self, attribute: str, value) -> str:
        if value is None or value == "":
            return ""
        if attribute == "township_id":
            return self.township_names.get(value, "")
        if attribute == "village_id":
            return self.village_names.get(value, str(value)) if isinstance(value, int) else str(value)
        labels = self.labels.get(attribute)
        if labels is not None:
            return labels.get(value, str(value))
        return str(value)


@dataclass
class Row:
    """One data row: parsed values, problems per column, and then what it would change."""

    line: int
    raw: list
    raw_id: object = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    child: dict = field(default_factory=dict)
    village_name: str = ""
    kinds: list[str] = field(default_factory=list)
    programmes: list[Programme] = field(default_factory=list)
    start_month: datetime.date | None = None
    carer: dict | None = None
    account: dict | None = None
    # Filled by the comparison:
    status: str = ""
    changes: list[list] = field(default_factory=list)
    existing: dict | None = None
    new_kinds: list[str] = field(default_factory=list)
    new_programmes: list[Programme] = field(default_factory=list)
    child_changes: dict = field(default_factory=dict)
    carer_changes: dict | None = None
    account_changes: dict | None = None

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    @property
    def key(self) -> str:
        return self.child.get("id_number", "")

    @property
    def shown_key(self) -> str:
        """The ID number as typed when it is not a valid one (the preview shows what is wrong)."""
        return self.key or cells.cell_text(self.raw_id)[:30]

    @property
    def label(self) -> str:
        return self.child.get("name", "")


def _cell(row: Row, header: dict[str, int], column: str):
    index = header.get(column)
    if index is None or index >= len(row.raw):
        return None
    return row.raw[index]


def parse_row(row: Row, header: dict[str, int], ctx: Context) -> None:
    """Check every cell of the row; fill row.child etc. and row.errors."""

    def get(column, max_length=None, *, required=False):
        try:
            value = cells.text(_cell(row, header, column), max_length=max_length)
        except CellError as error:
            row.error(column, error.message)
            return ""
        if required and not value:
            row.error(column, _("必填，不能为空。"))
        return value

    child = row.child
    child["name"] = get("姓名", _max(Child, "name"), required=True)
    row.raw_id = _cell(row, header, "身份证号")
    try:
        number = cells.number_text(row.raw_id, what=WHAT_ID)
    except CellError as error:
        row.error("身份证号", error.message)
        number = ""
    info = None
    if not number:
        if not any(column == "身份证号" for column, _m in row.errors):
            row.error("身份证号", _("必填，不能为空（没有身份证号的儿童请在系统中逐个登记）。"))
    else:
        number = number.upper()
        try:
            info = parse_id_number(number, today=ctx.today)
        except ValidationError as error:
            row.error("身份证号", error.messages[0])
        else:
            child["id_number"] = info.number
            first = ctx.seen.setdefault(info.number, row.line)
            if first != row.line:
                row.error("身份证号", _("与第 %(n)d 行的身份证号重复，同一儿童只能出现一次。") % {"n": first})

    sex_text = get("性别")
    if sex_text:
        if sex_text.upper() in SEXES:
            child["sex"] = SEXES[sex_text.upper()]
        else:
            row.error("性别", _("应填“男”或“女”，而不是“%(v)s”。") % {"v": sex_text})
    birth_raw = _cell(row, header, "出生日期")
    if cells.cell_text(birth_raw):
        try:
            child["birth_date"] = cells.date(birth_raw)
        except CellError as error:
            row.error("出生日期", error.message)
    if info:
        agree = check_agrees_with_id(info, birth_date=child.get("birth_date"), sex=child.get("sex"))
        if "birth_date" in agree:
            row.error("出生日期", agree["birth_date"])
        if "sex" in agree:
            row.error("性别", agree["sex"])
        child.setdefault("birth_date", info.birth_date)
        child.setdefault("sex", info.sex)
    if child.get("birth_date") and child["birth_date"] > ctx.today:
        row.error("出生日期", _("出生日期不能晚于今天。"))

    ethnicity = get("民族", _max(Child, "ethnicity"))
    if ethnicity:
        child["ethnicity"] = ethnicity

    township_text = get("乡镇（街道）", required=True)
    township = ctx.townships.get(township_text) if township_text else None
    if township_text and township is None:
        row.error("乡镇（街道）", _("没有名称或代码为“%(v)s”的乡镇（街道），请核对名称。") % {"v": township_text})
    if township:
        child["township_id"] = township.pk
    row.village_name = get("村（社区）", _max(Village, "name"))

    hukou_text = get("户籍性质", required=True)
    if hukou_text:
        if hukou_text in HUKOU:
            child["hukou_type"] = HUKOU[hukou_text]
        else:
            row.error("户籍性质", _("应填“农村”或“城镇”，而不是“%(v)s”。") % {"v": hukou_text})

    disability_text = get("残疾类别")
    if disability_text:
        if disability_text in DISABILITY_TYPES:
            child["disability_type"] = DISABILITY_TYPES[disability_text]
        else:
            row.error(
                "残疾类别",
                _("没有“%(v)s”这一残疾类别，应为：%(all)s。")
                % {"v": disability_text, "all": "、".join(str(label) for _v, label in Child.DisabilityType.choices)},
            )
    grade_text = get("残疾等级").removesuffix("级")
    if grade_text:
        if grade_text in GRADES:
            child["disability_grade"] = GRADES[grade_text]
        else:
            row.error("残疾等级", _("残疾等级应为一级到四级（1-4），而不是“%(v)s”。") % {"v": grade_text})
    if "disability_grade" in child and not disability_text:
        row.error("残疾类别", _("填写残疾等级时须填写残疾类别。"))
    cert = get("残疾证号", _max(Child, "disability_cert_no"))
    if cert:
        child["disability_cert_no"] = cert
    note = get("备注", 2000)
    if note:
        child["note"] = note

    _parse_programmes(row, header, ctx, get)
    _parse_kinds(row, get)
    _parse_carer_and_account(row, header, ctx, get)


def _parse_programmes(row: Row, header, ctx: Context, get) -> None:
    for name in cells.split_list(get("保障项目")):
        programme = ctx.programmes.get(name)
        if programme is None:
            row.error("保障项目", _("没有名为“%(v)s”的保障项目，请使用系统中的项目名称或简称。") % {"v": name})
        elif not programme.active:
            row.error("保障项目", _("保障项目“%(v)s”已停用。") % {"v": name})
        elif programme not in row.programmes:
            row.programmes.append(programme)
    month_raw = _cell(row, header, "保障起始月份")
    if cells.cell_text(month_raw):
        try:
            row.start_month = cells.month(month_raw)
        except CellError as error:
            row.error("保障起始月份", error.message)
        else:
            if row.start_month > month_start(ctx.today):
                row.error("保障起始月份", _("起始月份不能晚于本月。"))
            birth = row.child.get("birth_date")
            if birth and row.start_month < month_start(birth):
                row.error("保障起始月份", _("起始月份早于儿童出生月份。"))
            if not row.programmes and not any(c == "保障项目" for c, _m in row.errors):
                row.error("保障项目", _("填写了保障起始月份，但没有填写保障项目。"))
    elif row.programmes:
        row.error("保障起始月份", _("填写了保障项目，须同时填写保障起始月份（YYYY-MM）。"))


def _kind_of(name: str, row: Row) -> str | None:
    if name in KIND_NAMES:
        return KIND_NAMES[name]
    if name in DE_FACTO_NAMES:
        institutional = any(p.eligible_kinds == [Kind.DE_FACTO_INSTITUTIONAL] for p in row.programmes)
        return Kind.DE_FACTO_INSTITUTIONAL if institutional else Kind.DE_FACTO_SCATTERED
    if name in HARDSHIP_NAMES:
        return Kind.HARDSHIP_DISABILITY if row.child.get("disability_type") else Kind.HARDSHIP_POVERTY
    return None


def _parse_kinds(row: Row, get) -> None:
    for name in cells.split_list(get("儿童类别")):
        kind = _kind_of(name, row)
        if kind is None:
            row.error(
                "儿童类别",
                _("没有“%(v)s”这一儿童类别，应为：%(all)s。")
                % {"v": name, "all": "、".join(str(label) for _v, label in Kind.choices)},
            )
        elif kind not in row.kinds:
            row.kinds.append(kind)


def _parse_carer_and_account(row: Row, header, ctx: Context, get) -> None:
    name = get("监护人姓名", _max(Carer, "name"))
    relationship_text = get("与儿童关系")
    phone = get("监护人电话", _max(Carer, "phone"))
    try:
        carer_number = cells.number_text(_cell(row, header, "监护人身份证号"), what=WHAT_CARER_ID).upper()
    except CellError as error:
        row.error("监护人身份证号", error.message)
        carer_number = ""
    if carer_number:
        try:
            carer_number = parse_id_number(carer_number, today=ctx.today).number
        except ValidationError as error:
            row.error("监护人身份证号", error.messages[0])
    if phone and not all(ch.isdigit() or ch in "-+ " for ch in phone):
        row.error("监护人电话", _("电话号码只能包含数字和“-”。"))
    relationship = None
    if relationship_text:
        relationship = RELATIONSHIPS.get(relationship_text)
        if relationship is None:
            row.error(
                "与儿童关系",
                _("无法识别“%(v)s”，应为：%(all)s。")
                % {"v": relationship_text, "all": "、".join(str(label) for _v, label in Carer.Relationship.choices)},
            )
    if name or relationship_text or phone or carer_number:
        if not name:
            row.error("监护人姓名", _("填写了监护人信息，但没有填写监护人姓名。"))
        if not relationship_text:
            row.error("与儿童关系", _("填写了监护人，须同时填写与儿童关系。"))
        row.carer = {"name": name, "id_number": carer_number, "relationship": relationship, "phone": phone}

    bank = get("开户银行", _max(PaymentAccount, "bank_name"))
    try:
        account = cells.number_text(_cell(row, header, "银行账号"), what=WHAT_ACCOUNT)
    except CellError as error:
        row.error("银行账号", error.message)
        account = ""
    if account and not (account.isdigit() and 8 <= len(account) <= _max(PaymentAccount, "account_number")):
        row.error("银行账号", _("银行账号应为8到32位数字。"))
    if bank or account:
        if not bank:
            row.error("开户银行", _("填写了银行账号，须同时填写开户银行。"))
        if not account:
            row.error("银行账号", _("填写了开户银行，须同时填写银行账号。"))
        if not name:
            row.error("监护人姓名", _("填写了发放账户，须填写监护人（领取人）姓名。"))
        row.account = {
            "bank_name": bank,
            "account_number": account,
            "payee_name": name,
            "payee_id_number": carer_number,
            "payee_relationship": relationship,
        }


# ---------------------------------------------------------------------------------------------
# Comparing with the registry


def _load_existing(rows: list[Row]) -> dict[str, dict]:
    numbers = [row.key for row in rows if row.key]
    if not numbers:
        return {}
    names = [attribute for _c, attribute in CHILD_FIELDS]
    existing = {
        values["id_number"]: {**values, "kinds": set(), "programmes": set(), "carer": None, "account": None}
        for values in Child.objects.filter(id_number__in=numbers).values(
            "pk", "id_number", "status", "closed_on", *names
        )
    }
    by_pk = {values["pk"]: values for values in existing.values()}
    if not by_pk:
        return existing
    for child_id, kind in Classification.objects.open().filter(child_id__in=by_pk).values_list("child_id", "kind"):
        by_pk[child_id]["kinds"].add(kind)
    for child_id, programme_id in (
        Enrolment.objects.open().filter(child_id__in=by_pk).values_list("child_id", "programme_id")
    ):
        by_pk[child_id]["programmes"].add(programme_id)
    for carer in Carer.objects.filter(child_id__in=by_pk, is_primary=True).values(
        "pk", "child_id", *[a for _c, a in CARER_FIELDS]
    ):
        by_pk[carer["child_id"]]["carer"] = carer
    for account in PaymentAccount.objects.filter(child_id__in=by_pk).values(
        "pk", "child_id", *[a for _c, a in ACCOUNT_FIELDS]
    ):
        by_pk[account["child_id"]]["account"] = account
    return existing


def _shown(ctx: Context, column: str, attribute: str, value) -> str:
    shown = ctx.label(attribute, value)
    mask = MASKS.get(column)
    return mask(shown) if mask and shown else shown


def compare(row: Row, existing: dict | None, ctx: Context) -> None:
    """Set row.status and row.changes (what an import would change), adding rule problems as errors."""
    row.existing = existing
    child = row.child
    if existing and existing["status"] != Child.Status.ACTIVE:
        row.error("身份证号", _("该儿童的档案已于 %(d)s 销档，不能通过导入修改。") % {"d": existing["closed_on"]})
    # The village within the row's township (created on import when new).
    township_id = child.get("township_id") or (existing or {}).get("township_id")
    if row.village_name and township_id:
        child["village_id"] = ctx.villages.get((township_id, row.village_name)) or row.village_name
    elif existing and child.get("township_id") and child["township_id"] != existing["township_id"]:
        child["village_id"] = None  # moved to another township without a village named
    birth = child.get("birth_date") or (existing or {}).get("birth_date")
    disability = {
        key: child.get(key) or (existing or {}).get(key)
        for key in ("disability_type", "disability_grade", "disability_cert_no")
    }
    hukou = child.get("hukou_type") or (existing or {}).get("hukou_type")
    held = set(existing["kinds"]) if existing else set()
    row.new_kinds = [kind for kind in row.kinds if kind not in held]
    _check_kinds(row, birth, hukou, disability, held, ctx)
    enrolled = existing["programmes"] if existing else set()
    row.new_programmes = [p for p in row.programmes if p.pk not in enrolled]
    _check_programmes(row, birth, disability, held | set(row.kinds), ctx)
    if row.errors:
        row.status = "invalid"
        return

    if existing is None:
        row.status = "new"
        if ctx.full_changes:
            row.changes.append(["身份证号", "", mask_id_number(row.key)])
        for column, attribute in CHILD_FIELDS if ctx.full_changes else PREVIEW_FIELDS:
            if child.get(attribute) not in (None, ""):
                row.changes.append([column, "", _shown(ctx, column, attribute, child[attribute])])
    else:
        for column, attribute in CHILD_FIELDS:
            if attribute not in child:
                continue
            old, new = existing[attribute], child[attribute]
            if old != new:
                row.child_changes[attribute] = new
                row.changes.append([column, _shown(ctx, column, attribute, old), _shown(ctx, column, attribute, new)])
    if row.carer:
        old = (existing or {}).get("carer")
        row.carer_changes = _diff_related(row, ctx, CARER_FIELDS, old, row.carer, keep_blank={"id_number", "phone"})
    if row.account:
        old = (existing or {}).get("account")
        row.account_changes = _diff_related(row, ctx, ACCOUNT_FIELDS, old, row.account, keep_blank={"payee_id_number"})
    for kind in row.new_kinds:
        row.changes.append(["儿童类别", "", ctx.kind_labels[kind]])
    for programme in row.new_programmes:
        row.changes.append(
            ["保障项目", "", _("%(p)s（%(m)s起）") % {"p": programme.name, "m": format_month(row.start_month)}]
        )
    if existing is not None:
        row.status = "changed" if row.changes else "unchanged"


def _diff_related(row, ctx, fields, old: dict | None, new: dict, *, keep_blank: set) -> dict | None:
    """The fields of a carer or account that change; None when nothing does."""
    changes = {}
    for column, attribute in fields:
        value = new[attribute]
        if attribute in keep_blank and not value:
            continue  # an empty optional cell keeps what is stored
        before = old[attribute] if old else ""
        if before != value:
            changes[attribute] = value
            shown = ctx.full_changes or old is not None or column == "监护人姓名"
            if shown and not any(c[0] == column for c in row.changes):
                row.changes.append(
                    [column, _shown(ctx, column, attribute, before), _shown(ctx, column, attribute, value)]
                )
    return changes or None


def _check_kinds(row: Row, birth, hukou, disability, held: set, ctx: Context) -> None:
    """classification_problems without the parents' situations (a roster does not carry them)."""
    if not birth:
        return
    start = _kind_start(row, birth, ctx)
    for kind in row.new_kinds:
        label = Kind(kind).label
        limit = AGE_LIMITS.get(kind, DEFAULT_AGE_LIMIT)
        if start >= add_years(birth, limit):
            row.error(
                "儿童类别",
                _("儿童已满%(n)d周岁（%(d)s满%(n)d周岁），不能认定为%(k)s。")
                % {"n": limit, "d": add_years(birth, limit).isoformat(), "k": label},
            )
        if kind == Kind.LEFT_BEHIND and hukou != Child.HukouType.RURAL:
            row.error("儿童类别", _("农村留守儿童须为农村户籍。"))
        if kind == Kind.DISABLED and not all(disability.values()):
            row.error("儿童类别", _("残疾儿童须填写残疾类别、残疾等级和残疾证号。"))
        if kind == Kind.HARDSHIP_DISABILITY and not disability["disability_type"]:
            row.error("儿童类别", _("因自身残疾认定为困境儿童，须填写残疾类别。"))
    wanted = held | set(row.kinds)
    for group in EXCLUSIVE_GROUPS:
        clash = wanted & group
        if len(clash) > 1:
            row.error(
                "儿童类别",
                _("%(c)s不能同时认定。") % {"c": "、".join(sorted(str(Kind(k).label) for k in clash))},
            )


def _kind_start(row: Row, birth: datetime.date, ctx: Context) -> datetime.date:
    return max(row.start_month or ctx.today, birth)


def _check_programmes(row: Row, birth, disability, kinds: set, ctx: Context) -> None:
    """enrolment_problems, on the row's own data."""
    for programme in row.new_programmes:
        if programme.age_limit and birth and ctx.today >= add_years(birth, programme.age_limit):
            row.error(
                "保障项目",
                _("儿童已满%(n)d周岁（%(d)s），%(p)s只保障%(n)d周岁以下儿童。")
                % {
                    "n": programme.age_limit,
                    "d": add_years(birth, programme.age_limit).isoformat(),
                    "p": programme.name,
                },
            )
        if programme.eligible_kinds and not kinds & set(programme.eligible_kinds):
            row.error(
                "儿童类别",
                _("%(p)s须先认定为%(k)s，请在“儿童类别”中填写。")
                % {"p": programme.name, "k": "或".join(str(Kind(k).label) for k in programme.eligible_kinds)},
            )
        if programme.requires_disability and not (disability["disability_type"] and disability["disability_cert_no"]):
            row.error("残疾类别", _("%(p)s须填写残疾类别和残疾证号。") % {"p": programme.name})
        if programme.severe_disability_only and disability["disability_type"]:
            grade = disability["disability_grade"]
            severe = grade in SEVERE_GRADES or (
                grade in (3, 4) and disability["disability_type"] in SEVERE_LOWER_GRADE_TYPES
            )
            if not severe:
                row.error("残疾等级", _("重度残疾人护理补贴须为一、二级残疾，或三、四级智力、精神残疾。"))


# ---------------------------------------------------------------------------------------------
# The pass over the file


def analyse(
    path,
    fmt: str,
    *,
    ctx: Context | None = None,
    progress: Callable[[int], None] | None = None,
    cache: Path | None = None,
) -> Iterator[list[Row]]:
    """Yield the file's rows in chunks, each checked and compared with the registry.

    `cache`: the preview writes the raw cells there (pickled chunks, next to the upload); the commit
    reads them back instead of unpacking the workbook a second time. Either way every cell is
    parsed and checked again.
    """
    ctx = ctx or Context.load()
    if cache is not None and cache.exists():
        header, rows, out = *_read_cache(cache), None
    else:
        sheet = open_sheet(path, fmt, required=REQUIRED, known=COLUMNS, sheet_name="儿童花名册")
        header, rows = sheet.header, sheet.rows
        out = cache.with_name(cache.name + ".part").open("wb") if cache is not None else None
    done = 0
    try:
        if out is not None:
            pickle.dump(header, out, protocol=pickle.HIGHEST_PROTOCOL)
        for chunk_rows in _chunks(rows):
            if out is not None:
                pickle.dump(chunk_rows, out, protocol=pickle.HIGHEST_PROTOCOL)
            chunk = []
            for line, raw in chunk_rows:
                row = Row(line=line, raw=raw)
                parse_row(row, header, ctx)
                chunk.append(row)
            existing = _load_existing(chunk)
            for row in chunk:
                compare(row, existing.get(row.key), ctx)
            yield chunk
            done += len(chunk)
            if progress:
                progress(done)
    except BaseException:
        if out is not None:
            out.close()
            cache.with_name(cache.name + ".part").unlink(missing_ok=True)
            out = None
        raise
    finally:
        if out is not None:
            out.close()
            cache.with_name(cache.name + ".part").replace(cache)


def _chunks(rows) -> Iterator[list]:
    chunk = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read_cache(cache: Path):
    handle = cache.open("rb")
    # Our own file, written by the preview next to the upload in MEDIA_ROOT: never user input.
    header = pickle.load(handle)  # noqa: S301

    def rows():
        with handle:
            while True:
                try:
                    chunk = pickle.load(handle)  # noqa: S301
                except EOFError:
                    return
                yield from chunk

    return header, rows()


def header_of(path, fmt: str) -> tuple[dict[str, int], int]:
    sheet = open_sheet(path, fmt, required=REQUIRED, known=COLUMNS, sheet_name="儿童花名册")
    return sheet.header, sheet.header_line


# ---------------------------------------------------------------------------------------------
# Writing one checked chunk (inside the caller's transaction)


@dataclass
class Written:
    children_created: int = 0
    children_updated: int = 0
    villages_created: int = 0
    carers_written: int = 0
    accounts_written: int = 0
    classifications_created: int = 0
    enrolments_created: int = 0
    touched: list = field(default_factory=list)  # (name, birth_date, township_id) of written children

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "touched"}


def write_chunk(rows: list[Row], *, ctx: Context, actor, written: Written, source: str) -> None:
    """Write the new and changed rows of a checked chunk: COPY/bulk inserts, bulk updates, audit entries."""
    rows = [row for row in rows if row.status in ("new", "changed")]
    if not rows:
        return
    now = timezone.now()
    actor_id = actor.pk if actor is not None else None
    _create_villages(rows, ctx, written)
    for row in rows:
        village = row.child.get("village_id")
        if isinstance(village, str):
            township_id = row.child.get("township_id") or row.existing["township_id"]
            row.child["village_id"] = ctx.villages[(township_id, village)]
            if row.existing is not None and row.existing.get("village_id") != row.child["village_id"]:
                row.child_changes["village_id"] = row.child["village_id"]

    created = [row for row in rows if row.existing is None]
    ids = bulk.insert(Child, [{**row.child, "no_id_reason": ""} for row in created])
    pk_of = {row.key: pk for row, pk in zip(created, ids, strict=True)}
    written.children_created += len(created)

    updates: dict[tuple, list[Child]] = {}
    for row in rows:
        if row.existing is not None and row.child_changes:
            child = Child(pk=row.existing["pk"], updated_at=now, **row.child_changes)
            updates.setdefault(tuple(sorted(row.child_changes)), []).append(child)
            written.children_updated += 1
    for names, children in updates.items():
        Child.objects.bulk_update(children, [*names, "updated_at"], batch_size=1000)

    carers_new, carers_changed, accounts_new, accounts_changed = [], {}, [], {}
    demote = []
    classifications, enrolments, audit = [], [], []
    prior = ctx.prior_paid_through
    for row in rows:
        child_id = row.existing["pk"] if row.existing else pk_of[row.key]
        birth = row.child.get("birth_date") or row.existing["birth_date"]
        township_id = row.child.get("township_id") or row.existing["township_id"]
        written.touched.append((row.child.get("name") or row.existing["name"], birth, township_id))
        if row.carer_changes:
            old = row.existing and row.existing["carer"]
            same_person = old and (
                (row.carer["id_number"] and old["id_number"] == row.carer["id_number"])
                or old["name"] == row.carer["name"]
            )
            if same_person:
                carers_changed.setdefault(tuple(sorted(row.carer_changes)), []).append(
                    Carer(pk=old["pk"], **row.carer_changes)
                )
            else:
                if old:
                    demote.append(old["pk"])
                carers_new.append({"child_id": child_id, "is_guardian": True, "is_primary": True, **row.carer})
        if row.account_changes:
            old = row.existing and row.existing["account"]
            if old:
                accounts_changed.setdefault(tuple(sorted(row.account_changes)), []).append(
                    PaymentAccount(pk=old["pk"], **row.account_changes)
                )
            else:
                accounts_new.append({"child_id": child_id, **row.account})
        start = _kind_start(row, birth, ctx)
        note = (_("导入：%(s)s") % {"s": source})[:200]
        for kind in row.new_kinds:
            classifications.append({"child_id": child_id, "kind": kind, "start_date": start, "note": note})
        for programme in row.new_programmes:
            enrolments.append(
                {
                    "child_id": child_id,
                    "programme_id": programme.pk,
                    "status": Enrolment.Status.CONFIRMED,
                    "applied_on": row.start_month,
                    "evidence": (_("导入：%(s)s 第%(n)d行") % {"s": source, "n": row.line})[:200],
                    "confirmed_by_id": actor_id,
                    "confirmed_at": now,
                    "start_month": row.start_month,
                    "prior_paid_through": prior if row.start_month <= prior else None,
                }
            )
        summary = _("导入新建儿童档案") if row.existing is None else _("导入修改儿童信息")
        audit.append(
            {
                "actor_id": actor_id,
                "action": AuditEntry.Action.CREATE if row.existing is None else AuditEntry.Action.UPDATE,
                "object_type": "child",
                "object_id": str(child_id),
                "child_id": child_id,
                "summary": (summary + _("（%(s)s 第%(n)d行）") % {"s": source, "n": row.line})[:200],
                "changes": {str(column): [old or None, new] for column, old, new in row.changes},
            }
        )
    if demote:
        Carer.objects.filter(pk__in=demote).update(is_primary=False)
    bulk.insert(Carer, carers_new)
    for names, carers in carers_changed.items():
        Carer.objects.bulk_update(carers, list(names), batch_size=1000)
    bulk.insert(PaymentAccount, accounts_new)
    for names, accounts in accounts_changed.items():
        PaymentAccount.objects.bulk_update(accounts, list(names), batch_size=1000)
    bulk.insert(Classification, classifications)
    bulk.insert(Enrolment, enrolments)
    bulk.insert(AuditEntry, audit)
    written.carers_written += len(carers_new) + sum(len(c) for c in carers_changed.values())
    written.accounts_written += len(accounts_new) + sum(len(a) for a in accounts_changed.values())
    written.classifications_created += len(classifications)
    written.enrolments_created += len(enrolments)


def _create_villages(rows: list[Row], ctx: Context, written: Written) -> None:
    wanted = {
        (row.child.get("township_id") or row.existing["township_id"], row.child["village_id"])
        for row in rows
        if isinstance(row.child.get("village_id"), str)
    }
    missing = [key for key in wanted if key not in ctx.villages]
    if not missing:
        return
    Village.objects.bulk_create([Village(township_id=t, name=n) for t, n in missing], ignore_conflicts=True)
    query = Q()
    for township_id, name in missing:
        query |= Q(township_id=township_id, name=name)
    for pk, township_id, name in Village.objects.filter(query).values_list("pk", "township_id", "name"):
        ctx.villages[(township_id, name)] = pk
        ctx.village_names[pk] = name
    written.villages_created += len(missing)


def refresh_duplicate_flags(touched: list) -> None:
    """children.services' likely-duplicate rule for the written children whose group has a child without ID."""
    from children.services import _refresh_duplicate_flags

    if not touched:
        return
    keys = set(touched)
    without_id = set(Child.objects.filter(id_number="").values_list("name", "birth_date", "township_id").iterator())
    for name, birth_date, township_id in keys & without_id:
        _refresh_duplicate_flags(name, birth_date, township_id)
