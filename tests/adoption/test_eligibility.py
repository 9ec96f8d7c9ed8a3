"""The law's conditions as a table of cases (民法典 1093, 1098, 1100, 1101, 1102, 1104)."""

import datetime

import pytest

from adoption.eligibility import EXEMPT, FAIL, PASS, PENDING, check_case
from adoption.models import AdoptionCase, Applicant
from children.models import Child
from tests.factories import ChildFactory

D = datetime.date.fromisoformat
DAY = D("2026-06-01")


def person(name="张建国", sex="M", birth="1985-04-02", **fields):
    values = {
        "pk": None,
        "name": name,
        "sex": sex,
        "birth_date": D(birth),
        "marital_status": Applicant.Marital.MARRIED,
        "children_count": 0,
        "health": Applicant.Health.HEALTHY,
        "record": Applicant.Record.NONE,
        "able_to_raise": True,
        "annual_income": "80000.00",
        "housing": Applicant.Housing.OWNED,
        "id_number": "",
        **fields,
    }
    applicant = Applicant(**{k: v for k, v in values.items() if k != "pk"})
    return applicant


def wife(**fields):
    return person(**{"name": "李秀梅", "sex": "F", "birth": "1987-09-09", **fields})


def single(**fields):
    return person(**{"marital_status": Applicant.Marital.UNMARRIED, **fields})


def status_of(checks, article):
    """The worst result for the article over every applicant."""
    found = {c.status for c in checks if c.article == article}
    assert found, f"no check for {article}"
    return next(s for s in (FAIL, PENDING, EXEMPT, PASS) if s in found)


# (description, child's sex and birth, case fields, applicants, article, expected status)
TABLE = [
    ("couple, both over 30", ("F", "2022-01-01"), {}, lambda: [person(), wife()], "1098(5)", PASS),
    ("one spouse 29", ("F", "2022-01-01"), {}, lambda: [person(), wife(birth="1996-06-02")], "1098(5)", FAIL),
    ("30 on the very day", ("M", "2022-01-01"), {}, lambda: [single(birth="1996-06-01")], "1098(5)", PASS),
    ("two children already", ("M", "2022-01-01"), {}, lambda: [single(children_count=2)], "1098(1)", FAIL),
    ("one child", ("M", "2022-01-01"), {}, lambda: [single(children_count=1)], "1098(1)", PASS),
    (
        "two children, but the child is disabled (1100)",
        ("M", "2022-01-01", {"disability_type": "physical", "disability_grade": 2}),
        {},
        lambda: [single(children_count=2)],
        "1098(1)",
        EXEMPT,
    ),
    (
        "two children, institution child whose parents cannot be found",
        ("M", "2022-01-01"),
        {"origin": "institution", "parents_unknown": True},
        lambda: [single(children_count=2)],
        "1100",
        EXEMPT,
    ),
    ("ability not yet confirmed", ("M", "2022-01-01"), {}, lambda: [single(able_to_raise=None)], "1098(2)", PENDING),
    ("not able to raise", ("M", "2022-01-01"), {}, lambda: [single(able_to_raise=False)], "1098(2)", FAIL),
    ("excluding illness", ("M", "2022-01-01"), {}, lambda: [single(health="excluding")], "1098(3)", FAIL),
    ("illness not excluding", ("M", "2022-01-01"), {}, lambda: [single(health="ill_not_excluding")], "1098(3)", PASS),
    ("harmful record", ("M", "2022-01-01"), {}, lambda: [single(record="harmful")], "1098(4)", FAIL),
    ("record not harmful", ("M", "2022-01-01"), {}, lambda: [single(record="not_harmful")], "1098(4)", PASS),
    ("childless: a first adoption", ("M", "2022-01-01"), {}, lambda: [single(children_count=0)], "1100", PASS),
    ("married but adopting alone", ("M", "2022-01-01"), {}, lambda: [person()], "1101", FAIL),
    (
        "two applicants not married",
        ("M", "2022-01-01"),
        {},
        lambda: [single(), wife(marital_status="divorced")],
        "1101",
        FAIL,
    ),
    ("spouses jointly", ("M", "2022-01-01"), {}, lambda: [person(), wife()], "1101", PASS),
    ("single man, girl, 36 years apart", ("F", "2021-04-02"), {}, lambda: [single()], "1102", FAIL),
    ("single man, girl, exactly 40 years apart", ("F", "2025-04-02"), {}, lambda: [single()], "1102", PASS),
    ("single man, girl, one day short of 40", ("F", "2025-04-01"), {}, lambda: [single()], "1102", FAIL),
    ("single man, boy", ("M", "2021-04-02"), {}, lambda: [single()], "1102", PASS),
    (
        "single woman, boy, collateral relative (1099)",
        ("M", "2021-04-02"),
        {"collateral_relative": True},
        lambda: [single(sex="F", name="王芳")],
        "1102",
        EXEMPT,
    ),
    ("couple, girl: 1102 does not apply", ("F", "2021-04-02"), {}, lambda: [person(), wife()], "1102", PASS),
    ("child 7: no consent needed", ("F", "2019-06-02"), {}, lambda: [person(), wife()], "1104", PASS),
    ("child 8 today, no consent yet", ("F", "2018-06-01"), {}, lambda: [person(), wife()], "1104", PENDING),
    (
        "child 8 with consent",
        ("F", "2018-06-01"),
        {"child_consent_on": D("2026-06-01")},
        lambda: [person(), wife()],
        "1104",
        PASS,
    ),
    (
        "child 18: not a minor",
        ("F", "2008-05-31"),
        {"child_consent_on": D("2026-05-01")},
        lambda: [person(), wife()],
        "1093",
        FAIL,
    ),
]


@pytest.mark.parametrize(
    ("child_spec", "case_fields", "applicants", "article", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE],
)
def test_condition(db, township_a, child_spec, case_fields, applicants, article, expected):
    sex, birth, *extra = child_spec
    child = ChildFactory(township=township_a, sex=sex, birth_date=D(birth), **(extra[0] if extra else {}))
    fields = {"origin": "guardian", "parents_unknown": False, "placer_consent_on": D("2026-01-01"), **case_fields}
    case = AdoptionCase(child=child, **fields)
    checks = check_case(case, day=DAY, applicants=applicants())
    if article == "1104":
        checks = [c for c in checks if c.article == "1104" and "八周岁" in c.condition]
    assert status_of(checks, article) == expected, [(c.article, c.status, c.reason) for c in checks]


def test_orphan_exempts_from_1100(db, township_a, staff):
    from tests.subsidies.conftest import make_orphan

    child = make_orphan(ChildFactory(township=township_a), staff, since=D("2024-01-01"))
    case = AdoptionCase(child=child, origin="guardian", placer_consent_on=D("2026-01-01"))
    checks = check_case(case, day=DAY, applicants=[single(children_count=3)])
    assert status_of(checks, "1100") == EXEMPT
    assert status_of(checks, "1098(1)") == EXEMPT
    assert "孤儿" in next(c for c in checks if c.article == "1100").reason


def test_parallel_cases_count_against_1100(db, township_a, staff):
    """A person with one child may adopt one: a second case in progress fails 1100."""
    from tests.adoption.conftest import applicant_data, make_case

    mother = applicant_data(sex="F", marital_status="unmarried", children_count=1)
    placed = {"origin": "guardian", "parents_unknown": False, "up_to": "application", "applicants": [mother]}
    first = make_case(staff, ChildFactory(township=township_a, sex="F"), **placed)
    second = make_case(staff, ChildFactory(township=township_a, sex="F"), **placed)
    checks = check_case(second, day=DAY)
    assert status_of(checks, "1100") == FAIL
    assert "另有1件" in next(c for c in checks if c.article == "1100").reason
    assert status_of(check_case(first, day=DAY), "1100") == FAIL  # each blocks the other until one ends


def test_no_applicant_is_pending(db, township_a):
    case = AdoptionCase(child=ChildFactory(township=township_a), origin="guardian")
    checks = check_case(case, day=DAY, applicants=[])
    assert [c.status for c in checks] == [PASS, PENDING]


def test_every_check_names_its_article_and_reason(db, township_a):
    case = AdoptionCase(child=ChildFactory(township=township_a, sex=Child._meta.get_field("sex").choices[1][0]))
    case.origin = "guardian"
    for check in check_case(case, day=DAY, applicants=[single()]):
        assert check.article[:4] in {"1093", "1098", "1100", "1101", "1102", "1104"}
        assert check.reason
        assert check.status_label
