"""Guardianship agreements (委托监护责任确认书) for rural left-behind children: the checks, the writes
and the work still to do (DESIGN.md section 2, DOMAIN.md 4.1-4.2).

The checks follow 未成年人保护法 Art. 21-23: the entrusted carer is an adult with full civil capacity
and able to care, and each excluded circumstance of Art. 22 (and the serious infectious disease of
Art. 21) is declared absent. A left-behind child is covered on a day when a signed agreement's
period includes that day; missing, expired or soon-expiring agreements are work to do.
"""

import dataclasses
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dingzhou_welfare.audit import diff, log_action, snapshot
from dingzhou_welfare.idnumbers import mask_id_number, mask_phone, parse_id_number
from dingzhou_welfare.models import AuditEntry

from ..models import (
    Carer,
    Child,
    ChildDocument,
    Classification,
    ClassificationKind,
    GuardianshipAgreement,
    ParentSituation,
    add_years,
)
from ..services import add_document, save_carer

Action = AuditEntry.Action
Agreement = GuardianshipAgreement
Situation = ParentSituation.Situation

# An agreement ending within this many days is "soon to expire" (a renewal is signed in time).
EXPIRY_WARNING_DAYS = 30
# The declarations an entrusted carer must make, with the words shown when one is missing.
DECLARATIONS = {
    "carer_full_capacity": gettext_lazy("受委托人须具有完全民事行为能力（未成年人保护法第二十二条）。"),
    "carer_able_to_care": gettext_lazy("受委托人须具有照护能力（未成年人保护法第二十二条）。"),
    "no_harm_record": gettext_lazy(
        "曾实施性侵害、虐待、遗弃、拐卖、暴力伤害等违法犯罪行为的人不得作为受委托人（第二十二条第一项）；"
        "请核实并勾选确认。"
    ),
    "no_bad_habits": gettext_lazy(
        "有吸毒、酗酒、赌博等恶习的人不得作为受委托人（第二十二条第二项）；请核实并勾选确认。"
    ),
    "no_neglect_record": gettext_lazy(
        "曾拒不履行或长期怠于履行监护、照护职责的人不得作为受委托人（第二十二条第三项）；请核实并勾选确认。"
    ),
    "no_infectious_disease": gettext_lazy(
        "不得委托患有严重传染性疾病的人照护未成年人（第二十一条）；请核实并勾选确认。"
    ),
    "no_other_unsuitability": gettext_lazy(
        "有其他不适宜担任受委托人情形的人不得作为受委托人（第二十二条第四项）；请核实并勾选确认。"
    ),
}
PARENTS = {Carer.Relationship.FATHER, Carer.Relationship.MOTHER, Carer.Relationship.INSTITUTION}

FIELDS = [
    "father_name",
    "father_id_number",
    "father_phone",
    "father_work_place",
    "father_away_since",
    "father_expected_return",
    "mother_name",
    "mother_id_number",
    "mother_phone",
    "mother_work_place",
    "mother_away_since",
    "mother_expected_return",
    "reason_unable",
    "carer_name",
    "carer_id_number",
    "carer_relationship",
    "carer_phone",
    "carer_address",
    "carer_health",
    *DECLARATIONS,
    "period_start",
    "period_end",
    "carer_duties",
    "parent_duties",
    "school_notified_on",
    "village_notified_on",
]
DATE_FIELDS = {
    "father_away_since",
    "mother_away_since",
    "period_start",
    "period_end",
    "school_notified_on",
    "village_notified_on",
}


# ---------------------------------------------------------------------------------------------
# The checks


def agreement_problems(agreement: Agreement, *, today: datetime.date) -> dict[str, list[str]]:
    """Why the agreement cannot stand, per field ("__all__" for the whole); empty when it can."""
    child = agreement.child
    problems: dict[str, list[str]] = {}

    def add(field, message):
        problems.setdefault(field, []).append(str(message))

    if child.status != Child.Status.ACTIVE:
        add("__all__", _("该儿童已销档，不能再签订委托监护责任确认书。"))
    if not agreement.father_name.strip() and not agreement.mother_name.strip():
        add("__all__", _("至少填写一位委托人（外出务工的父亲或母亲）。"))
    for parent, label in (("father", _("父亲")), ("mother", _("母亲"))):
        if not getattr(agreement, f"{parent}_name").strip() and (
            getattr(agreement, f"{parent}_work_place") or getattr(agreement, f"{parent}_id_number")
        ):
            add(f"{parent}_name", _("填写了%(p)s的其他信息，请同时填写%(p)s姓名。") % {"p": label})

    # The entrusted carer: an adult with full capacity, not a parent, none of the exclusions.
    carer_birth = None
    if agreement.carer_id_number:
        try:
            carer_birth = parse_id_number(agreement.carer_id_number, today=today).birth_date
        except ValidationError as error:
            for message in error.messages:
                add("carer_id_number", message)
    else:
        add("carer_id_number", _("请填写受委托人的身份证号（用于核实其已成年）。"))
    first_day = min(d for d in (agreement.period_start, agreement.signed_on) if d) if agreement.period_start else None
    if carer_birth and first_day:
        adult_on = add_years(carer_birth, 18)
        if adult_on > first_day:
            add(
                "carer_id_number",
                _("受委托人在 %(day)s 未满18周岁（%(d)s 年满18周岁），不能作为受委托人。")
                % {"day": first_day.isoformat(), "d": adult_on.isoformat()},
            )
    if agreement.carer_id_number and agreement.carer_id_number == child.id_number:
        add("carer_id_number", _("受委托人不能是儿童本人。"))
    parent_ids = {agreement.father_id_number, agreement.mother_id_number} - {""}
    if agreement.carer_id_number in parent_ids or agreement.carer_relationship in PARENTS:
        add("carer_relationship", _("受委托人应是父母以外、实际照护儿童的成年人，不能是委托人本人或福利机构。"))
    for field, message in DECLARATIONS.items():
        if not getattr(agreement, field):
            add(field, message)

    # The period.
    start, end = agreement.period_start, agreement.period_end
    if start and end:
        if end <= start:
            add("period_end", _("委托终止日期应晚于起始日期。"))
        if start < child.birth_date:
            add("period_start", _("委托起始日期早于儿童出生日期。"))
        if end >= child.birthday(18):
            add(
                "period_end",
                _("委托终止日期应早于儿童年满18周岁之日（%(d)s）。") % {"d": child.birthday(18).isoformat()},
            )
    for field in ("school_notified_on", "village_notified_on", "signed_on"):
        day = getattr(agreement, field)
        if day and day > today:
            add(field, _("日期不能晚于今天。"))
    return problems


def _raise_if(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationError(problems)


def _overlapping(agreement: Agreement):
    return (
        Agreement.objects.signed()
        .filter(child=agreement.child, period_start__lte=agreement.period_end, period_end__gte=agreement.period_start)
        .exclude(pk=agreement.pk)
    )


# ---------------------------------------------------------------------------------------------
# Pre-filling


def initial_data(child: Child, *, today: datetime.date) -> dict:
    """A new agreement filled from the case file: parents working away, the primary carer, a year."""
    data: dict = {"period_start": today, "period_end": add_years(today, 1) - datetime.timedelta(days=1)}
    latest: dict[str, ParentSituation] = {}
    for record in child.parent_situations.all():
        known = latest.get(record.parent)
        later = known is None or (record.start_date, record.pk) > (known.start_date, known.pk)
        if record.start_date <= today and later:
            latest[record.parent] = record
    reasons = []
    for parent, record in latest.items():
        data[f"{parent}_name"] = record.name
        data[f"{parent}_id_number"] = record.id_number
        if record.situation == Situation.WORKING_AWAY:
            data[f"{parent}_work_place"] = record.work_place
            data[f"{parent}_away_since"] = record.start_date
            reasons.append(_("%(p)s外出务工") % {"p": record.get_parent_display()})
        elif record.situation != Situation.ALIVE_ABLE:
            reasons.append(_("%(p)s%(s)s") % {"p": record.get_parent_display(), "s": record.get_situation_display()})
    if reasons:
        data["reason_unable"] = _("、").join(reasons)
    # The last-used agreement's carer first, else the primary carer.
    carer = child.carers.filter(is_primary=True).first()
    if carer and carer.relationship not in PARENTS:
        data.update(
            carer_name=carer.name,
            carer_id_number=carer.id_number,
            carer_relationship=carer.relationship,
            carer_phone=carer.phone,
            carer_address=carer.address or child.current_address,
        )
        if carer.capacity == Carer.Capacity.FULL:
            data["carer_full_capacity"] = True
    return data


# ---------------------------------------------------------------------------------------------
# The writes


def _snapshot(agreement: Agreement) -> dict:
    """The audit trail's view of an agreement: ID numbers and phones masked, as everywhere."""
    values = snapshot(agreement, fields=set(FIELDS))
    for name in FIELDS:
        masker = mask_id_number if name.endswith("id_number") else mask_phone if name.endswith("phone") else None
        label = str(Agreement._meta.get_field(name).verbose_name)
        if masker and values.get(label):
            values[label] = masker(values[label])
    return values


def _carer_record(*, actor, child: Child, agreement: Agreement) -> Carer:
    """The child's primary carer becomes (or stays) the entrusted carer of the agreement."""
    carers = list(child.carers.all())
    same = next(
        (
            c
            for c in carers
            if (agreement.carer_id_number and c.id_number == agreement.carer_id_number)
            or (not c.id_number and c.name == agreement.carer_name)
        ),
        None,
    )
    data = {
        "name": agreement.carer_name,
        "id_number": agreement.carer_id_number,
        "relationship": agreement.carer_relationship,
        "capacity": Carer.Capacity.FULL,
        "is_primary": True,
    }
    if agreement.carer_phone:
        data["phone"] = agreement.carer_phone
    if agreement.carer_address:
        data["address"] = agreement.carer_address
    if same is None:
        data["note"] = _("受委托监护人")
    return save_carer(actor=actor, child=child, data=data, carer=same)


@transaction.atomic
def save_agreement(*, actor, child: Child, data: dict, agreement: Agreement | None = None) -> Agreement:
    """Create a draft agreement or change a draft: checked, the carer recorded, audited."""
    child = Child.objects.select_for_update().get(pk=child.pk)
    today = timezone.localdate()
    if agreement is not None:
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk, child=child)
        if agreement.status != Agreement.Status.DRAFT:
            raise ValidationError(_("已签订或已终止的确认书不能修改；如有变化请终止后重新签订。"))
        before = _snapshot(agreement)
    else:
        agreement, before = Agreement(child=child, created_by=actor), {}
    for name in FIELDS:
        if name in data:
            value = data[name]
            if value is None and name not in DATE_FIELDS:
                value = ""
            setattr(agreement, name, value)
    problems = agreement_problems(agreement, today=today)
    try:
        agreement.full_clean(exclude=["child", "carer", "scan", "created_by"], validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            known = problems.setdefault(field, [])
            known.extend(m for m in messages if m not in known)
    _raise_if(problems)
    agreement.carer = _carer_record(actor=actor, child=child, agreement=agreement)
    agreement.save()
    log_action(
        actor=actor,
        action=Action.UPDATE if before else Action.CREATE,
        obj=agreement,
        child=child,
        summary=_("填写委托监护责任确认书（受委托人：%(n)s）") % {"n": agreement.carer_name},
        changes=diff(before, _snapshot(agreement)),
    )
    return agreement


@transaction.atomic
def sign_agreement(
    *,
    actor,
    agreement: Agreement,
    signed_on: datetime.date,
    scan,
    school_notified_on: datetime.date | None = None,
    village_notified_on: datetime.date | None = None,
) -> Agreement:
    """Record the signed agreement: its scan (checked by the form like any child document) and the day."""
    agreement = Agreement.objects.select_for_update().select_related("child").get(pk=agreement.pk)
    Child.objects.select_for_update().get(pk=agreement.child_id)  # one signing at a time per child
    if agreement.status != Agreement.Status.DRAFT:
        raise ValidationError(_("这份确认书已经是“%(s)s”状态。") % {"s": agreement.get_status_display()})
    today = timezone.localdate()
    agreement.signed_on = signed_on
    if school_notified_on:
        agreement.school_notified_on = school_notified_on
    if village_notified_on:
        agreement.village_notified_on = village_notified_on
    problems = agreement_problems(agreement, today=today)
    if signed_on > agreement.period_end:
        problems.setdefault("signed_on", []).append(_("签订日期晚于委托终止日期。"))
    clash = _overlapping(agreement).first()
    if clash:
        problems.setdefault("__all__", []).append(
            _("该儿童 %(s)s 至 %(e)s 已有签订的确认书，期限不能重叠；请先终止原确认书或调整期限。")
            % {"s": clash.period_start.isoformat(), "e": clash.period_end.isoformat()}
        )
    _raise_if(problems)
    agreement.scan = add_document(
        actor=actor,
        child=agreement.child,
        kind=ChildDocument.Kind.GUARDIANSHIP_AGREEMENT,
        upload=scan,
        note=_("委托监护责任确认书（%(s)s 至 %(e)s）")
        % {"s": agreement.period_start.isoformat(), "e": agreement.period_end.isoformat()},
    )
    agreement.status = Agreement.Status.SIGNED
    agreement.save()
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=agreement,
        child=agreement.child,
        summary=_("委托监护责任确认书已签订（%(s)s 至 %(e)s，受委托人：%(n)s）")
        % {"s": agreement.period_start.isoformat(), "e": agreement.period_end.isoformat(), "n": agreement.carer_name},
        changes={
            str(_("状态")): [str(Agreement.Status.DRAFT.label), str(Agreement.Status.SIGNED.label)],
            str(_("签订日期")): [None, signed_on.isoformat()],
        },
    )
    return agreement


@transaction.atomic
def end_agreement(*, actor, agreement: Agreement, ended_on: datetime.date, reason: str, note: str = "") -> Agreement:
    """End an agreement early (parents home, carer unsuitable...) or discard a draft that was never signed."""
    agreement = Agreement.objects.select_for_update().select_related("child").get(pk=agreement.pk)
    if agreement.status == Agreement.Status.ENDED:
        raise ValidationError(_("这份确认书已于 %(d)s 终止。") % {"d": agreement.ended_on})
    if not reason:
        raise ValidationError({"reason": _("请选择终止原因。")})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("终止日期不能晚于今天。")})
    if agreement.status == Agreement.Status.SIGNED and ended_on < agreement.signed_on:
        raise ValidationError({"ended_on": _("终止日期不能早于签订日期 %(d)s。") % {"d": agreement.signed_on}})
    if reason == Agreement.EndReason.NOT_SIGNED and agreement.status != Agreement.Status.DRAFT:
        raise ValidationError({"reason": _("已签订的确认书不能作为草稿作废，请选择实际的终止原因。")})
    before = agreement.get_status_display()
    agreement.status, agreement.ended_on, agreement.end_reason, agreement.end_note = (
        Agreement.Status.ENDED,
        ended_on,
        reason,
        note,
    )
    if agreement.signed_on and ended_on < agreement.period_end:
        agreement.period_end = max(ended_on, agreement.period_start)
    agreement.save()
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=agreement,
        child=agreement.child,
        summary=_("终止委托监护责任确认书：%(r)s") % {"r": agreement.get_end_reason_display()},
        changes={
            str(_("状态")): [str(before), str(agreement.get_status_display())],
            str(_("终止日期")): [None, ended_on.isoformat()],
            **({str(_("说明")): [None, note]} if note else {}),
        },
    )
    return agreement


def record_print(*, actor, agreement: Agreement) -> None:
    """Printing the agreement puts the parents' and carer's ID numbers on paper: an export of personal data."""
    log_action(
        actor=actor,
        action=Action.EXPORT,
        obj=agreement,
        child=agreement.child,
        summary=_("打印委托监护责任确认书（含身份证号）"),
    )


# ---------------------------------------------------------------------------------------------
# Work to do and coverage


class State:
    """A left-behind child's agreement state on a day; the order is the work list's order."""

    MISSING = 1
    EXPIRED = 2
    EXPIRING = 3
    CURRENT = 4

    LABELS = {
        MISSING: gettext_lazy("未签订"),
        EXPIRED: gettext_lazy("已到期或已终止"),
        EXPIRING: gettext_lazy("即将到期"),
        CURRENT: gettext_lazy("有效"),
    }
    KEYS = {MISSING: "missing", EXPIRED: "expired", EXPIRING: "expiring", CURRENT: "current"}
    BY_KEY = {key: value for value, key in KEYS.items()}
    TODO = (MISSING, EXPIRED, EXPIRING)


def left_behind_children(children, day: datetime.date):
    """Active children among `children` holding an open rural left-behind classification."""
    open_left_behind = Classification.objects.open().filter(
        child=OuterRef("pk"), kind=ClassificationKind.LEFT_BEHIND, start_date__lte=day
    )
    return children.filter(Exists(open_left_behind), status=Child.Status.ACTIVE)


def with_agreement_state(children, day: datetime.date):
    """Annotate `agreement_state` (State), `covered_until`, `last_end` and `has_draft`, all in the database."""
    signed = Agreement.objects.signed().filter(child=OuterRef("pk"))
    current = signed.filter(period_start__lte=day, period_end__gte=day)
    soon = day + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    return children.annotate(
        covered_until=Subquery(current.order_by("-period_end").values("period_end")[:1]),
        last_end=Subquery(
            Agreement.objects.filter(child=OuterRef("pk"), signed_on__isnull=False)
            .order_by("-period_end")
            .values("period_end")[:1]
        ),
        renewed=Exists(signed.filter(period_start__gt=day)),
        ever_signed=Exists(Agreement.objects.filter(child=OuterRef("pk"), signed_on__isnull=False)),
        has_draft=Exists(Agreement.objects.filter(child=OuterRef("pk"), status=Agreement.Status.DRAFT)),
    ).annotate(
        agreement_state=Case(
            When(covered_until__gt=soon, then=Value(State.CURRENT)),
            When(covered_until__isnull=False, renewed=True, then=Value(State.CURRENT)),
            When(covered_until__isnull=False, then=Value(State.EXPIRING)),
            When(ever_signed=True, then=Value(State.EXPIRED)),
            default=Value(State.MISSING),
            output_field=IntegerField(),
        )
    )


@dataclasses.dataclass
class Coverage:
    left_behind: int
    covered: int
    counts: dict  # state key -> children

    @property
    def percent(self) -> int | None:
        return round(self.covered * 100 / self.left_behind) if self.left_behind else None

    @property
    def todo(self) -> int:
        return sum(self.counts[State.KEYS[s]] for s in State.TODO)


def coverage(children, day: datetime.date) -> Coverage:
    """Signed, current agreements over left-behind children, among `children` (already scoped)."""
    rows = with_agreement_state(left_behind_children(children, day), day)
    grouped = dict(rows.values_list("agreement_state").annotate(n=Count("pk")).order_by())
    counts = {key: grouped.get(value, 0) for value, key in State.KEYS.items()}
    covered = counts["current"] + counts["expiring"]
    return Coverage(left_behind=sum(counts.values()), covered=covered, counts=counts)


def state_filter(state_key: str) -> Q:
    if state_key == "todo":
        return Q(agreement_state__in=State.TODO)
    return Q(agreement_state=State.BY_KEY[state_key])
