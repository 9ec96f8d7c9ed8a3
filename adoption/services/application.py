"""The application (申请) and its parties: the case, the applicants (收养人), their documents; 受理."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from children.models import Child
from dingzhou_welfare.audit import diff, log_action, snapshot
from dingzhou_welfare.idnumbers import mask_id_number, mask_phone, normalize_id_number, parse_id_number

from ..models import (
    CONSENT_AGE,
    AdoptionCase,
    Applicant,
    CaseDocument,
    State,
    Step,
)
from .workflow import Action, Party, gaps, local_today, lock_for_move, make_move

# Fields of the case the clerk may still correct while it is open.
CASE_FIELDS = [
    "origin",
    "parents_unknown",
    "collateral_relative",
    "applied_on",
    "placer_kind",
    "placer_name",
    "placer_id_number",
    "placer_address",
    "placer_phone",
    "placer_consent_on",
    "child_consent_on",
    "note",
]
APPLICANT_FIELDS = [
    "name",
    "id_number",
    "phone",
    "address",
    "occupation",
    "marital_status",
    "children_count",
    "health",
    "health_note",
    "annual_income",
    "housing",
    "housing_area",
    "record",
    "able_to_raise",
]


# ---------------------------------------------------------------------------------------------
# The application and its parties


def _case_snapshot(case: AdoptionCase) -> dict:
    """The case's fields for the audit trail, the placer's ID number and phone masked like the registry's."""
    masked = {"placer_id_number": mask_id_number, "placer_phone": mask_phone}
    values = snapshot(case, fields=set(CASE_FIELDS) - set(masked))
    for name, mask in masked.items():
        values[str(AdoptionCase._meta.get_field(name).verbose_name)] = mask(getattr(case, name))
    return values


def _clean_case(case: AdoptionCase) -> None:
    case.placer_id_number = normalize_id_number(case.placer_id_number)
    case.full_clean(exclude=["child", "created_by"])
    errors = {}
    today = local_today()
    for field, label in (
        ("applied_on", _("申请日期")),
        ("placer_consent_on", _("送养人同意日期")),
        ("child_consent_on", _("被收养人同意日期")),
    ):
        value = getattr(case, field)
        if value and value > today:
            errors[field] = _("%(l)s不能晚于今天。") % {"l": label}
    if case.child_consent_on and case.child.age_on(case.child_consent_on) < CONSENT_AGE:
        errors["child_consent_on"] = _("被收养人当时未满八周岁，无需也不能以其同意为准。")
    if case.placer_kind != AdoptionCase.PlacerKind.INSTITUTION and not case.placer_id_number:
        errors["placer_id_number"] = _("个人送养须填写送养人身份证号。")
    if case.origin == AdoptionCase.Origin.FOUNDLING:
        case.parents_unknown = True
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def open_case(*, actor, child: Child, data: dict) -> AdoptionCase:
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.status != Child.Status.ACTIVE:
        raise ValidationError(_("%(n)s 的档案已销档，不能办理收养。") % {"n": child.name})
    if AdoptionCase.objects.open().filter(child=child).exists():
        raise ValidationError(_("%(n)s 已有正在办理的收养案件。") % {"n": child.name})
    case = AdoptionCase(child=child, created_by=actor, **{f: data[f] for f in CASE_FIELDS if f in data})
    _clean_case(case)
    case.save()
    Step.objects.create(case=case, from_state="", to_state=State.APPLICATION, actor=actor, note=_("收养申请"))
    log_action(
        actor=actor,
        action=Action.CREATE,
        obj=case,
        child=child,
        summary=_("收养申请：案件 %(n)s") % {"n": case.number},
        changes=diff({}, _case_snapshot(case)),
    )
    return case


@transaction.atomic
def update_case(*, actor, case: AdoptionCase, data: dict) -> AdoptionCase:
    case = AdoptionCase.objects.select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(_("案件已办结（%(s)s），不能再修改。") % {"s": case.get_state_display()})
    before = _case_snapshot(case)
    if case.state != State.APPLICATION and "applied_on" in data and data["applied_on"] != case.applied_on:
        raise ValidationError({"applied_on": _("案件受理后不能修改申请日期。")})
    if case.state != State.APPLICATION and "origin" in data and data["origin"] != case.origin:
        raise ValidationError({"origin": _("案件受理后不能修改被收养人来源。")})
    for field in CASE_FIELDS:
        if field in data:
            setattr(case, field, data[field])
    _clean_case(case)
    case.save()
    changes = diff(before, _case_snapshot(case))
    if changes:
        log_action(
            actor=actor,
            action=Action.UPDATE,
            obj=case,
            child=case.child,
            summary=_("修改收养案件 %(n)s") % {"n": case.number},
            changes=changes,
        )
    return case


@transaction.atomic
def save_applicant(*, actor, case: AdoptionCase, data: dict, applicant: Applicant | None = None) -> Applicant:
    """Add a 收养人 (at most two) or correct one; only before the assessment starts."""
    case = AdoptionCase.objects.select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    if case.state not in (State.APPLICATION, State.REVIEW):
        raise ValidationError(_("收养评估开始后不能再修改收养人信息。"))
    before = snapshot(Applicant.objects.get(pk=applicant.pk)) if applicant else {}
    if applicant is None:
        taken = set(case.applicants.values_list("position", flat=True))
        free = [p for p in (1, 2) if p not in taken]
        if not free:
            raise ValidationError(_("收养人最多两名（夫妻共同收养）。"))
        applicant = Applicant(case=case, position=free[0])
    for field in APPLICANT_FIELDS:
        if field in data:
            setattr(applicant, field, data[field])
    applicant.id_number = normalize_id_number(applicant.id_number)
    info = parse_id_number(applicant.id_number) if applicant.id_number else None
    if info is None:
        raise ValidationError({"id_number": _("请填写收养人的身份证号。")})
    applicant.birth_date, applicant.sex = info.birth_date, info.sex
    if case.applicants.exclude(pk=applicant.pk).filter(id_number=applicant.id_number).exists():
        raise ValidationError({"id_number": _("该身份证号已登记为本案的另一名收养人。")})
    applicant.full_clean()
    applicant.save()
    changes = diff(before, snapshot(applicant))
    if changes:
        log_action(
            actor=actor,
            action=Action.UPDATE if before else Action.CREATE,
            obj=applicant,
            child=case.child,
            summary=_("收养人：%(n)s（案件 %(c)s）") % {"n": applicant.name, "c": case.number},
            changes=changes,
        )
    return applicant


@transaction.atomic
def add_document(
    *, actor, case: AdoptionCase, party: str, kind: str, upload, applicant: Applicant | None = None, note: str = ""
) -> CaseDocument:
    """Store an upload already checked by children.forms.validate_upload (size, type, opened and re-encoded)."""
    if party == Party.APPLICANT and (applicant is None or applicant.case_id != case.pk):
        raise ValidationError({"applicant": _("请选择这份材料属于哪一名收养人。")})
    if party != Party.APPLICANT:
        applicant = None
    document = CaseDocument(
        case=case,
        party=party,
        applicant=applicant,
        kind=kind,
        file=upload,
        original_name=upload.name[:200],
        content_type=upload.content_type,
        size=upload.size,
        note=note,
        uploaded_by=actor,
    )
    document.save()
    who = applicant.name if applicant else document.get_party_display()
    log_action(
        actor=actor,
        action=Action.UPLOAD,
        obj=document,
        child=case.child,
        summary=_("收养材料（%(w)s）：%(k)s %(n)s")
        % {"w": who, "k": document.get_kind_display(), "n": document.original_name},
    )
    return document


# ---------------------------------------------------------------------------------------------
# 受理: the complete application goes to review


@transaction.atomic
def submit_application(*, actor, case: AdoptionCase, note: str = "") -> AdoptionCase:
    """受理: the application is complete and goes to review (初审)."""
    case = lock_for_move(case, "submit")
    missing = gaps(case, "submit")
    if missing:
        raise ValidationError(missing)
    return make_move(actor=actor, case=case, move="submit", note=note or _("受理申请，进入初审"))
