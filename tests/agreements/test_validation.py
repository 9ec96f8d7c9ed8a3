"""Agreement checks (未成年人保护法 Art. 21-22): each exclusion, a minor carer, capacity, the period."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from children.agreements import services as agreements
from children.models import Carer, GuardianshipAgreement
from dingzhou_welfare.models import AuditEntry
from tests.factories import make_id_number

from .support import GRANDMOTHER_ID, PNG, agreement_data

pytestmark = pytest.mark.django_db

# (what is wrong, overrides, the field that must carry the error, words of the message)
INVALID = [
    ("no full capacity", {"carer_full_capacity": False}, "carer_full_capacity", "完全民事行为能力"),
    ("not able to care", {"carer_able_to_care": False}, "carer_able_to_care", "照护能力"),
    ("exclusion 1: harm", {"no_harm_record": False}, "no_harm_record", "第二十二条第一项"),
    ("exclusion 2: habits", {"no_bad_habits": False}, "no_bad_habits", "第二十二条第二项"),
    ("exclusion 3: neglect", {"no_neglect_record": False}, "no_neglect_record", "第二十二条第三项"),
    ("exclusion 4: other", {"no_other_unsuitability": False}, "no_other_unsuitability", "第二十二条第四项"),
    ("art. 21: infectious disease", {"no_infectious_disease": False}, "no_infectious_disease", "第二十一条"),
    (
        "carer 17 on the first day",
        {"carer_id_number": make_id_number(datetime.date(2008, 3, 2), "M"), "carer_relationship": "sibling"},
        "carer_id_number",
        "未满18周岁（2026-03-02 年满18周岁）",
    ),
    ("no carer ID number", {"carer_id_number": ""}, "carer_id_number", "用于核实其已成年"),
    ("carer ID checksum", {"carer_id_number": GRANDMOTHER_ID[:17] + "Y"}, "carer_id_number", "身份证号"),
    ("carer is a parent", {"carer_relationship": "father"}, "carer_relationship", "不能是委托人本人"),
    ("end before start", {"period_end": datetime.date(2026, 2, 1)}, "period_end", "应晚于起始日期"),
    ("end on start", {"period_end": datetime.date(2026, 3, 1)}, "period_end", "应晚于起始日期"),
    ("past the 18th birthday", {"period_end": datetime.date(2033, 3, 14)}, "period_end", "2033-03-14"),
    ("start before birth", {"period_start": datetime.date(2015, 1, 1)}, "period_start", "早于儿童出生日期"),
    ("no parent", {"father_name": "", "mother_name": "", "father_work_place": ""}, "__all__", "至少填写一位委托人"),
    ("notified in the future", {"school_notified_on": datetime.date(2026, 6, 2)}, "school_notified_on", "晚于今天"),
]


@pytest.mark.parametrize(("case", "overrides", "field", "words"), INVALID, ids=[c[0] for c in INVALID])
def test_an_invalid_agreement_is_refused_on_its_field_and_nothing_is_written(
    left_behind_a, staff, case, overrides, field, words
):
    carers_before = Carer.objects.count()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data(**overrides))
    errors = caught.value.message_dict
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]
    assert not GuardianshipAgreement.objects.exists()
    assert Carer.objects.count() == carers_before
    assert AuditEntry.objects.count() == audit_before


def test_a_carer_who_turns_18_on_the_first_day_may_sign(left_behind_a, staff):
    brother = make_id_number(datetime.date(2008, 3, 1), "M")
    agreement = agreements.save_agreement(
        actor=staff,
        child=left_behind_a,
        data=agreement_data(carer_id_number=brother, carer_relationship="sibling", carer_name="王大伟"),
    )
    assert agreement.status == GuardianshipAgreement.Status.DRAFT


def test_every_missing_declaration_is_reported_at_once(left_behind_a, staff):
    missing = dict.fromkeys(agreements.DECLARATIONS, False)
    with pytest.raises(ValidationError) as caught:
        agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data(**missing))
    assert set(agreements.DECLARATIONS) <= set(caught.value.message_dict)


def test_a_valid_agreement_is_a_draft_the_carer_becomes_the_primary_carer_and_it_is_audited(left_behind_a, staff):
    agreement = agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    assert agreement.status == GuardianshipAgreement.Status.DRAFT
    assert agreement.carer.name == "王桂兰"
    assert agreement.carer.is_primary
    assert agreement.carer.capacity == Carer.Capacity.FULL
    entry = AuditEntry.objects.filter(object_type="guardianshipagreement").get()
    assert entry.child == left_behind_a
    assert entry.actor == staff
    assert "王桂兰" in entry.summary
    # The audit trail keeps ID numbers and phones masked.
    assert GRANDMOTHER_ID not in str(entry.changes)
    assert "13800002222" not in str(entry.changes)


def test_the_same_carer_is_updated_not_added_again(left_behind_a, staff):
    agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data(carer_phone="13800003333"))
    carer = left_behind_a.carers.get()
    assert carer.phone == "13800003333"


def _scan(name="确认书.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_signing_stores_the_scan_as_a_child_document_and_is_audited(left_behind_a, staff):
    draft = agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    signed = agreements.sign_agreement(actor=staff, agreement=draft, signed_on=datetime.date(2026, 3, 1), scan=_scan())
    assert signed.status == GuardianshipAgreement.Status.SIGNED
    assert signed.scan.kind == "guardianship_agreement"
    assert signed.scan.child == left_behind_a
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DECISION, object_type="guardianshipagreement").exists()
    with pytest.raises(ValidationError):
        agreements.sign_agreement(actor=staff, agreement=draft, signed_on=datetime.date(2026, 3, 1), scan=_scan())


def test_two_signed_agreements_may_not_overlap(left_behind_a, staff):
    first = agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    agreements.sign_agreement(actor=staff, agreement=first, signed_on=datetime.date(2026, 3, 1), scan=_scan())
    second = agreements.save_agreement(
        actor=staff, child=left_behind_a, data=agreement_data(period_start=datetime.date(2027, 2, 1))
    )
    with pytest.raises(ValidationError) as caught:
        agreements.sign_agreement(actor=staff, agreement=second, signed_on=datetime.date(2026, 5, 1), scan=_scan())
    assert "期限不能重叠" in str(caught.value)
    renewal = agreements.save_agreement(
        actor=staff,
        child=left_behind_a,
        data=agreement_data(period_start=datetime.date(2027, 3, 1), period_end=datetime.date(2028, 2, 29)),
    )
    agreements.sign_agreement(actor=staff, agreement=renewal, signed_on=datetime.date(2026, 5, 20), scan=_scan())


def test_a_carer_under_18_on_the_signing_day_is_refused_even_if_18_at_the_start(left_behind_a, staff):
    brother = make_id_number(datetime.date(2008, 5, 1), "M")
    draft = agreements.save_agreement(
        actor=staff,
        child=left_behind_a,
        data=agreement_data(
            carer_id_number=brother,
            carer_relationship="sibling",
            period_start=datetime.date(2026, 5, 1),
            period_end=datetime.date(2027, 4, 30),
        ),
    )
    with pytest.raises(ValidationError) as caught:
        agreements.sign_agreement(actor=staff, agreement=draft, signed_on=datetime.date(2026, 4, 20), scan=_scan())
    assert "未满18周岁" in str(caught.value.message_dict["carer_id_number"])


def test_ending_early_shortens_the_period_and_a_signed_one_cannot_be_discarded_as_a_draft(left_behind_a, staff):
    draft = agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    signed = agreements.sign_agreement(actor=staff, agreement=draft, signed_on=datetime.date(2026, 3, 1), scan=_scan())
    with pytest.raises(ValidationError):
        agreements.end_agreement(actor=staff, agreement=signed, ended_on=datetime.date(2026, 5, 1), reason="not_signed")
    with pytest.raises(ValidationError):
        agreements.end_agreement(actor=staff, agreement=signed, ended_on=datetime.date(2026, 7, 1), reason="other")
    ended = agreements.end_agreement(
        actor=staff, agreement=signed, ended_on=datetime.date(2026, 5, 10), reason="carer_unsuitable", note="村委会评估"
    )
    assert ended.status == GuardianshipAgreement.Status.ENDED
    assert ended.period_end == datetime.date(2026, 5, 10)
    assert not ended.covers(datetime.date(2026, 6, 1))


def test_a_closed_child_gets_no_new_agreement(left_behind_a, staff):
    from children.services import close_child

    close_child(actor=staff, child=left_behind_a, reason="moved_away", closed_on=datetime.date(2026, 5, 1))
    left_behind_a.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    assert "已销档" in str(caught.value)


def test_initial_data_comes_from_the_case_file(left_behind_a, staff):
    Carer.objects.create(
        child=left_behind_a, name="王桂兰", id_number=GRANDMOTHER_ID, relationship="paternal_grandparent"
    )
    data = agreements.initial_data(left_behind_a, today=datetime.date(2026, 6, 1))
    assert data["father_name"] == "王建军"
    assert data["mother_work_place"] == "北京市大兴区某物流公司"
    assert data["father_away_since"] == datetime.date(2024, 3, 1)
    assert data["carer_name"] == "王桂兰"
    assert data["period_start"] == datetime.date(2026, 6, 1)
    assert data["period_end"] == datetime.date(2027, 5, 31)
    assert "外出务工" in data["reason_unable"]


def test_the_scan_stays_while_its_agreement_does_but_the_childs_record_can_still_be_deleted(left_behind_a, staff):
    from django.db.models import RestrictedError

    draft = agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    signed = agreements.sign_agreement(actor=staff, agreement=draft, signed_on=datetime.date(2026, 3, 1), scan=_scan())
    with pytest.raises(RestrictedError):
        signed.scan.delete()
    left_behind_a.delete()
    assert not GuardianshipAgreement.objects.exists()
