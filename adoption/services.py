"""Every write of an adoption case: one transaction each, with its step and its audit entry.

The workflow (DOMAIN.md 3):

    申请 application → 初审 review → 收养评估 assessment → 融合期 integration → 登记审查 decision
        → 已登记 registered | 不予登记 refused;   any open state → 已撤回 withdrawn

A move checks the state it starts from (a step cannot be skipped or repeated) and what the next state
needs (`gaps`); the case page lists the same gaps as "what is missing".
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from children.idnumbers import mask_id_number, mask_phone, normalize_id_number, parse_id_number
from children.models import Child
from dingzhou_welfare.access import role_of
from dingzhou_welfare.audit import diff, log_action, snapshot
from dingzhou_welfare.models import AuditEntry, Role

from .eligibility import FAIL, PENDING, check_case
from .models import (
    CAPACITY_DIMENSIONS,
    CONSENT_AGE,
    INTEGRATION_MIN_DAYS,
    OPEN_STATES,
    AdoptionCase,
    Applicant,
    Assessment,
    CaseDocument,
    CertificateCounter,
    Dimension,
    Finding,
    RedFlag,
    State,
    Step,
)

Action = AuditEntry.Action
Kind = CaseDocument.Kind
Party = CaseDocument.Party

# Which states each move starts from, and where it leads.
TRANSITIONS = {
    "submit": ((State.APPLICATION,), State.REVIEW),
    "start_assessment": ((State.REVIEW,), State.ASSESSMENT),
    "start_integration": ((State.ASSESSMENT,), State.INTEGRATION),
    "complete_assessment": ((State.INTEGRATION,), State.DECISION),
    "register": ((State.DECISION,), State.REGISTERED),
    "refuse": ((State.REVIEW, State.ASSESSMENT, State.INTEGRATION, State.DECISION), State.REFUSED),
    "withdraw": (OPEN_STATES, State.WITHDRAWN),
}
# The move that takes a case one state further along its path.
NEXT_MOVE = {
    State.APPLICATION: "submit",
    State.REVIEW: "start_assessment",
    State.ASSESSMENT: "start_integration",
    State.INTEGRATION: "complete_assessment",
    State.DECISION: "register",
}
# Parties' documents needed before the application is accepted (收养登记工作规范).
APPLICANT_DOCUMENTS = (Kind.HUKOU_ID, Kind.MARRIAGE, Kind.CHILDREN_STATEMENT, Kind.HEALTH)
PLACER_DOCUMENTS = (Kind.PLACER_ID, Kind.PLACER_CONSENT)
CHILD_DOCUMENTS = {
    AdoptionCase.Origin.INSTITUTION: (Kind.ADMISSION,),
    AdoptionCase.Origin.FOUNDLING: (Kind.ADMISSION,),
    AdoptionCase.Origin.GUARDIAN: (Kind.PARENTS_PROOF,),
}
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


def _today() -> datetime.date:
    return timezone.localdate()


def _not_after_today(field: str, day: datetime.date, label: str) -> None:
    if day > _today():
        raise ValidationError({field: _("%(l)s不能晚于今天。") % {"l": label}})


def _locked(case: AdoptionCase, move: str) -> AdoptionCase:
    """The case, locked, if `move` may start from its current state."""
    locked = AdoptionCase.objects.select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    sources, _target = TRANSITIONS[move]
    if locked.state not in sources:
        raise ValidationError(
            _("案件当前为“%(s)s”，不能进行此操作。") % {"s": locked.get_state_display()}, code="wrong_state"
        )
    return locked


def _move(*, actor, case: AdoptionCase, move: str, note: str = "", changes: dict | None = None) -> AdoptionCase:
    old = case.state
    case.state = TRANSITIONS[move][1]
    case.save()
    Step.objects.create(case=case, from_state=old, to_state=case.state, actor=actor, note=note[:300])
    log_action(
        actor=actor,
        action=Action.DECISION,
        obj=case,
        child=case.child,
        summary=_("收养案件 %(n)s：%(a)s → %(b)s")
        % {"n": case.number, "a": State(old).label, "b": case.get_state_display()},
        changes={str(_("状态")): [str(State(old).label), str(case.get_state_display())], **(changes or {})},
    )
    return case


def _assessment(case: AdoptionCase) -> Assessment | None:
    try:
        return case.assessment
    except Assessment.DoesNotExist:
        return None


# ---------------------------------------------------------------------------------------------
# What a case still lacks


def document_gaps(case: AdoptionCase) -> list[str]:
    have = {(d.party, d.applicant_id, d.kind) for d in case.documents.all()}
    gaps = []
    for applicant in case.applicants.all():
        for kind in APPLICANT_DOCUMENTS:
            if (Party.APPLICANT, applicant.pk, kind) not in have:
                gaps.append(_("收养人%(n)s：%(k)s") % {"n": applicant.name, "k": Kind(kind).label})
    for kind in PLACER_DOCUMENTS:
        if (Party.PLACER, None, kind) not in have:
            gaps.append(_("送养人：%(k)s") % {"k": Kind(kind).label})
    for kind in CHILD_DOCUMENTS[case.origin]:
        if (Party.CHILD, None, kind) not in have:
            gaps.append(_("被收养人：%(k)s") % {"k": Kind(kind).label})
    return gaps


def gaps(case: AdoptionCase, move: str, *, day: datetime.date | None = None) -> list[str]:
    """What the stored case lacks before `move` (dates and choices made on the step's own form aside)."""
    day = day or _today()
    missing: list[str] = []
    if move == "submit":
        if not case.applicants.exists():
            missing.append(_("登记至少一名收养人"))
        missing += [_("材料：%(d)s") % {"d": gap} for gap in document_gaps(case)]
    elif move == "start_assessment":
        checks = check_case(case, day=day)
        missing += [_("不符合%(a)s条：%(r)s") % {"a": c.article, "r": c.reason} for c in checks if c.status == FAIL]
        missing += [
            _("初审确认收养人%(n)s是否有抚养、教育和保护被收养人的能力") % {"n": a.name}
            for a in case.applicants.all()
            if a.able_to_raise is None
        ]
    elif move == "start_integration":
        assessment = _assessment(case)
        have = set(assessment.findings.values_list("dimension", flat=True)) if assessment else set()
        missing += [
            _("评估内容：%(d)s") % {"d": Dimension(d).label} for d in CAPACITY_DIMENSIONS if d.value not in have
        ]
    elif move == "complete_assessment":
        if case.integration_start and day < case.integration_earliest_end:
            missing.append(
                _("融合期不少于%(n)d日：最早 %(d)s 结束")
                % {"n": INTEGRATION_MIN_DAYS, "d": case.integration_earliest_end.isoformat()}
            )
    elif move == "register":
        missing += registration_gaps(case, day)
    return missing


def registration_gaps(case: AdoptionCase, day: datetime.date) -> list[str]:
    missing = []
    assessment = _assessment(case)
    if assessment is None or assessment.conclusion != Assessment.Conclusion.SUITABLE:
        missing.append(_("收养评估结论须为“适合收养”"))
    elif assessment.red_flags:
        missing.append(_("评估发现须报告的情形：%(f)s") % {"f": _("；").join(assessment.red_flag_labels())})
    if case.needs_notice:
        if case.notice_published_on is None:
            missing.append(_("弃婴须发布寻亲公告，公告期满60日后方可登记"))
        elif day < case.notice_ends_on:
            missing.append(_("寻亲公告期未满：%(d)s 期满（公告期60日）") % {"d": case.notice_ends_on.isoformat()})
    for check in check_case(case, day=day):
        if check.status in (FAIL, PENDING):
            prefix = _("不符合") if check.status == FAIL else _("待补充")
            missing.append(_("%(p)s（第%(a)s条）：%(r)s") % {"p": prefix, "a": check.article, "r": check.reason})
    if case.child.status != Child.Status.ACTIVE:
        missing.append(_("被收养人档案已销档"))
    return missing


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
    today = _today()
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
    """Store an upload already checked by children.forms.validate_upload (size, type, magic bytes)."""
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


def record_download(*, actor, document: CaseDocument) -> None:
    log_action(
        actor=actor,
        action=Action.DOWNLOAD,
        obj=document,
        child=document.case.child,
        summary=_("查看收养材料：%(n)s") % {"n": document.original_name},
    )


def record_print(*, actor, case: AdoptionCase, what: str) -> None:
    """A printed document carries personal data in full: the print is an export, and audited."""
    log_action(
        actor=actor,
        action=Action.EXPORT,
        obj=case,
        child=case.child,
        summary=_("打印%(w)s（案件 %(n)s）") % {"w": what, "n": case.number},
    )


def record_reveal(*, actor, case: AdoptionCase) -> None:
    log_action(
        actor=actor,
        action=Action.REVEAL,
        obj=case,
        child=case.child,
        summary=_("查看收养当事人完整身份证号（案件 %(n)s）") % {"n": case.number},
    )


# ---------------------------------------------------------------------------------------------
# The steps


@transaction.atomic
def submit_application(*, actor, case: AdoptionCase, note: str = "") -> AdoptionCase:
    """受理: the application is complete and goes to review (初审)."""
    case = _locked(case, "submit")
    missing = gaps(case, "submit")
    if missing:
        raise ValidationError(missing)
    return _move(actor=actor, case=case, move="submit", note=note or _("受理申请，进入初审"))


def _assessor_problems(mode, assessors, third_party_name, third_party_agreement, third_party_assessors) -> dict:
    errors = {}
    if mode == Assessment.Mode.TEAM:
        people = {a.pk: a for a in assessors}
        if len(people) < 2:
            errors["assessors"] = _("评估小组至少由两名工作人员组成。")
        not_staff = [a.get_full_name() or a.username for a in people.values() if role_of(a) != Role.STAFF]
        if not_staff:
            errors["assessors"] = _("评估人员须为民政局儿童福利股工作人员：%(n)s 不是。") % {
                "n": _("、").join(not_staff)
            }
    else:
        if not third_party_name.strip():
            errors["third_party_name"] = _("请填写受委托的第三方机构名称。")
        if not third_party_agreement.strip():
            errors["third_party_agreement"] = _("请填写书面委托协议编号。")
        names = [n for n in third_party_assessors.replace(",", "、").replace("，", "、").split("、") if n.strip()]
        if len(names) < 2:
            errors["third_party_assessors"] = _("第三方机构至少派两名评估人员，请用顿号分隔填写。")
    return errors


@transaction.atomic
def start_assessment(
    *,
    actor,
    case: AdoptionCase,
    notified_on: datetime.date,
    mode: str,
    assessors=(),
    third_party_name: str = "",
    third_party_agreement: str = "",
    third_party_assessors: str = "",
    note: str = "",
) -> AdoptionCase:
    """初审通过, and the applicants are told in writing that the assessment begins (评估告知)."""
    case = _locked(case, "start_assessment")
    _not_after_today("notified_on", notified_on, _("书面告知日期"))
    if notified_on < case.applied_on:
        raise ValidationError({"notified_on": _("书面告知日期不能早于申请日期 %(d)s。") % {"d": case.applied_on}})
    errors = _assessor_problems(mode, assessors, third_party_name, third_party_agreement, third_party_assessors)
    if errors:
        raise ValidationError(errors)
    missing = gaps(case, "start_assessment", day=notified_on)
    if missing:
        raise ValidationError(missing)
    assessment = Assessment.objects.create(
        case=case,
        mode=mode,
        third_party_name=third_party_name.strip() if mode == Assessment.Mode.THIRD_PARTY else "",
        third_party_agreement=third_party_agreement.strip() if mode == Assessment.Mode.THIRD_PARTY else "",
        third_party_assessors=third_party_assessors.strip() if mode == Assessment.Mode.THIRD_PARTY else "",
    )
    if mode == Assessment.Mode.TEAM:
        assessment.assessors.set(assessors)
        who = _("、").join(a.get_full_name() or a.username for a in assessors)
    else:
        who = f"{assessment.third_party_name}（{assessment.third_party_assessors}）"
    case.notified_on = notified_on
    return _move(
        actor=actor,
        case=case,
        move="start_assessment",
        note=note or _("初审通过，%(d)s 书面告知开展收养评估") % {"d": notified_on.isoformat()},
        changes={str(_("评估人员")): [None, who], str(_("书面告知评估日期")): [None, notified_on.isoformat()]},
    )


@transaction.atomic
def record_findings(*, actor, case: AdoptionCase, findings: dict) -> list[Finding]:
    """The assessors' findings per dimension; the integration dimension only once the integration began."""
    case = AdoptionCase.objects.select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    if case.state not in (State.ASSESSMENT, State.INTEGRATION):
        raise ValidationError(
            _("只有评估期间可以填写评估内容（案件当前为“%(s)s”）。") % {"s": case.get_state_display()}
        )
    assessment = case.assessment
    saved, changes = [], {}
    for dimension, text in findings.items():
        text = (text or "").strip()
        if not text:
            continue
        if dimension == Dimension.INTEGRATION and case.state != State.INTEGRATION:
            raise ValidationError({dimension: _("融合情况在融合期开始后填写。")})
        finding = Finding.objects.filter(assessment=assessment, dimension=dimension).first()
        old = finding.finding if finding else None
        if finding is None:
            finding = Finding(assessment=assessment, dimension=dimension)
        if old == text:
            continue
        finding.finding, finding.recorded_by = text, actor
        finding.full_clean(exclude=["assessment", "recorded_by"])
        finding.save()
        saved.append(finding)
        changes[str(Dimension(dimension).label)] = [old, text]
    if changes:
        log_action(
            actor=actor,
            action=Action.UPDATE,
            obj=assessment,
            child=case.child,
            summary=_("收养评估内容（案件 %(n)s）") % {"n": case.number},
            changes=changes,
        )
    return saved


@transaction.atomic
def start_integration(*, actor, case: AdoptionCase, start: datetime.date, note: str = "") -> AdoptionCase:
    """The capacity assessment is done; the child starts living with the applicants (融合期)."""
    case = _locked(case, "start_integration")
    _not_after_today("start", start, _("融合期开始日期"))
    if start < case.notified_on:
        raise ValidationError({"start": _("融合期不能早于书面告知评估日期 %(d)s。") % {"d": case.notified_on}})
    missing = gaps(case, "start_integration")
    if missing:
        raise ValidationError(missing)
    case.integration_start = start
    return _move(
        actor=actor,
        case=case,
        move="start_integration",
        note=note or _("融合期自 %(d)s 开始") % {"d": start.isoformat()},
        changes={str(_("融合期开始")): [None, start.isoformat()]},
    )


@transaction.atomic
def complete_assessment(
    *,
    actor,
    case: AdoptionCase,
    integration_end: datetime.date,
    integration_finding: str,
    report_date: datetime.date,
    conclusion: str,
    conclusion_note: str,
    red_flags=(),
    red_flag_note: str = "",
) -> AdoptionCase:
    """The integration period ends (at least 30 days) and the assessors sign the report."""
    case = _locked(case, "complete_assessment")
    errors = {}
    earliest = case.integration_earliest_end
    if integration_end > _today():
        errors["integration_end"] = _("融合期结束日期不能晚于今天。")
    elif integration_end < earliest:
        errors["integration_end"] = _("融合期不少于%(n)d日：自 %(s)s 开始，最早 %(d)s 结束。") % {
            "n": INTEGRATION_MIN_DAYS,
            "s": case.integration_start.isoformat(),
            "d": earliest.isoformat(),
        }
    if report_date > _today():
        errors["report_date"] = _("评估报告日期不能晚于今天。")
    elif report_date < integration_end:
        errors["report_date"] = _("评估报告日期不能早于融合期结束日期。")
    if not integration_finding.strip():
        errors["integration_finding"] = _("请填写与被收养人融合情况。")
    if conclusion not in Assessment.Conclusion.values:
        errors["conclusion"] = _("请选择评估结论。")
    if not conclusion_note.strip():
        errors["conclusion_note"] = _("请写明结论意见。")
    unknown = [f for f in red_flags if f not in RedFlag.values]
    if unknown:
        errors["red_flags"] = _("未知的情形：%(f)s") % {"f": "、".join(unknown)}
    elif red_flags:
        if conclusion == Assessment.Conclusion.SUITABLE:
            errors["conclusion"] = _("发现须报告的情形时，评估结论不能为“适合收养”。")
        if not red_flag_note.strip():
            errors["red_flag_note"] = _("发现须报告的情形时，须写明具体情况，并及时报告民政部门。")
    if errors:
        raise ValidationError(errors)
    record_findings(actor=actor, case=case, findings={Dimension.INTEGRATION: integration_finding})
    assessment = case.assessment
    have = set(assessment.findings.values_list("dimension", flat=True))
    missing = [str(Dimension(d).label) for d in Dimension if d.value not in have]
    if missing:
        raise ValidationError(_("评估内容未填写完整：%(d)s") % {"d": "、".join(missing)})
    assessment.red_flags = [f for f in RedFlag.values if f in red_flags]
    assessment.red_flag_note = red_flag_note.strip()
    assessment.conclusion, assessment.conclusion_note = conclusion, conclusion_note.strip()
    assessment.report_date = report_date
    assessment.save()
    if assessment.red_flags:
        log_action(
            actor=actor,
            action=Action.DECISION,
            obj=assessment,
            child=case.child,
            summary=_("收养评估发现须报告的情形：%(f)s") % {"f": "；".join(assessment.red_flag_labels())},
            changes={str(_("情形说明")): [None, assessment.red_flag_note]},
        )
    case.integration_end = integration_end
    return _move(
        actor=actor,
        case=case,
        move="complete_assessment",
        note=_("融合期 %(s)s 至 %(e)s；评估结论：%(c)s")
        % {
            "s": case.integration_start.isoformat(),
            "e": integration_end.isoformat(),
            "c": assessment.get_conclusion_display(),
        },
        changes={
            str(_("融合期结束")): [None, integration_end.isoformat()],
            str(_("评估结论")): [None, str(assessment.get_conclusion_display())],
        },
    )


@transaction.atomic
def record_notice(*, actor, case: AdoptionCase, published_on: datetime.date, medium: str) -> AdoptionCase:
    """The public search notice for a foundling (寻亲公告); registration waits 60 days after it."""
    case = AdoptionCase.objects.select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    if not case.needs_notice:
        raise ValidationError(_("只有查找不到生父母的弃婴、儿童（非机构）须发布寻亲公告。"))
    if case.state not in (State.REVIEW, State.ASSESSMENT, State.INTEGRATION, State.DECISION):
        raise ValidationError(
            _("案件受理后、登记前登记寻亲公告（案件当前为“%(s)s”）。") % {"s": case.get_state_display()}
        )
    _not_after_today("published_on", published_on, _("公告发布日期"))
    if published_on < case.applied_on:
        raise ValidationError({"published_on": _("公告发布日期不能早于申请日期 %(d)s。") % {"d": case.applied_on}})
    if not medium.strip():
        raise ValidationError({"medium": _("请填写公告刊登的报纸或网站。")})
    before = snapshot(case, fields={"notice_published_on", "notice_medium"})
    case.notice_published_on, case.notice_medium = published_on, medium.strip()
    case.save()
    log_action(
        actor=actor,
        action=Action.UPDATE,
        obj=case,
        child=case.child,
        summary=_("寻亲公告：%(d)s 发布，%(e)s 期满")
        % {"d": published_on.isoformat(), "e": case.notice_ends_on.isoformat()},
        changes=diff(before, snapshot(case, fields={"notice_published_on", "notice_medium"})),
    )
    return case


def certificate_number(year: int) -> str:
    """The next 收养登记证 number of the year: the counter row is locked until the registration commits.

    A registration that fails rolls the counter back with it, so a number is never handed out twice
    and never skipped by an error; two registrations at once queue on the row.
    """
    counter, _created = CertificateCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.BUREAU_DIVISION_CODE}-{year}-{counter.last:05d}"


@transaction.atomic
def register_adoption(*, actor, case: AdoptionCase, registered_on: datetime.date, note: str = "") -> AdoptionCase:
    """收养登记: the adoption takes effect this day (民法典 1105).

    The child leaves the active registry (销档, reason 被收养): every open classification ends that day
    and every enrolment is ended with the reason 'adopted', so payment stops from the following month.
    """
    from children.services import close_child

    case = _locked(case, "register")
    _not_after_today("registered_on", registered_on, _("登记日期"))
    if registered_on < case.integration_end:
        raise ValidationError(
            {"registered_on": _("登记日期不能早于融合期结束日期 %(d)s。") % {"d": case.integration_end.isoformat()}}
        )
    missing = registration_gaps(case, registered_on)
    if missing:
        raise ValidationError(missing)
    number = certificate_number(registered_on.year)
    case.registered_on, case.certificate_number = registered_on, number
    _move(
        actor=actor,
        case=case,
        move="register",
        note=note or _("准予登记，收养登记证号 %(c)s") % {"c": number},
        changes={str(_("登记日期")): [None, registered_on.isoformat()], str(_("收养登记证号")): [None, number]},
    )
    close_child(
        actor=actor,
        child=case.child,
        reason=Child.ClosedReason.ADOPTED,
        closed_on=registered_on,
        note=_("收养登记证号 %(c)s") % {"c": number},
    )
    return case


@transaction.atomic
def refuse_registration(*, actor, case: AdoptionCase, reason: str) -> AdoptionCase:
    """不予登记, with the reasons the applicants are told."""
    if not reason.strip():
        raise ValidationError({"reason": _("请写明不予登记的理由。")})
    case = _locked(case, "refuse")
    case.refusal_reason = reason.strip()
    return _move(actor=actor, case=case, move="refuse", note=reason, changes={str(_("理由")): [None, reason.strip()]})


@transaction.atomic
def withdraw_case(*, actor, case: AdoptionCase, reason: str) -> AdoptionCase:
    """The applicants withdraw their application."""
    if not reason.strip():
        raise ValidationError({"reason": _("请写明撤回原因。")})
    case = _locked(case, "withdraw")
    case.withdrawal_reason = reason.strip()[:300]
    return _move(actor=actor, case=case, move="withdraw", note=reason, changes={str(_("原因")): [None, reason.strip()]})
