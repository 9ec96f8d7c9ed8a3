"""Comparing checked rows with the registry: new, changed (which fields), unchanged, or a rule broken."""

import datetime

from django.utils.translation import gettext as _

from children.models import (
    Carer,
    Child,
    Classification,
    ClassificationKind,
    PaymentAccount,
    add_years,
)
from children.rules import AGE_LIMITS, DEFAULT_AGE_LIMIT, EXCLUSIVE_GROUPS
from dingzhou_welfare.idnumbers import mask_id_number
from subsidies.eligibility import SEVERE_GRADES, SEVERE_LOWER_GRADE_TYPES
from subsidies.models import Enrolment
from subsidies.months import format_month
from subsidies.stacking import exclusive_conflicts

from .columns import ACCOUNT_FIELDS, CARER_FIELDS, CHILD_FIELDS, MASKS, PREVIEW_FIELDS
from .parse import Context, Row

Kind = ClassificationKind


def _load_existing(rows: list[Row]) -> dict[str, dict]:
    """The registry's children for the chunk's rows, by `Row.lookup`; each row's likely duplicates noted.

    A row without an ID number is the child without one who has the same name, birth date and township.
    """
    names = [attribute for _c, attribute in CHILD_FIELDS]
    fields = ("pk", "id_number", "status", "closed_on", *names)
    numbers = [row.key for row in rows if row.key]
    existing = {}
    if numbers:
        existing = {
            values["id_number"]: _blank(values)
            for values in Child.objects.filter(id_number__in=numbers).values(*fields)
        }
    people = {row.person for row in rows if row.person}
    namesakes: dict[tuple, list[dict]] = {}
    if people:
        query = Child.objects.filter(name__in={p[0] for p in people}, township_id__in={p[2] for p in people}).values(
            *fields
        )
        for values in query:
            person = (values["name"], values["birth_date"], values["township_id"])
            if person in people:
                namesakes.setdefault(person, []).append(values)
    for row in rows:
        if row.key or not row.person:
            continue
        without_id = [v for v in namesakes.get(row.person, []) if not v["id_number"]]
        if len(without_id) == 1:
            existing[row.lookup] = _blank(without_id[0])
    for row in rows:
        _note_namesakes(row, namesakes.get(row.person, []), existing.get(row.lookup))
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


def _blank(values: dict) -> dict:
    return {**values, "kinds": set(), "programmes": set(), "carer": None, "account": None}


def _note_namesakes(row: Row, namesakes: list[dict], itself: dict | None) -> None:
    """children.services' rule: the same name, birth date and township, one of the two without an ID number."""
    others = [v for v in namesakes if itself is None or v["pk"] != itself["pk"]]
    flagged = [v for v in others if not row.key or not v["id_number"]]
    if flagged:
        shown = "、".join(mask_id_number(v["id_number"]) or _("无身份证号") for v in flagged[:3])
        row.notes.append(["可能重复", "", _("与已有儿童档案（%(ids)s）姓名、出生日期和乡镇相同") % {"ids": shown}])


def _note_namesakes_in_file(row: Row, ctx: Context) -> None:
    if not row.person:
        return
    first = ctx.seen_people.setdefault(row.person, (row.line, bool(row.key)))
    if first[0] != row.line and not (row.key and first[1]):
        row.notes.append(["可能重复", "", _("与第 %(n)d 行姓名、出生日期和乡镇相同") % {"n": first[0]}])


def _shown(ctx: Context, column: str, attribute: str, value) -> str:
    shown = ctx.label(attribute, value)
    mask = MASKS.get(column)
    return mask(shown) if mask and shown else shown


def compare(row: Row, existing: dict | None, ctx: Context) -> None:
    """Set row.status and row.changes (what an import would change), adding rule problems as errors."""
    row.existing = existing
    child = row.child
    _note_namesakes_in_file(row, ctx)
    if existing and existing["status"] != Child.Status.ACTIVE:
        row.error("身份证号", _("该儿童的档案已于 %(d)s 销档，不能通过导入修改。") % {"d": existing["closed_on"]})
    # The village within the row's township (created on import when new).
    township_id = child.get("township_id") or (existing or {}).get("township_id")
    if row.village_name and township_id:
        child["village_id"] = ctx.villages.get((township_id, row.village_name)) or row.village_name
        if isinstance(child["village_id"], str):
            similar = ctx.note_new_village(township_id, row.village_name)
            if similar:
                row.notes.append(
                    [
                        "可能笔误",
                        "",
                        _("将新建村（社区）“%(v)s”，与已有的“%(s)s”只差一个字")
                        % {"v": row.village_name, "s": "”“".join(similar)},
                    ]
                )
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
    _check_stacking(row, enrolled, ctx)
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
        label = ctx.kind_labels[kind]
        if row.recognised_on:
            label = _("%(k)s（%(d)s认定）") % {"k": label, "d": row.recognised_on.isoformat()}
        row.changes.append(["儿童类别", "", label])
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
    """认定日期 when the file gives it; otherwise the programme's first month, or the day of the import."""
    return max(row.recognised_on or row.start_month or ctx.today, birth)


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


def _check_stacking(row: Row, enrolled: set[int], ctx: Context) -> None:
    """An exclusive pair (subsidies.stacking) is refused as the enrolment form refuses it, naming the rule."""
    if not ctx.exclusive or not row.new_programmes:
        return
    by_pk = {p.pk: p for p in ctx.programmes.values()}
    held = [by_pk[pk] for pk in enrolled if pk in by_pk]
    for i, programme in enumerate(row.new_programmes):
        for problem in exclusive_conflicts(programme, held + row.new_programmes[:i], pairs=ctx.exclusive):
            row.error("保障项目", problem)
