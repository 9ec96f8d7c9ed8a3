"""Eligibility for a programme, the enrolment workflow and the batch approval rules, through the services.

The four-eyes and uniqueness rules are checked twice: the service refuses with a message a clerk
understands, and the database constraint refuses a direct write that goes around the service.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from children.models import Child, ClassificationKind, ParentSituation
from children.services import add_classification, close_child, record_parent_situation, save_payment_account
from dingzhou_welfare.models import AuditEntry
from subsidies.disbursement import approve_batch, compute_month
from subsidies.eligibility import enrolment_problems
from subsidies.models import Batch, Enrolment
from subsidies.services import (
    apply_enrolment,
    check_enrolment,
    confirm_enrolment,
    end_enrolment,
    refuse_enrolment,
    set_standard,
)
from tests.factories import ChildFactory

from .conftest import enrol, make_orphan

pytestmark = pytest.mark.django_db
D = datetime.date.fromisoformat
Situation = ParentSituation.Situation


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(D("2026-04-20")):
        yield


def situation(child, actor, parent, value, since):
    record_parent_situation(
        actor=actor, child=child, data={"parent": parent, "situation": value, "start_date": D(since)}
    )


# -------------------------------------------------------------------------------------------------
# Eligibility: subsidies.eligibility.enrolment_problems


def plain(child, staff):
    return child


def orphan(child, staff):
    return make_orphan(child, staff)


def orphan_whose_father_turned_up(child, staff):
    make_orphan(child, staff)
    situation(child, staff, "father", Situation.ALIVE_ABLE, "2026-03-01")  # found alive in March
    return child


def de_facto(child, staff):
    situation(child, staff, "father", Situation.IMPRISONED, "2024-01-01")
    situation(child, staff, "mother", Situation.DEAD, "2023-05-01")
    add_classification(actor=staff, child=child, kind=ClassificationKind.DE_FACTO_SCATTERED, start_date=D("2024-07-01"))
    return child


def de_facto_father_released(child, staff):
    de_facto(child, staff)
    situation(child, staff, "father", Situation.ALIVE_ABLE, "2026-02-15")
    return child


def disabled(kind, grade, cert="13068220150314001011"):
    def build(child, staff):
        Child.objects.filter(pk=child.pk).update(disability_type=kind, disability_grade=grade, disability_cert_no=cert)
        child.refresh_from_db()
        return child

    return build


def closed(child, staff):
    return close_child(actor=staff, child=child, reason=Child.ClosedReason.DIED, closed_on=D("2026-03-05"))


SEVERE_RULE = "重度残疾人护理补贴须为一、二级残疾，或三、四级智力、精神残疾。"
NO_CERTIFICATE = "须登记残疾类别和残疾人证号。"


YOUNG, ADULT = "2015-03-14", "2008-03-14"  # the adult turned 18 on 2026-03-14


@pytest.mark.parametrize(
    ("build", "born", "code", "day", "expected"),
    [
        pytest.param(plain, YOUNG, "orphan_scattered", "2026-04-01", ["须先认定为社会散居孤儿。"], id="no kind"),
        pytest.param(orphan, YOUNG, "orphan_scattered", "2026-04-01", [], id="orphan"),
        pytest.param(
            orphan, YOUNG, "orphan_institutional", "2026-04-01", ["须先认定为机构集中养育孤儿。"], id="other kind"
        ),
        pytest.param(
            orphan_whose_father_turned_up,
            YOUNG,
            "orphan_scattered",
            "2026-04-01",
            ["社会散居孤儿：孤儿须父母双方均死亡、宣告失踪或查找不到（父亲：健在且能履行监护；母亲：死亡"],
            id="orphan, father found alive",
        ),
        pytest.param(orphan_whose_father_turned_up, YOUNG, "orphan_scattered", "2026-02-28", [], id="orphan, before"),
        pytest.param(de_facto, YOUNG, "de_facto_scattered", "2026-04-01", [], id="de facto"),
        pytest.param(
            de_facto_father_released,
            YOUNG,
            "de_facto_scattered",
            "2026-04-01",
            ["社会散居事实无人抚养儿童：事实无人抚养儿童须父母双方均符合"],
            id="de facto, father released",
        ),
        pytest.param(
            plain,
            ADULT,
            "extreme_poverty",
            "2026-03-14",
            ["儿童已满18周岁（2026-03-14），特困人员救助供养只保障18周岁以下儿童。"],
            id="18 today",
        ),
        pytest.param(plain, ADULT, "extreme_poverty", "2026-03-13", [], id="18 tomorrow"),
        pytest.param(
            orphan,
            ADULT,
            "orphan_scattered",
            "2026-03-14",
            [
                "儿童已满18周岁（2026-03-14），散居孤儿基本生活费只保障18周岁以下儿童。",
                "社会散居孤儿：儿童在起始日期已满18周岁",
            ],
            id="orphan at 18",
        ),
        pytest.param(plain, ADULT, "rural_dibao", "2026-04-01", [], id="no age limit"),
        pytest.param(plain, YOUNG, "severe_disability_care", "2026-04-01", [NO_CERTIFICATE], id="no disability"),
        pytest.param(
            disabled("physical", 2, cert=""),
            YOUNG,
            "severe_disability_care",
            "2026-04-01",
            [NO_CERTIFICATE],
            id="no cert",
        ),
        pytest.param(disabled("physical", 1), YOUNG, "severe_disability_care", "2026-04-01", [], id="physical 1"),
        pytest.param(disabled("visual", 2), YOUNG, "severe_disability_care", "2026-04-01", [], id="visual 2"),
        pytest.param(
            disabled("physical", 3), YOUNG, "severe_disability_care", "2026-04-01", [SEVERE_RULE], id="physical 3"
        ),
        pytest.param(
            disabled("hearing", 4), YOUNG, "severe_disability_care", "2026-04-01", [SEVERE_RULE], id="hearing 4"
        ),
        pytest.param(
            disabled("intellectual", 3), YOUNG, "severe_disability_care", "2026-04-01", [], id="intellectual 3"
        ),
        pytest.param(disabled("mental", 4), YOUNG, "severe_disability_care", "2026-04-01", [], id="mental 4"),
        pytest.param(
            disabled("multiple", None), YOUNG, "severe_disability_care", "2026-04-01", [SEVERE_RULE], id="no grade"
        ),
        pytest.param(disabled("physical", 4), YOUNG, "poor_disabled_living", "2026-04-01", [], id="poor disabled, 4"),
        pytest.param(plain, YOUNG, "poor_disabled_living", "2026-04-01", [NO_CERTIFICATE], id="poor disabled, none"),
        pytest.param(closed, YOUNG, "rural_dibao", "2026-04-01", ["儿童档案已销档（死亡，"], id="closed"),
    ],
)
def test_enrolment_problems(township_a, village_a, staff, programmes, build, born, code, day, expected):
    child = build(ChildFactory(township=township_a, village=village_a, birth_date=D(born)), staff)
    problems = [str(p) for p in enrolment_problems(child, programmes[code], D(day))]
    assert len(problems) == len(expected), problems
    for problem, fragment in zip(problems, expected, strict=True):
        assert problem.startswith(fragment)


# -------------------------------------------------------------------------------------------------
# The workflow: apply -> check -> confirm, refuse, end


def audit_trail(obj) -> list[tuple[str, str | None, str]]:
    entries = AuditEntry.objects.filter(object_type=obj._meta.model_name, object_id=str(obj.pk)).order_by("id")
    return [(e.action, e.actor.username if e.actor else None, e.summary) for e in entries]


@pytest.fixture
def orphan_a(child_a, staff):
    return make_orphan(child_a, staff)


def test_apply_check_confirm(orphan_a, caseworker_a, supervisor_a, staff, programmes):
    programme = programmes["orphan_scattered"]
    enrolment = apply_enrolment(
        actor=caseworker_a, child=orphan_a, programme=programme, applied_on=D("2026-04-02"), evidence="死亡证明两份"
    )
    assert (enrolment.status, enrolment.applied_by, enrolment.start_month) == ("applied", caseworker_a, None)
    enrolment = check_enrolment(actor=supervisor_a, enrolment=enrolment, note="比对一致")
    assert (enrolment.status, enrolment.checked_by, enrolment.check_note) == ("checked", supervisor_a, "比对一致")
    enrolment = confirm_enrolment(actor=staff, enrolment=enrolment, confirmed_on=D("2026-04-10"))
    assert (enrolment.status, enrolment.confirmed_by, enrolment.start_month) == ("confirmed", staff, D("2026-05-01"))
    assert enrolment.needs_reconcile
    assert audit_trail(enrolment) == [
        ("decision", "caseworker_a", "申请散居孤儿基本生活费"),
        ("decision", "supervisor_a", "乡镇查验通过：散居孤儿基本生活费"),
        ("decision", "staff", "确认散居孤儿基本生活费，2026-05起发放"),
    ]
    assert AuditEntry.objects.filter(child=orphan_a, object_type="enrolment").count() == 3


def test_steps_only_in_order(orphan_a, caseworker_a, supervisor_a, staff, programmes):
    enrolment = apply_enrolment(
        actor=caseworker_a, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=D("2026-04-02")
    )
    with pytest.raises(ValidationError, match="当前状态为“已申请，待乡镇查验”"):
        confirm_enrolment(actor=staff, enrolment=enrolment)
    with pytest.raises(ValidationError, match="当前状态为“已申请，待乡镇查验”"):
        end_enrolment(actor=staff, enrolment=enrolment, reason="adopted", event_day=D("2026-04-02"))
    check_enrolment(actor=supervisor_a, enrolment=enrolment)
    with pytest.raises(ValidationError, match="当前状态为“乡镇已查验，待民政局确认”"):
        check_enrolment(actor=supervisor_a, enrolment=enrolment)


def test_the_applicant_cannot_confirm(orphan_a, supervisor_a, staff, programmes):
    enrolment = apply_enrolment(
        actor=staff, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=D("2026-04-02")
    )
    check_enrolment(actor=supervisor_a, enrolment=enrolment)
    with pytest.raises(ValidationError, match="确认人不能是申请人本人"):
        confirm_enrolment(actor=staff, enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == "checked"
    # Around the service, the database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            status="confirmed", confirmed_by=staff, start_month=D("2026-05-01")
        )
    assert Enrolment.objects.get(pk=enrolment.pk).confirmed_by is None


@pytest.mark.parametrize(
    ("confirmed_on", "message"),
    [("2026-04-21", "确认日期不能晚于今天。"), ("2026-03-31", "确认日期不能早于申请日期（2026-04-02）。")],
)
def test_confirmation_date_between_application_and_today(
    orphan_a, caseworker_a, supervisor_a, staff, programmes, confirmed_on, message
):
    enrolment = apply_enrolment(
        actor=caseworker_a, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=D("2026-04-02")
    )
    check_enrolment(actor=supervisor_a, enrolment=enrolment)
    with pytest.raises(ValidationError, match=message):
        confirm_enrolment(actor=staff, enrolment=enrolment, confirmed_on=D(confirmed_on))


def test_problems_found_at_check_or_confirmation_stop_the_enrolment(
    orphan_a, caseworker_a, supervisor_a, staff, programmes
):
    enrolment = apply_enrolment(
        actor=caseworker_a, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=D("2026-04-02")
    )
    check_enrolment(actor=supervisor_a, enrolment=enrolment)
    situation(orphan_a, staff, "mother", Situation.ALIVE_ABLE, "2026-04-05")  # the mother came back
    with pytest.raises(ValidationError, match="孤儿须父母双方均死亡"):
        confirm_enrolment(actor=staff, enrolment=enrolment, confirmed_on=D("2026-04-10"))
    enrolment.refresh_from_db()
    assert enrolment.status == "checked"


def test_refusal_needs_a_reason(orphan_a, caseworker_a, supervisor_a, staff, programmes):
    enrolment = apply_enrolment(
        actor=caseworker_a, child=orphan_a, programme=programmes["orphan_scattered"], applied_on=D("2026-04-02")
    )
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="请写明不予通过的理由"):
            refuse_enrolment(actor=supervisor_a, enrolment=enrolment, reason=reason)
    enrolment = refuse_enrolment(actor=supervisor_a, enrolment=enrolment, reason="  母亲户籍地另有登记 ")
    assert (enrolment.status, enrolment.refused_by, enrolment.refusal_reason) == (
        "refused",
        supervisor_a,
        "母亲户籍地另有登记",
    )
    assert audit_trail(enrolment)[-1] == (
        "decision",
        "supervisor_a",
        "不予通过散居孤儿基本生活费：母亲户籍地另有登记",
    )
    with pytest.raises(ValidationError, match="当前状态为“未通过”"):
        refuse_enrolment(actor=staff, enrolment=enrolment, reason="again")


def test_one_open_enrolment_per_child_and_programme(orphan_a, caseworker_a, supervisor_a, staff, programmes):
    programme = programmes["orphan_scattered"]
    first = apply_enrolment(actor=caseworker_a, child=orphan_a, programme=programme, applied_on=D("2026-04-02"))
    with pytest.raises(ValidationError, match="该儿童已有散居孤儿基本生活费的申请或保障记录"):
        apply_enrolment(actor=caseworker_a, child=orphan_a, programme=programme, applied_on=D("2026-04-03"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(child=orphan_a, programme=programme, applied_on=D("2026-04-03"))
    # Another programme is fine; so is a new application once the first one is closed.
    apply_enrolment(actor=caseworker_a, child=orphan_a, programme=programmes["rural_dibao"], applied_on=D("2026-04-03"))
    refuse_enrolment(actor=supervisor_a, enrolment=first, reason="材料不全")
    second = apply_enrolment(actor=caseworker_a, child=orphan_a, programme=programme, applied_on=D("2026-04-04"))
    check_enrolment(actor=supervisor_a, enrolment=second)
    confirm_enrolment(actor=staff, enrolment=second, confirmed_on=D("2026-04-10"))
    with pytest.raises(ValidationError, match="已有散居孤儿基本生活费的申请或保障记录"):
        apply_enrolment(actor=caseworker_a, child=orphan_a, programme=programme, applied_on=D("2026-04-11"))


def test_end_enrolment(orphan_a, caseworker_a, supervisor_a, staff, programmes):
    enrolment = enrol(
        orphan_a,
        programmes["orphan_scattered"],
        applicant=caseworker_a,
        checker=supervisor_a,
        confirmer=staff,
        applied_on=D("2026-01-05"),
        confirmed_on=D("2026-01-10"),
    )
    with pytest.raises(ValidationError, match="情形发生日期不能晚于今天"):
        end_enrolment(actor=staff, enrolment=enrolment, reason="adopted", event_day=D("2026-04-21"))
    enrolment = end_enrolment(actor=staff, enrolment=enrolment, reason="adopted", event_day=D("2026-03-14"))
    assert (enrolment.status, enrolment.end_month, enrolment.ended_by) == ("ended", D("2026-03-01"), staff)
    assert audit_trail(enrolment)[-1] == ("decision", "staff", "终止散居孤儿基本生活费（被收养），发放至2026-03")
    with pytest.raises(ValidationError, match="当前状态为“已终止”"):
        end_enrolment(actor=staff, enrolment=enrolment, reason="died", event_day=D("2026-03-20"))


def test_set_standard_is_audited(staff, programmes):
    programme = programmes["rural_dibao"]
    set_standard(actor=staff, programme=programme, effective_month=D("2026-01-01"), amount=Decimal("400"))
    standard = set_standard(actor=staff, programme=programme, effective_month=D("2026-01-01"), amount=Decimal("420.5"))
    assert standard.amount == Decimal("420.50")
    assert [(a, actor, s) for a, actor, s in audit_trail(standard)] == [
        ("create", "staff", "农村最低生活保障 2026-01起月标准"),
        ("update", "staff", "农村最低生活保障 2026-01起月标准"),
    ]
    assert AuditEntry.objects.filter(object_type="standard").last().changes == {"月标准（元）": [None, "400.00"]}
    with pytest.raises(ValidationError):
        set_standard(actor=staff, programme=programme, effective_month=D("2026-02-15"), amount=Decimal("400"))
    with pytest.raises(ValidationError):
        set_standard(actor=staff, programme=programme, effective_month=D("2026-02-01"), amount=Decimal("-1"))


# -------------------------------------------------------------------------------------------------
# Batches: approved batches never change; the approver is never the person who ran it


def test_approved_batch_never_changes(orphan_a, caseworker_a, supervisor_a, staff, leader, programmes):
    enrol(
        orphan_a,
        programmes["orphan_scattered"],
        applicant=caseworker_a,
        checker=supervisor_a,
        confirmer=staff,
        applied_on=D("2026-02-05"),
        confirmed_on=D("2026-02-10"),
    )
    batch = compute_month(month=D("2026-03-01"), actor=staff)
    with pytest.raises(ValidationError, match="审批人不能是计算该批次的人"):
        approve_batch(batch=batch, actor=staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(approved_by=staff, status="approved")

    approve_batch(batch=batch, actor=leader)
    with pytest.raises(ValidationError, match="只有待审批的批次可以审批（当前：已审批）"):
        approve_batch(batch=batch, actor=leader)
    with pytest.raises(ValidationError, match="2026-03的批次已审批，不能重新计算"):
        compute_month(month=D("2026-03-01"), actor=leader)
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by, batch.line_count, batch.total_amount) == (
        "approved",
        leader,
        1,
        Decimal("1000.00"),
    )
    assert batch.lines.count() == 1
    # The payee is kept as it was when computed: a later change of account does not touch the batch.
    save_payment_account(
        actor=staff, child=orphan_a, data={"payee_name": "李阿姨", "account_number": "6217000099999999"}
    )
    assert list(batch.lines.values_list("payee_name", "account_number")) == [("张大爷", "6217000012345678")]
    assert audit_trail(batch) == [
        ("decision", "staff", "开始计算2026-03发放批次"),
        ("decision", "leader", "审批2026-03发放批次：1条，合计1000.00元"),
    ]


def test_only_a_finished_batch_can_be_approved(staff, leader, township_a):
    from subsidies.disbursement import start_batch

    batch = start_batch(month=D("2026-03-01"), actor=staff)
    with pytest.raises(ValidationError, match="只有待审批的批次可以审批（当前：计算中）"):
        approve_batch(batch=batch, actor=leader)
    with pytest.raises(ValidationError, match="请先审批之前月份的批次（2026-03）"):
        compute_month(month=D("2026-04-01"), actor=staff)
