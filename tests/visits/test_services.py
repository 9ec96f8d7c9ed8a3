"""Recording, resubmitting and reviewing visits; patrol targets; mandatory reports reach the bureau."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from children.models import Child
from dingzhou_welfare.models import AuditEntry
from visits.models import MandatoryReport, Rating, RiskLevel, Visit, VisitSchedule
from visits.services import handle_report, record_visit, resubmit_visit, review_visit, save_intervals, set_patrol

from .support import PNG, visit_data

pytestmark = pytest.mark.usefixtures("frozen", "cared_for")
D = datetime.date


def test_a_good_visit_is_low_risk_and_sets_the_next_due_date(caseworker_a, child_a):
    visit = record_visit(actor=caseworker_a, child=child_a, data=visit_data())
    assert visit.risk_level == RiskLevel.LOW
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.next_visit_due == D(2026, 5, 20) + datetime.timedelta(days=180)
    schedule = VisitSchedule.objects.get(child=child_a)
    assert (schedule.last_visited_on, schedule.due_on, schedule.risk_level) == (
        D(2026, 5, 20),
        visit.next_visit_due,
        "low",
    )
    assert not schedule.patrol
    entry = AuditEntry.objects.get(child=child_a, object_type="visit")
    assert entry.actor == caseworker_a
    assert "低风险" in entry.summary


def test_the_visitor_may_plan_earlier_but_not_later_than_the_interval(caseworker_a, child_a):
    visit = record_visit(actor=caseworker_a, child=child_a, data=visit_data(next_visit_due=D(2026, 6, 10)))
    assert visit.next_visit_due == D(2026, 6, 10)
    with pytest.raises(ValidationError) as error:
        record_visit(
            actor=caseworker_a,
            child=child_a,
            data=visit_data(health_rating=Rating.SERIOUS, next_visit_due=D(2026, 7, 1)),
        )
    assert "不能晚于 2026-06-19" in str(error.value.message_dict["next_visit_due"])
    with pytest.raises(ValidationError) as error:
        record_visit(actor=caseworker_a, child=child_a, data=visit_data(next_visit_due=D(2026, 5, 20)))
    assert "next_visit_due" in error.value.message_dict
    assert Visit.objects.count() == 1


def test_no_visit_in_the_future_or_for_a_closed_child(caseworker_a, child_a, staff):
    with pytest.raises(ValidationError) as error:
        record_visit(actor=caseworker_a, child=child_a, data=visit_data(visited_on=D(2026, 6, 2)))
    assert "visited_on" in error.value.message_dict
    child_a.status = Child.Status.CLOSED
    child_a.save()
    with pytest.raises(ValidationError):
        record_visit(actor=caseworker_a, child=child_a, data=visit_data())
    assert not Visit.objects.exists()


def test_high_risk_makes_a_key_patrol_target_and_a_lower_risk_takes_it_off(caseworker_a, child_a):
    record_visit(actor=caseworker_a, child=child_a, data=visit_data(guardianship_rating=Rating.POOR))
    schedule = VisitSchedule.objects.get(child=child_a)
    assert schedule.patrol and schedule.patrol_source == "auto"
    assert schedule.due_on == D(2026, 6, 19)  # 30 days, the high tier
    later = record_visit(actor=caseworker_a, child=child_a, data=visit_data(visited_on=D(2026, 6, 1)))
    schedule.refresh_from_db()
    assert not schedule.patrol
    assert schedule.due_on == later.next_visit_due == D(2026, 11, 28)
    summaries = list(AuditEntry.objects.filter(object_type="visitschedule").values_list("summary", flat=True))
    assert any("列为重点巡防对象" in s for s in summaries)
    assert any("移出重点巡防对象" in s for s in summaries)


def test_an_older_visit_entered_late_does_not_decide_the_current_risk(caseworker_a, child_a):
    record_visit(actor=caseworker_a, child=child_a, data=visit_data(visited_on=D(2026, 5, 30)))
    record_visit(
        actor=caseworker_a, child=child_a, data=visit_data(visited_on=D(2026, 4, 1), hygiene_rating=Rating.SERIOUS)
    )
    schedule = VisitSchedule.objects.get(child=child_a)
    assert schedule.last_visited_on == D(2026, 5, 30)
    assert schedule.risk_level == "low" and not schedule.patrol


def test_a_manual_patrol_target_stays_and_keeps_the_tight_interval(caseworker_a, supervisor_a, child_a):
    set_patrol(actor=supervisor_a, child=child_a, patrol=True, reason="父亲服刑，母亲离家")
    visit = record_visit(actor=caseworker_a, child=child_a, data=visit_data())
    assert visit.risk_level == "low"
    assert visit.next_visit_due == D(2026, 6, 19)
    schedule = VisitSchedule.objects.get(child=child_a)
    assert schedule.patrol and schedule.patrol_source == "manual"
    with pytest.raises(ValidationError):
        set_patrol(actor=supervisor_a, child=child_a, patrol=False, reason="  ")
    set_patrol(actor=supervisor_a, child=child_a, patrol=False, reason="母亲已回家照料")
    schedule.refresh_from_db()
    assert not schedule.patrol and schedule.due_on == D(2026, 6, 19)  # the visit's own plan stands


def test_an_automatic_target_cannot_be_taken_off_by_hand(caseworker_a, supervisor_a, child_a):
    record_visit(actor=caseworker_a, child=child_a, data=visit_data(living_rating=Rating.SERIOUS))
    with pytest.raises(ValidationError) as error:
        set_patrol(actor=supervisor_a, child=child_a, patrol=False, reason="情况好转")
    assert "高风险" in error.value.messages[0]
    assert VisitSchedule.objects.get(child=child_a).patrol


def test_suspected_harm_is_a_mandatory_report_mailed_to_the_bureau(
    caseworker_a, child_a, staff, settings, django_capture_on_commit_callbacks
):
    settings.MANDATORY_REPORT_EMAILS = ["duty@mzj.example.cn"]
    settings.SITE_URL = "https://etfl.example.cn"
    staff.email = "staff@mzj.example.cn"
    staff.save()
    with pytest.raises(ValidationError):
        record_visit(actor=caseworker_a, child=child_a, data=visit_data(suspected_harm=True, harm_description=" "))
    data = visit_data(suspected_harm=True, harm_description="背部有淤青，孩子说是继父打的。")
    with django_capture_on_commit_callbacks(execute=True):
        visit = record_visit(actor=caseworker_a, child=child_a, data=data)
    report = MandatoryReport.objects.get(visit=visit)
    assert report.status == "open" and report.reported_by == caseworker_a
    assert visit.risk_level == RiskLevel.HIGH
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["duty@mzj.example.cn", "staff@mzj.example.cn"]
    assert "强制报告" in message.subject and child_a.township.name in message.subject
    assert "https://etfl.example.cn/visits/reports/" in message.body
    assert child_a.name not in message.subject + message.body  # no personal data by e-mail
    assert AuditEntry.objects.filter(object_type="mandatoryreport", child=child_a).exists()


def test_a_report_without_any_address_stays_in_the_app(caseworker_a, child_a, django_capture_on_commit_callbacks):
    data = visit_data(suspected_harm=True, harm_description="独自在家三天无人照料。")
    with django_capture_on_commit_callbacks(execute=True):
        record_visit(actor=caseworker_a, child=child_a, data=data)
    assert mail.outbox == []
    assert MandatoryReport.objects.filter(status="open").count() == 1


def test_a_failing_mail_server_does_not_lose_the_report(
    caseworker_a, child_a, staff, settings, django_capture_on_commit_callbacks, monkeypatch
):
    staff.email = "staff@mzj.example.cn"
    staff.save()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("visits.services.send_mail", refuse)
    data = visit_data(suspected_harm=True, harm_description="独自在家三天无人照料。")
    with django_capture_on_commit_callbacks(execute=True):
        record_visit(actor=caseworker_a, child=child_a, data=data)
    assert MandatoryReport.objects.filter(status="open").count() == 1


def test_staff_handle_a_report_once_with_what_was_done(caseworker_a, child_a, staff):
    visit = record_visit(
        actor=caseworker_a, child=child_a, data=visit_data(suspected_harm=True, harm_description="疑似被遗弃。")
    )
    report = visit.mandatory_report
    with pytest.raises(ValidationError):
        handle_report(actor=staff, report=report, handling="")
    handle_report(actor=staff, report=report, handling="已报告派出所，已安排临时照料。")
    report.refresh_from_db()
    assert report.status == "handled" and report.handled_by == staff
    with pytest.raises(ValidationError):
        handle_report(actor=staff, report=report, handling="再次处置")


def test_review_accept_and_return_with_a_comment(caseworker_a, supervisor_a, child_a):
    visit = record_visit(actor=caseworker_a, child=child_a, data=visit_data())
    with pytest.raises(ValidationError):
        review_visit(actor=caseworker_a, visit=visit, accept=True)  # not one's own
    with pytest.raises(ValidationError) as error:
        review_visit(actor=supervisor_a, visit=visit, accept=False, comment=" ")
    assert "comment" in error.value.message_dict
    review_visit(actor=supervisor_a, visit=visit, accept=False, comment="在场人员漏填，请补充。")
    visit.refresh_from_db()
    assert visit.status == "returned" and visit.reviewed_by == supervisor_a
    with pytest.raises(ValidationError):
        review_visit(actor=supervisor_a, visit=visit, accept=True)  # already reviewed

    with pytest.raises(ValidationError):
        resubmit_visit(actor=supervisor_a, visit=visit, data=visit_data())  # only the visitor
    photo = SimpleUploadedFile("补拍.png", PNG, content_type="image/png")
    resubmit_visit(actor=caseworker_a, visit=visit, data=visit_data(present=["child", "teacher"]), photos=[photo])
    visit.refresh_from_db()
    assert visit.status == "submitted" and visit.present == ["child", "teacher"]
    assert visit.photos.count() == 1
    update = AuditEntry.objects.filter(object_type="visit", action="update").get()
    assert "在场人员" in update.changes
    review_visit(actor=supervisor_a, visit=visit, accept=True)
    visit.refresh_from_db()
    assert visit.status == "accepted"
    decisions = AuditEntry.objects.filter(object_type="visit", action="decision").count()
    assert decisions == 2


def test_new_intervals_redate_every_child(caseworker_a, staff, child_a, child_b, django_capture_on_commit_callbacks):
    record_visit(actor=caseworker_a, child=child_a, data=visit_data())  # low: 180 days
    schedule = VisitSchedule.objects.get(child=child_a)
    assert schedule.due_on == D(2026, 11, 16)
    with django_capture_on_commit_callbacks(execute=True):
        save_intervals(actor=staff, days={"high": 30, "medium": 60, "low": 90, "first": 20})
    schedule.refresh_from_db()
    assert schedule.due_on == D(2026, 8, 18)
    assert VisitSchedule.objects.get(child=child_b).due_on == D(2026, 6, 21)  # added, first visit in 20 days
    assert AuditEntry.objects.filter(object_type="visitinterval").count() == 1
