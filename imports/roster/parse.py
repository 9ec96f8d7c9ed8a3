"""The roster's columns and the check of one row's cells (no database)."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import (
    Carer,
    Child,
    ClassificationKind,
    PaymentAccount,
    Township,
    Village,
)
from children.names import clean_name, validate_name
from children.validators import validate_birth_date
from dingzhou_welfare.idnumbers import check_agrees_with_id, parse_id_number
from subsidies.models import Programme
from subsidies.months import add_months, month_start
from subsidies.stacking import exclusive_pairs

from .. import cells
from ..cells import CellError
from .columns import (
    DE_FACTO_NAMES,
    DISABILITY_TYPES,
    GRADES,
    HARDSHIP_NAMES,
    HUKOU,
    KIND_NAMES,
    NO_ID_REASON_REQUIRED,
    RELATIONSHIPS,
    SEXES,
    WHAT_ACCOUNT,
    WHAT_CARER_ID,
    WHAT_ID,
)

Kind = ClassificationKind


def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance at most 1: one character changed, added or dropped (东村 / 冬村 / 东二村)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1 :] == b[i + 1 :] if len(a) == len(b) else a[i:] == b[i + 1 :]


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
    seen_people: dict[tuple, tuple[int, bool]] = field(default_factory=dict)  # (name, birth, township) -> line, has ID
    full_changes: bool = False  # every field of a new child (the commit's audit), or the few the preview shows
    labels: dict = field(default_factory=dict)
    kind_labels: dict = field(default_factory=dict)
    exclusive: set = field(default_factory=set)  # subsidies.stacking.exclusive_pairs()
    # (township id, name) -> existing names of that township one edit away: the villages an import would create.
    new_villages: dict[tuple[int, str], list[str]] = field(default_factory=dict)

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
            exclusive=exclusive_pairs(),
        )

    @property
    def prior_paid_through(self) -> datetime.date:
        """DESIGN.md section 3: the previous system paid up to the month before the import."""
        return add_months(month_start(self.today), -1)

    def note_new_village(self, township_id: int, name: str) -> list[str]:
        """Remember a village the import would create; returns the township's villages it may be a typo of."""
        key = (township_id, name)
        if key not in self.new_villages:
            known = [n for (t, n) in self.villages if t == township_id]
            self.new_villages[key] = [n for n in known if within_one_edit(n, name)]
        return self.new_villages[key]

    def new_villages_named(self) -> list[list]:
        """[township, village, [similar existing names]] in township and name order, for the preview."""
        return sorted(
            [self.township_names.get(t, ""), name, similar] for (t, name), similar in self.new_villages.items()
        )

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
    recognised_on: datetime.date | None = None  # 认定日期: when the classifications began
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
    notes: list[list] = field(default_factory=list)  # shown in the preview, not written (a likely duplicate)

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))

    @property
    def key(self) -> str:
        return self.child.get("id_number", "")

    @property
    def lookup(self) -> str:
        """How the registry finds the row's child: the ID number, or name, birth date and township without one."""
        if self.key:
            return self.key
        return f"~{self.child.get('name', '')}|{self.child.get('birth_date', '')}|{self.child.get('township_id', '')}"

    @property
    def person(self) -> tuple | None:
        """(name, birth date, township id): the likely-duplicate rule's key (children.services)."""
        child = self.child
        if child.get("name") and child.get("birth_date") and child.get("township_id"):
            return (child["name"], child["birth_date"], child["township_id"])
        return None

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
    child["name"] = _parse_name(row, header)
    row.raw_id = _cell(row, header, "身份证号")
    try:
        number = cells.number_text(row.raw_id, what=WHAT_ID)
    except CellError as error:
        row.error("身份证号", error.message)
        number = ""
    info = None
    no_id_reason = get("无身份证号原因", _max(Child, "no_id_reason"))
    if not number:
        bad_number = any(column == "身份证号" for column, _m in row.errors)  # already reported
        if no_id_reason and not bad_number:
            child["no_id_reason"] = no_id_reason
        elif "无身份证号原因" in header and not bad_number:
            row.error("无身份证号原因", str(NO_ID_REASON_REQUIRED))
        elif not bad_number:
            row.error("身份证号", _("必填，不能为空；没有身份证号的儿童请在“无身份证号原因”列中填写原因。"))
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
    if "no_id_reason" in child:  # nothing to read them from
        if "birth_date" not in child and not any(c == "出生日期" for c, _m in row.errors):
            row.error("出生日期", _("没有身份证号时须填写出生日期。"))
        if "sex" not in child and not any(c == "性别" for c, _m in row.errors):
            row.error("性别", _("没有身份证号时须填写性别。"))
    if child.get("birth_date"):
        try:
            validate_birth_date(child["birth_date"], today=ctx.today)
        except ValidationError as error:
            row.error("出生日期", error.messages[0])

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
    _parse_recognised_on(row, header, ctx)
    _parse_carer_and_account(row, header, ctx, get)


def _parse_name(row: Row, header) -> str:
    """The child's name through children.names, the form's own check (a leading tab is refused, not dropped)."""
    raw = _cell(row, header, "姓名")
    name = clean_name(raw) if isinstance(raw, str) else cells.cell_text(raw)
    if not name:
        row.error("姓名", _("必填，不能为空。"))
        return ""
    try:
        validate_name(name)
    except ValidationError as error:
        row.error("姓名", error.messages[0])
    return name


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


def _parse_recognised_on(row: Row, header, ctx: Context) -> None:
    """认定日期: the day the row's classifications began, so that the first report counts them in 期初."""
    raw = _cell(row, header, "认定日期")
    if not cells.cell_text(raw):
        return
    try:
        day = cells.date(raw)
    except CellError as error:
        row.error("认定日期", error.message)
        return
    if day > ctx.today:
        row.error("认定日期", _("认定日期不能晚于今天。"))
    birth = row.child.get("birth_date")
    if birth and day < birth:
        row.error("认定日期", _("认定日期早于儿童出生日期。"))
    if not row.kinds and not any(c == "儿童类别" for c, _m in row.errors):
        row.error("儿童类别", _("填写了认定日期，但没有填写儿童类别。"))
    if row.start_month and row.start_month < month_start(day):
        row.error(
            "保障起始月份",
            _("保障起始月份（%(m)s）早于认定日期（%(d)s）：认定之前不能享受保障。")
            % {"m": row.start_month.strftime("%Y-%m"), "d": day.isoformat()},
        )
    row.recognised_on = day


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
