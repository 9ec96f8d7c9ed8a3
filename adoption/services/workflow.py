"""The workflow of a case: which move starts from which state, the move itself, and what each move needs.

A move checks the state it starts from (a step cannot be skipped or repeated) and what the next state
needs (`gaps`); the case page lists the same gaps as "what is missing".
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Child
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import AuditEntry

from ..eligibility import FAIL, PENDING, check_case
from ..models import (
    CAPACITY_DIMENSIONS,
    INTEGRATION_MIN_DAYS,
    OPEN_STATES,
    AdoptionCase,
    Assessment,
    CaseDocument,
    Dimension,
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


def local_today() -> datetime.date:
    return timezone.localdate()


def not_after_today(field: str, day: datetime.date, label: str) -> None:
    if day > local_today():
        raise ValidationError({field: _("%(l)s不能晚于今天。") % {"l": label}})


def lock_for_move(case: AdoptionCase, move: str) -> AdoptionCase:
    """The case, locked, if `move` may start from its current state."""
    locked = AdoptionCase.objects.select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    sources, _target = TRANSITIONS[move]
    if locked.state not in sources:
        raise ValidationError(
            _("案件当前为“%(s)s”，不能进行此操作。") % {"s": locked.get_state_display()}, code="wrong_state"
        )
    return locked


def make_move(*, actor, case: AdoptionCase, move: str, note: str = "", changes: dict | None = None) -> AdoptionCase:
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


def assessment_of(case: AdoptionCase) -> Assessment | None:
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
    day = day or local_today()
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
        assessment = assessment_of(case)
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
    assessment = assessment_of(case)
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
