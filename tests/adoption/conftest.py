"""Adoption cases built through the real services, up to any state of the workflow."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from adoption import services
from adoption.models import AdoptionCase, Dimension, State
from dingzhou_welfare.models import Role
from tests.factories import make_id_number, make_user
from tests.upload_support import PNG

D = datetime.date.fromisoformat


def png(name="材料.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


BORN_1985 = D("1985-04-02")


def applicant_data(*, birth=BORN_1985, sex="M", **overrides) -> dict:
    data = {
        "name": "张建国" if sex == "M" else "李秀梅",
        "id_number": make_id_number(birth, sex),
        "phone": "13900001111",
        "address": "定州市北城区兴华路1号",
        "occupation": "定州市第一中学 教师",
        "marital_status": "married",
        "children_count": 0,
        "health": "healthy",
        "health_note": "",
        "annual_income": Decimal("96000.00"),
        "housing": "owned",
        "housing_area": Decimal("110.0"),
        "record": "none",
        "able_to_raise": True,
    }
    data.update(overrides)
    return data


def case_data(**overrides) -> dict:
    data = {
        "origin": AdoptionCase.Origin.INSTITUTION,
        "parents_unknown": True,
        "collateral_relative": False,
        "applied_on": D("2026-01-05"),
        "placer_kind": AdoptionCase.PlacerKind.INSTITUTION,
        "placer_name": "定州市儿童福利院",
        "placer_id_number": "",
        "placer_address": "定州市中山东路",
        "placer_phone": "",
        "placer_consent_on": D("2026-01-05"),
        "child_consent_on": None,
        "note": "",
    }
    data.update(overrides)
    return data


def upload_all_documents(case, actor):
    for applicant in case.applicants.all():
        for kind in services.APPLICANT_DOCUMENTS:
            services.add_document(
                actor=actor, case=case, party="applicant", applicant=applicant, kind=kind, upload=png()
            )
    for kind in services.PLACER_DOCUMENTS:
        services.add_document(actor=actor, case=case, party="placer", kind=kind, upload=png())
    for kind in services.CHILD_DOCUMENTS[case.origin]:
        services.add_document(actor=actor, case=case, party="child", kind=kind, upload=png())


FINDINGS = {d.value: f"{d.label}：经面谈和家访，情况良好。" for d in Dimension if d != Dimension.INTEGRATION}


def make_case(staff, child, *, up_to=State.DECISION, assessors=None, case=None, applicants=None, dates=None, **data):
    """A case for `child` taken through the services up to the state `up_to` (in the order of the path).

    Dates default to a spring-2026 timeline: applied 5 Jan, told 20 Jan, integration 1 Feb - 15 Mar.
    """
    dates = {
        "notified_on": D("2026-01-20"),
        "start": D("2026-02-01"),
        "end": D("2026-03-15"),
        "report": D("2026-03-16"),
        **(dates or {}),
    }
    if case is None:
        if "child_consent_on" not in data and child.age_on(D("2026-01-05")) >= 8:
            data["child_consent_on"] = D("2026-01-05")
        case = services.open_case(actor=staff, child=child, data=case_data(**data))
        for one in (
            applicants if applicants is not None else [applicant_data(), applicant_data(birth=D("1987-09-09"), sex="F")]
        ):
            services.save_applicant(actor=staff, case=case, data=one)
        upload_all_documents(case, staff)
    order = [State.APPLICATION, State.REVIEW, State.ASSESSMENT, State.INTEGRATION, State.DECISION]
    target = order.index(up_to)
    if target >= 1 and case.state == State.APPLICATION:
        case = services.submit_application(actor=staff, case=case)
    if target >= 2 and case.state == State.REVIEW:
        if assessors is None:
            assessors = [staff, make_user(f"assessor{case.pk}", Role.STAFF)]
        case = services.start_assessment(
            actor=staff, case=case, notified_on=dates["notified_on"], mode="team", assessors=assessors
        )
    if target >= 3 and case.state == State.ASSESSMENT:
        services.record_findings(actor=staff, case=case, findings=FINDINGS)
        case = services.start_integration(actor=staff, case=case, start=dates["start"])
    if target >= 4 and case.state == State.INTEGRATION:
        case = services.complete_assessment(
            actor=staff,
            case=case,
            integration_end=dates["end"],
            integration_finding="孩子与收养人相处融洽，已能安稳入睡、主动交流。",
            report_date=dates["report"],
            conclusion="suitable",
            conclusion_note="收养人具备抚养能力，融合良好，建议准予登记。",
        )
    case.refresh_from_db()
    return case


@pytest.fixture
def frozen(time_machine):
    """Noon on 1 June 2026 in Dingzhou."""
    time_machine.move_to(datetime.datetime(2026, 6, 1, 4, tzinfo=datetime.UTC), tick=False)
