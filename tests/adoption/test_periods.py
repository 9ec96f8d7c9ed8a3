"""The integration period (at least 30 days) and the foundling's 60-day notice, with the clock frozen."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from adoption import services
from adoption.models import State
from tests.factories import ChildFactory

from .conftest import make_case

D = datetime.date.fromisoformat


def at(time_machine, day):
    time_machine.move_to(datetime.datetime.combine(D(day), datetime.time(10), tzinfo=datetime.UTC), tick=False)


def complete(staff, case, end, report=None):
    return services.complete_assessment(
        actor=staff,
        case=case,
        integration_end=D(end),
        integration_finding="融合良好",
        report_date=D(report or end),
        conclusion="suitable",
        conclusion_note="适合收养",
    )


def test_integration_lasts_at_least_30_days(time_machine, staff, child_a):
    at(time_machine, "2026-05-30")
    case = make_case(staff, child_a, up_to=State.INTEGRATION, dates={"start": D("2026-05-01")})
    assert services.gaps(case, "complete_assessment") == ["融合期不少于30日：最早 2026-05-31 结束"]
    with pytest.raises(ValidationError) as error:
        complete(staff, case, "2026-05-30")
    assert error.value.message_dict["integration_end"] == [
        "融合期不少于30日：自 2026-05-01 开始，最早 2026-05-31 结束。"
    ]
    with pytest.raises(ValidationError, match="融合期结束日期不能晚于今天"):
        complete(staff, case, "2026-05-31")

    at(time_machine, "2026-05-31")
    assert services.gaps(case, "complete_assessment") == []
    case = complete(staff, case, "2026-05-31")
    assert case.state == State.DECISION
    assert (case.integration_start, case.integration_end) == (D("2026-05-01"), D("2026-05-31"))


def test_integration_cannot_start_in_the_future_or_before_the_notification(time_machine, staff, child_a):
    at(time_machine, "2026-05-01")
    case = make_case(staff, child_a, up_to=State.ASSESSMENT, dates={"notified_on": D("2026-04-10")})
    from .conftest import FINDINGS

    services.record_findings(actor=staff, case=case, findings=FINDINGS)
    with pytest.raises(ValidationError, match="融合期开始日期不能晚于今天"):
        services.start_integration(actor=staff, case=case, start=D("2026-05-02"))
    with pytest.raises(ValidationError, match="融合期不能早于书面告知评估日期"):
        services.start_integration(actor=staff, case=case, start=D("2026-04-09"))


def test_registration_not_before_the_end_of_integration(time_machine, staff, child_a):
    at(time_machine, "2026-06-01")
    case = make_case(staff, child_a)
    with pytest.raises(ValidationError, match="登记日期不能早于融合期结束日期 2026-03-15"):
        services.register_adoption(actor=staff, case=case, registered_on=D("2026-03-14"))
    with pytest.raises(ValidationError, match="登记日期不能晚于今天"):
        services.register_adoption(actor=staff, case=case, registered_on=D("2026-06-02"))


@pytest.fixture
def foundling(township_a):
    return ChildFactory(township=township_a, birth_date=D("2025-10-01"), id_number="", no_id_reason="弃婴，尚未落户")


def test_a_foundling_waits_60_days_after_the_notice(time_machine, staff, foundling):
    at(time_machine, "2026-04-01")
    case = make_case(staff, foundling, origin="foundling", up_to=State.REVIEW, dates={})
    case = services.record_notice(actor=staff, case=case, published_on=D("2026-04-01"), medium="河北日报")
    assert case.notice_ends_on == D("2026-05-31")

    at(time_machine, "2026-05-30")
    case = make_case(staff, foundling, case=case, up_to=State.DECISION)
    assert "寻亲公告期未满：2026-05-31 期满（公告期60日）" in services.gaps(case, "register")
    with pytest.raises(ValidationError) as error:
        services.register_adoption(actor=staff, case=case, registered_on=D("2026-05-30"))
    assert error.value.messages == ["寻亲公告期未满：2026-05-31 期满（公告期60日）"]

    at(time_machine, "2026-05-31")
    case = services.register_adoption(actor=staff, case=case, registered_on=D("2026-05-31"))
    assert case.state == State.REGISTERED


def test_a_foundling_without_a_notice_is_not_registered(time_machine, staff, foundling):
    at(time_machine, "2026-06-01")
    case = make_case(staff, foundling, origin="foundling")
    assert case.parents_unknown  # a foundling's parents cannot be found, whatever was ticked
    with pytest.raises(ValidationError) as error:
        services.register_adoption(actor=staff, case=case, registered_on=D("2026-06-01"))
    assert error.value.messages == ["弃婴须发布寻亲公告，公告期满60日后方可登记"]


def test_the_notice_is_for_foundlings_and_dated_honestly(time_machine, staff, child_a, foundling):
    at(time_machine, "2026-06-01")
    institution = make_case(staff, child_a, up_to=State.REVIEW)
    with pytest.raises(ValidationError, match="只有查找不到生父母"):
        services.record_notice(actor=staff, case=institution, published_on=D("2026-05-01"), medium="河北日报")
    case = make_case(staff, foundling, origin="foundling", up_to=State.APPLICATION)
    with pytest.raises(ValidationError, match="案件受理后、登记前登记寻亲公告"):
        services.record_notice(actor=staff, case=case, published_on=D("2026-05-01"), medium="河北日报")
    case = services.submit_application(actor=staff, case=case)
    with pytest.raises(ValidationError, match="公告发布日期不能晚于今天"):
        services.record_notice(actor=staff, case=case, published_on=D("2026-06-02"), medium="河北日报")
    with pytest.raises(ValidationError, match="请填写公告刊登的报纸或网站"):
        services.record_notice(actor=staff, case=case, published_on=D("2026-05-01"), medium=" ")
