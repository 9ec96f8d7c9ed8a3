"""Demo adoption cases on the demo children (manage.py demo_data), one in each stage of the workflow.

Made through the real services, so every case has its steps, audit entries and documents. Applicants,
institutions and findings are fictitious. The case in 登记审查 is ready to be registered by demo_staff.
"""

import datetime
import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from children.models import Child, ClassificationKind
from dingzhou_welfare.idnumbers import check_char

from . import services
from .models import AdoptionCase, CaseDocument, Dimension, State

INSTITUTION = "定州市儿童福利院（演示）"
THIRD_PARTY = {
    "mode": "third_party",
    "third_party_name": "定州市阳光社会工作服务中心（演示）",
    "third_party_agreement": "DZ-SG-2026-001（演示）",
    "third_party_assessors": "刘洋、陈静",
}
FAMILIES = [
    (("赵志刚", "M", datetime.date(1984, 3, 12)), ("孙丽", "F", datetime.date(1986, 7, 21))),
    (("钱卫东", "M", datetime.date(1981, 11, 2)), ("周敏", "F", datetime.date(1983, 1, 30))),
    (("吴海峰", "M", datetime.date(1979, 5, 18)), ("郑慧", "F", datetime.date(1982, 9, 9))),
    (("冯建军", "M", datetime.date(1977, 8, 8)), ("陈秀英", "F", datetime.date(1980, 12, 1))),
    (("褚国强", "M", datetime.date(1983, 4, 4)), ("卫芳", "F", datetime.date(1985, 6, 16))),
]
FINDING = {
    Dimension.MOTIVE: "夫妻多年未育，希望给孩子一个稳定的家，动机纯正。",
    Dimension.CHARACTER: "邻里和单位评价良好，无不良记录。",
    Dimension.EDUCATION: "男方大专，女方中专。",
    Dimension.HEALTH: "县医院体检结论均为健康。",
    Dimension.ECONOMY_HOUSING: "家庭年收入约十二万元，自有住房三室一厅。",
    Dimension.MARRIAGE_FAMILY: "婚姻关系稳定，家庭和睦。",
    Dimension.HOUSEHOLD_OPINION: "共同生活的老人支持收养。",
    Dimension.UPBRINGING_PLAN: "已联系就近幼儿园和小学，制定了抚育计划。",
    Dimension.NEIGHBOURS: "与邻里关系融洽。",
    Dimension.COMMUNITY: "社区环境安全，配套齐全。",
}


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 100), "#f4f1e8")
    ImageDraw.Draw(image).rectangle((10, 10, 150, 90), outline="#9a8f75", width=3)
    data = io.BytesIO()
    image.save(data, "PNG")
    return data.getvalue()


def _id_number(birth: datetime.date, sex: str, n: int) -> str:
    first17 = f"130682{birth:%Y%m%d}{(n * 2 + (1 if sex == 'M' else 0)) % 1000:03d}"
    return first17 + check_char(first17)


def wipe(children) -> None:
    """Remove the demo's cases (and their files), so the demo children can be deleted."""
    for document in CaseDocument.objects.filter(case__child__in=children):
        document.file.delete(save=False)
    AdoptionCase.objects.filter(child__in=children).delete()


@transaction.atomic
def seed(children, *, today: datetime.date) -> dict:
    """Five cases on institution orphans and other demo children: application, review, integration,
    decision (ready to register) and one withdrawn. None is registered, so the registry keeps the
    bureau's published figures until someone registers the ready case through the pages."""
    staff = get_user_model().objects.get(username="demo_staff")
    picture = _png()
    candidates = list(
        children.filter(
            status=Child.Status.ACTIVE,
            classifications__kind=ClassificationKind.ORPHAN_INSTITUTIONAL,
            classifications__end_date__isnull=True,
            birth_date__gt=datetime.date(today.year - 14, 1, 1),
        ).order_by("pk")[:5]
    )
    if len(candidates) < 5:  # a very small --scale: any young demo children will do
        taken = {c.pk for c in candidates}
        more = children.filter(status=Child.Status.ACTIVE, birth_date__gt=datetime.date(today.year - 14, 1, 1))
        candidates += list(more.exclude(pk__in=taken).order_by("pk")[: 5 - len(candidates)])
    targets = [State.APPLICATION, State.REVIEW, State.INTEGRATION, State.DECISION, State.WITHDRAWN]
    made = {}
    for n, (child, target, family) in enumerate(zip(candidates, targets, FAMILIES, strict=False)):
        made[target] = _case(staff, child, target, family, today=today, n=n, picture=picture)
    return {"cases": len(made), "ready": made.get(State.DECISION)}


def _case(staff, child, target, family, *, today, n, picture):
    day = lambda k: today - datetime.timedelta(days=k)  # noqa: E731
    old = child.age_on(day(120)) >= 8
    case = services.open_case(
        actor=staff,
        child=child,
        data={
            "origin": AdoptionCase.Origin.INSTITUTION,
            "parents_unknown": True,
            "collateral_relative": False,
            "applied_on": day(120),
            "placer_kind": AdoptionCase.PlacerKind.INSTITUTION,
            "placer_name": INSTITUTION,
            "placer_id_number": "",
            "placer_address": "定州市中山东路（演示）",
            "placer_phone": "",
            "placer_consent_on": day(118),
            "child_consent_on": day(110) if old else None,
            "note": "演示案件（虚构）",
        },
    )
    for position, (name, sex, birth) in enumerate(family, start=1):
        services.save_applicant(
            actor=staff,
            case=case,
            data={
                "name": name,
                "id_number": _id_number(birth, sex, 400 + n * 2 + position),
                "phone": "",
                "address": "定州市北城区（演示）",
                "occupation": "个体经营（演示）",
                "marital_status": "married",
                "children_count": 0,
                "health": "healthy",
                "health_note": "县医院体检合格",
                "annual_income": Decimal("120000.00"),
                "housing": "owned",
                "housing_area": Decimal("105.0"),
                "record": "none",
                "able_to_raise": True if target != State.APPLICATION else None,
            },
        )
    for applicant in case.applicants.all():
        kinds = services.APPLICANT_DOCUMENTS if target != State.APPLICATION else services.APPLICANT_DOCUMENTS[:2]
        for kind in kinds:
            upload = SimpleUploadedFile(f"{kind}.png", picture, content_type="image/png")
            services.add_document(
                actor=staff, case=case, party="applicant", applicant=applicant, kind=kind, upload=upload
            )
    if target == State.APPLICATION:
        return case  # waiting for the rest of the documents
    for party, kinds in (("placer", services.PLACER_DOCUMENTS), ("child", services.CHILD_DOCUMENTS[case.origin])):
        for kind in kinds:
            upload = SimpleUploadedFile(f"{kind}.png", picture, content_type="image/png")
            services.add_document(actor=staff, case=case, party=party, kind=kind, upload=upload)
    case = services.submit_application(actor=staff, case=case, note="材料齐全，予以受理（演示）")
    if target == State.REVIEW:
        return case
    if target == State.WITHDRAWN:
        return services.withdraw_case(actor=staff, case=case, reason="收养人家庭变故，暂缓收养（演示）")
    case = services.start_assessment(actor=staff, case=case, notified_on=day(100), **THIRD_PARTY)
    services.record_findings(actor=staff, case=case, findings={d.value: text for d, text in FINDING.items()})
    started = day(20) if target == State.INTEGRATION else day(90)
    case = services.start_integration(actor=staff, case=case, start=started)
    if target == State.INTEGRATION:
        return case
    case = services.complete_assessment(
        actor=staff,
        case=case,
        integration_end=day(45),
        integration_finding="融合期内孩子作息规律，与收养人建立了依恋关系。",
        report_date=day(40),
        conclusion="suitable",
        conclusion_note="收养人具备抚养、教育和保护被收养人的能力，融合良好，建议准予登记。",
    )
    return case
