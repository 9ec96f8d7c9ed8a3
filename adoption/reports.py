"""The adoption case's printed documents: the assessment report and the registration record."""

from django.utils import timezone

from dingzhou_welfare.idnumbers import mask_id_number
from dingzhou_welfare.pdf import render_pdf

from .eligibility import check_case
from .models import Dimension


def _parties(case, reveal: bool) -> dict:
    shown = (lambda v: v) if reveal else mask_id_number
    applicants = list(case.applicants.all())
    for applicant in applicants:
        applicant.shown_id = shown(applicant.id_number)
    return {
        "case": case,
        "child": case.child,
        "child_id": shown(case.child.id_number),
        "placer_id": shown(case.placer_id_number),
        "applicants": applicants,
    }


def render_assessment_pdf(case, *, reveal: bool) -> bytes:
    """收养评估报告: parties, the eleven dimensions with findings, red flags, conclusion, signatures."""
    assessment = case.assessment
    findings = {f.dimension: f.finding for f in assessment.findings.all()}
    context = {
        **_parties(case, reveal),
        "assessment": assessment,
        "assessors": list(assessment.assessors.all()),
        "third_party_assessors": [
            n.strip() for n in assessment.third_party_assessors.replace("，", "、").split("、") if n.strip()
        ],
        "dimensions": [(d.label, findings.get(d.value, "")) for d in Dimension],
        "child_age": case.child.age_on(assessment.report_date),
        "printed_at": timezone.localtime(),
    }
    return render_pdf("adoption/pdf/assessment.html", context)


def render_registration_pdf(case, *, reveal: bool) -> bytes:
    """收养登记审查处理表: the conditions checked article by article, and the outcome."""
    day = case.registered_on or timezone.localdate()
    context = {
        **_parties(case, reveal),
        "assessment": getattr(case, "assessment", None),
        "checks": check_case(case, day=day),
        "check_day": day,
        "child_age": case.child.age_on(day),
        "steps": case.steps.select_related("actor"),
        "printed_at": timezone.localtime(),
    }
    return render_pdf("adoption/pdf/registration.html", context)
