"""The assessment (收养评估): 初审 and the written notice, the findings, the integration period (融合期), the report."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dingzhou_welfare.access import role_of
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import Role

from ..models import (
    INTEGRATION_MIN_DAYS,
    AdoptionCase,
    Assessment,
    Dimension,
    Finding,
    RedFlag,
    State,
)
from .workflow import (
    Action,
    gaps,
    local_today,
    lock_for_move,
    make_move,
    not_after_today,
)


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
    case = lock_for_move(case, "start_assessment")
    not_after_today("notified_on", notified_on, _("书面告知日期"))
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
    return make_move(
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
    case = lock_for_move(case, "start_integration")
    not_after_today("start", start, _("融合期开始日期"))
    if start < case.notified_on:
        raise ValidationError({"start": _("融合期不能早于书面告知评估日期 %(d)s。") % {"d": case.notified_on}})
    missing = gaps(case, "start_integration")
    if missing:
        raise ValidationError(missing)
    case.integration_start = start
    return make_move(
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
    case = lock_for_move(case, "complete_assessment")
    errors = {}
    earliest = case.integration_earliest_end
    if integration_end > local_today():
        errors["integration_end"] = _("融合期结束日期不能晚于今天。")
    elif integration_end < earliest:
        errors["integration_end"] = _("融合期不少于%(n)d日：自 %(s)s 开始，最早 %(d)s 结束。") % {
            "n": INTEGRATION_MIN_DAYS,
            "s": case.integration_start.isoformat(),
            "d": earliest.isoformat(),
        }
    if report_date > local_today():
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
    return make_move(
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
