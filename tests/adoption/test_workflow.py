"""The workflow as a state machine: every move from where it may start, and refused from everywhere else."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from adoption import services
from adoption.models import AdoptionCase, Assessment, State, Step
from dingzhou_welfare.models import AuditEntry, Role
from tests.factories import ChildFactory, make_user

from .conftest import FINDINGS, applicant_data, make_case

D = datetime.date.fromisoformat
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def colleague(db):
    return make_user("colleague", Role.STAFF)


def _calls(colleague):
    """Each move with arguments that would pass if the state allowed it."""
    return {
        "submit": lambda case, actor: services.submit_application(actor=actor, case=case),
        "start_assessment": lambda case, actor: services.start_assessment(
            actor=actor, case=case, notified_on=D("2026-05-01"), mode="team", assessors=[actor, colleague]
        ),
        "start_integration": lambda case, actor: services.start_integration(
            actor=actor, case=case, start=D("2026-05-01")
        ),
        "complete_assessment": lambda case, actor: services.complete_assessment(
            actor=actor,
            case=case,
            integration_end=D("2026-05-31"),
            integration_finding="融洽",
            report_date=D("2026-06-01"),
            conclusion="suitable",
            conclusion_note="适合",
        ),
        "register": lambda case, actor: services.register_adoption(
            actor=actor, case=case, registered_on=D("2026-06-01")
        ),
        "refuse": lambda case, actor: services.refuse_registration(actor=actor, case=case, reason="不符合条件"),
        "withdraw": lambda case, actor: services.withdraw_case(actor=actor, case=case, reason="申请人撤回"),
    }


def case_in(state, staff, child):
    if state in (State.REGISTERED, State.REFUSED, State.WITHDRAWN):
        case = make_case(staff, child, up_to=State.DECISION)
        if state == State.REGISTERED:
            return services.register_adoption(actor=staff, case=case, registered_on=D("2026-06-01"))
        if state == State.REFUSED:
            return services.refuse_registration(actor=staff, case=case, reason="评估后决定不予登记")
        return services.withdraw_case(actor=staff, case=case, reason="申请人撤回")
    return make_case(staff, child, up_to=state)


@pytest.mark.parametrize("state", list(State))
def test_every_forbidden_move_is_refused_and_changes_nothing(state, staff, colleague, child_a):
    case = case_in(state, staff, child_a)
    steps = case.steps.count()
    for move, call in _calls(colleague).items():
        sources, _target = services.TRANSITIONS[move]
        if state in sources:
            continue
        with pytest.raises(ValidationError) as error:
            call(case, staff)
        assert error.value.messages == [f"案件当前为“{State(state).label}”，不能进行此操作。"], move
        case.refresh_from_db()
        assert case.state == state
    assert case.steps.count() == steps


def test_the_whole_path_records_who_and_when_for_every_step(staff, child_a):
    case = make_case(staff, child_a, up_to=State.DECISION)
    case = services.register_adoption(actor=staff, case=case, registered_on=D("2026-06-01"))
    steps = list(case.steps.values_list("from_state", "to_state", "actor__username"))
    assert steps == [
        ("", "application", "staff"),
        ("application", "review", "staff"),
        ("review", "assessment", "staff"),
        ("assessment", "integration", "staff"),
        ("integration", "decision", "staff"),
        ("decision", "registered", "staff"),
    ]
    assert all(s.at is not None for s in case.steps.all())
    decisions = AuditEntry.objects.filter(object_type="adoptioncase", action=AuditEntry.Action.DECISION, child=child_a)
    assert decisions.count() == 5
    assert decisions.filter(summary__contains="登记审查 → 已登记", actor=staff).exists()


@pytest.mark.parametrize("state", [State.REVIEW, State.ASSESSMENT, State.INTEGRATION, State.DECISION])
def test_refuse_from_each_open_state_after_acceptance(state, staff, child_a):
    case = make_case(staff, child_a, up_to=state)
    case = services.refuse_registration(actor=staff, case=case, reason="收养人隐瞒子女情况")
    assert case.state == State.REFUSED
    assert case.refusal_reason == "收养人隐瞒子女情况"
    assert case.steps.last().to_state == State.REFUSED


@pytest.mark.parametrize(
    "state", [State.APPLICATION, State.REVIEW, State.ASSESSMENT, State.INTEGRATION, State.DECISION]
)
def test_withdraw_from_each_open_state(state, staff, child_a):
    case = make_case(staff, child_a, up_to=state)
    case = services.withdraw_case(actor=staff, case=case, reason="申请人决定暂缓收养")
    assert case.state == State.WITHDRAWN
    child_a.refresh_from_db()
    assert child_a.status == "active"


def test_refusal_and_withdrawal_need_a_reason(staff, child_a):
    case = make_case(staff, child_a, up_to=State.REVIEW)
    with pytest.raises(ValidationError, match="请写明不予登记的理由"):
        services.refuse_registration(actor=staff, case=case, reason="  ")
    with pytest.raises(ValidationError, match="请写明撤回原因"):
        services.withdraw_case(actor=staff, case=case, reason="")


def test_acceptance_lists_the_missing_documents(staff, child_a):
    case = make_case(staff, child_a, up_to=State.APPLICATION)
    case.documents.filter(kind="health").first().delete()
    with pytest.raises(ValidationError) as error:
        services.submit_application(actor=staff, case=case)
    assert error.value.messages == ["材料：收养人张建国：县级以上医疗机构体检证明"]


def test_acceptance_needs_an_applicant(staff, child_a):
    case = make_case(staff, child_a, up_to=State.APPLICATION, applicants=[])
    with pytest.raises(ValidationError) as error:
        services.submit_application(actor=staff, case=case)
    assert "登记至少一名收养人" in error.value.messages


def test_review_refuses_a_failing_condition(staff, colleague, child_a):
    young = applicant_data(birth=D("1998-01-01"))
    case = make_case(staff, child_a, up_to=State.REVIEW, applicants=[young, applicant_data(sex="F")])
    with pytest.raises(ValidationError) as error:
        _calls(colleague)["start_assessment"](case, staff)
    assert any("1098(5)" in m and "须年满30周岁" in m for m in error.value.messages)


def test_assessment_team_needs_two_staff(staff, child_a, supervisor_a):
    case = make_case(staff, child_a, up_to=State.REVIEW)
    start = {"actor": staff, "case": case, "notified_on": D("2026-05-01"), "mode": "team"}
    with pytest.raises(ValidationError, match="至少由两名"):
        services.start_assessment(**start, assessors=[staff])
    with pytest.raises(ValidationError, match="须为民政局儿童福利股工作人员"):
        services.start_assessment(**start, assessors=[staff, supervisor_a])


def test_a_third_party_needs_its_agreement_and_two_assessors(staff, child_a):
    case = make_case(staff, child_a, up_to=State.REVIEW)
    start = {"actor": staff, "case": case, "notified_on": D("2026-05-01"), "mode": "third_party"}
    with pytest.raises(ValidationError) as error:
        services.start_assessment(**start, third_party_name="定州市阳光社工服务中心", third_party_assessors="刘洋")
    assert set(error.value.message_dict) == {"third_party_agreement", "third_party_assessors"}
    case = services.start_assessment(
        **start,
        third_party_name="定州市阳光社工服务中心",
        third_party_agreement="DZSG-2026-07",
        third_party_assessors="刘洋、陈静",
    )
    assert case.state == State.ASSESSMENT
    assert case.assessment.mode == Assessment.Mode.THIRD_PARTY


def test_integration_needs_the_ten_capacity_findings(staff, child_a):
    case = make_case(staff, child_a, up_to=State.ASSESSMENT)
    services.record_findings(actor=staff, case=case, findings={"motive": "为给孩子一个家。"})
    with pytest.raises(ValidationError) as error:
        services.start_integration(actor=staff, case=case, start=D("2026-05-01"))
    assert len(error.value.messages) == 9
    assert "评估内容：抚育计划" in error.value.messages
    with pytest.raises(ValidationError, match="融合情况在融合期开始后填写"):
        services.record_findings(actor=staff, case=case, findings={"integration": "尚早"})
    services.record_findings(actor=staff, case=case, findings=FINDINGS)
    assert services.start_integration(actor=staff, case=case, start=D("2026-05-01")).state == State.INTEGRATION


def test_a_red_flag_cannot_end_in_a_suitable_conclusion(staff, child_a):
    case = make_case(staff, child_a, up_to=State.INTEGRATION, dates={"start": D("2026-04-01")})
    report = {
        "actor": staff,
        "case": case,
        "integration_end": D("2026-05-31"),
        "integration_finding": "孩子身上发现多处淤青。",
        "report_date": D("2026-06-01"),
        "red_flags": ["harm_in_integration"],
    }
    with pytest.raises(ValidationError) as error:
        services.complete_assessment(**report, conclusion="suitable", conclusion_note="适合")
    assert set(error.value.message_dict) == {"conclusion", "red_flag_note"}
    case = services.complete_assessment(
        **report, conclusion="unsuitable", conclusion_note="不适合收养", red_flag_note="已报告民政局并终止融合。"
    )
    assert case.assessment.red_flags == ["harm_in_integration"]
    assert AuditEntry.objects.filter(summary__startswith="收养评估发现须报告的情形").exists()
    with pytest.raises(ValidationError) as error:
        services.register_adoption(actor=staff, case=case, registered_on=D("2026-06-01"))
    assert "收养评估结论须为“适合收养”" in error.value.messages


def test_registration_refuses_a_pending_consent(staff, township_a):
    child = ChildFactory(township=township_a, birth_date=D("2016-01-01"))
    case = make_case(staff, child, child_consent_on=None)
    with pytest.raises(ValidationError) as error:
        services.register_adoption(actor=staff, case=case, registered_on=D("2026-06-01"))
    assert any("第1104条" in m and "尚未登记其同意" in m for m in error.value.messages)
    case = services.update_case(actor=staff, case=case, data={"child_consent_on": D("2026-05-20")})
    case = services.register_adoption(actor=staff, case=case, registered_on=D("2026-06-01"))
    assert case.state == State.REGISTERED


def test_one_open_case_per_child(staff, child_a):
    make_case(staff, child_a, up_to=State.APPLICATION)
    with pytest.raises(ValidationError, match="已有正在办理的收养案件"):
        make_case(staff, child_a, up_to=State.APPLICATION)
    assert AdoptionCase.objects.count() == 1


def test_applicants_are_frozen_once_the_assessment_starts(staff, child_a):
    case = make_case(staff, child_a, up_to=State.ASSESSMENT)
    applicant = case.applicants.first()
    with pytest.raises(ValidationError, match="收养评估开始后不能再修改收养人信息"):
        services.save_applicant(actor=staff, case=case, data={"children_count": 1}, applicant=applicant)


def test_a_third_applicant_is_refused_and_the_id_decides_birth_and_sex(staff, child_a):
    case = make_case(staff, child_a, up_to=State.APPLICATION)
    with pytest.raises(ValidationError, match="收养人最多两名"):
        services.save_applicant(actor=staff, case=case, data=applicant_data(birth=D("1980-01-01")))
    first = case.applicants.get(position=1)
    assert (first.birth_date, first.sex) == (D("1985-04-02"), "M")
    assert Step.objects.filter(case=case).count() == 1


def test_the_audit_trail_keeps_the_placer_id_number_masked(staff, child_a):
    from tests.factories import make_id_number

    number = make_id_number(D("1975-02-03"), "M")
    case = make_case(
        staff,
        child_a,
        up_to=State.APPLICATION,
        origin="guardian",
        parents_unknown=False,
        placer_kind="guardian",
        placer_name="王大山",
        placer_id_number=number,
        placer_phone="13912345678",
    )
    services.update_case(actor=staff, case=case, data={"placer_phone": "13800001111"})
    entries = AuditEntry.objects.filter(object_type="adoptioncase", object_id=str(case.pk))
    text = str(list(entries.values_list("changes", flat=True)))
    assert number not in text
    assert "13912345678" not in text
    assert f"{number[:4]}**********{number[-4:]}" in text
    assert "139****5678" in text
