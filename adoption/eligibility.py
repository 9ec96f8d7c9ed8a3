"""The law's conditions for an adoption (民法典 2021), each result with the article behind it.

Pure functions of the case as stored: the case page shows them, review refuses a case with a failing
condition, and registration needs every condition met (passed or exempt).
"""

import dataclasses
import datetime

from django.utils.translation import gettext as _

from children.models import Child, ClassificationKind

PASS, FAIL, PENDING, EXEMPT = "pass", "fail", "pending", "exempt"
ORPHAN_KINDS = {ClassificationKind.ORPHAN_SCATTERED, ClassificationKind.ORPHAN_INSTITUTIONAL}


@dataclasses.dataclass(frozen=True)
class Check:
    article: str  # "1098(5)"
    condition: str  # what the law asks
    status: str  # pass / fail / pending / exempt
    reason: str  # why, in the clerk's words

    @property
    def blocks(self) -> bool:
        return self.status in (FAIL, PENDING)

    @property
    def status_label(self) -> str:
        return {PASS: _("符合"), FAIL: _("不符合"), PENDING: _("待补充"), EXEMPT: _("豁免")}[self.status]


def exemption_1100(case, child: Child, day: datetime.date) -> str:
    """Why 民法典 1100 (and 1098(1)) do not apply to this child, or "" if they do."""
    kinds = set(child.classifications.current_on(day).values_list("kind", flat=True))
    if kinds & ORPHAN_KINDS:
        return _("被收养人为孤儿")
    if child.disability_type or child.health_status == Child.HealthStatus.DISABLED:
        return _("被收养人为残疾未成年人")
    if case.origin == case.Origin.INSTITUTION and case.parents_unknown:
        return _("被收养人为儿童福利机构抚养的查找不到生父母的未成年人")
    return ""


def other_open_cases(case, applicant) -> int:
    """Other cases of the same person still in progress: they count against 民法典 1100.

    Adoptions already registered are among the applicant's existing children (children_count).
    """
    from .models import AdoptionCase

    return (
        AdoptionCase.objects.open()
        .filter(applicants__id_number=applicant.id_number)
        .exclude(pk=case.pk)
        .distinct()
        .count()
    )


def check_case(case, *, day: datetime.date, applicants=None) -> list[Check]:
    """Every condition of the case on `day` (the review day, or the registration day)."""
    child = case.child
    applicants = list(case.applicants.all()) if applicants is None else applicants
    checks: list[Check] = []
    age = child.age_on(day)

    if age >= 18:
        checks.append(Check("1093", _("被收养人为未成年人"), FAIL, _("被收养人已满18周岁（%(a)d岁）。") % {"a": age}))
    else:
        checks.append(Check("1093", _("被收养人为未成年人"), PASS, _("被收养人%(a)d周岁。") % {"a": age}))

    if not applicants:
        checks.append(Check("1098", _("收养人条件"), PENDING, _("尚未登记收养人。")))
        return checks

    exempt = exemption_1100(case, child, day)
    for person in applicants:
        who = person.name
        years = person.age_on(day)
        if years >= 30:
            checks.append(Check("1098(5)", _("年满三十周岁"), PASS, _("%(n)s %(a)d周岁。") % {"n": who, "a": years}))
        else:
            checks.append(
                Check(
                    "1098(5)",
                    _("年满三十周岁"),
                    FAIL,
                    _("%(n)s %(a)d周岁，须年满30周岁（%(d)s 满30周岁）。")
                    % {"n": who, "a": years, "d": person.turns(30).isoformat()},
                )
            )
        if exempt:
            checks.append(
                Check("1098(1)", _("无子女或者只有一名子女"), EXEMPT, _("%(r)s（第1100条第三款）。") % {"r": exempt})
            )
        elif person.children_count <= 1:
            checks.append(
                Check(
                    "1098(1)",
                    _("无子女或者只有一名子女"),
                    PASS,
                    _("%(n)s 现有子女%(c)d名。") % {"n": who, "c": person.children_count},
                )
            )
        else:
            checks.append(
                Check(
                    "1098(1)",
                    _("无子女或者只有一名子女"),
                    FAIL,
                    _("%(n)s 现有子女%(c)d名。") % {"n": who, "c": person.children_count},
                )
            )
        if person.able_to_raise is None:
            checks.append(
                Check(
                    "1098(2)", _("有抚养、教育和保护被收养人的能力"), PENDING, _("%(n)s：初审尚未确认。") % {"n": who}
                )
            )
        elif person.able_to_raise:
            checks.append(
                Check(
                    "1098(2)",
                    _("有抚养、教育和保护被收养人的能力"),
                    PASS,
                    _("%(n)s：年收入%(i)s元，%(h)s。")
                    % {"n": who, "i": person.annual_income, "h": person.get_housing_display()},
                )
            )
        else:
            checks.append(
                Check("1098(2)", _("有抚养、教育和保护被收养人的能力"), FAIL, _("%(n)s：初审认定不具备。") % {"n": who})
            )
        if person.health == person.Health.EXCLUDING:
            checks.append(
                Check(
                    "1098(3)",
                    _("未患有医学上认为不应当收养子女的疾病"),
                    FAIL,
                    _("%(n)s：体检结论不宜收养。") % {"n": who},
                )
            )
        else:
            checks.append(
                Check(
                    "1098(3)",
                    _("未患有医学上认为不应当收养子女的疾病"),
                    PASS,
                    _("%(n)s：%(h)s。") % {"n": who, "h": person.get_health_display()},
                )
            )
        if person.record == person.Record.HARMFUL:
            checks.append(
                Check(
                    "1098(4)",
                    _("无不利于被收养人健康成长的违法犯罪记录"),
                    FAIL,
                    _("%(n)s：%(r)s。") % {"n": who, "r": person.get_record_display()},
                )
            )
        else:
            checks.append(
                Check(
                    "1098(4)",
                    _("无不利于被收养人健康成长的违法犯罪记录"),
                    PASS,
                    _("%(n)s：%(r)s。") % {"n": who, "r": person.get_record_display()},
                )
            )
        # 1100: a childless adopter may adopt two, one with a child one; parallel cases count too.
        others = other_open_cases(case, person) if person.pk else 0
        allowed = 2 if person.children_count == 0 else 1
        if exempt:
            checks.append(Check("1100", _("收养人数限制"), EXEMPT, _("%(r)s，不受人数限制。") % {"r": exempt}))
        elif 1 + others <= allowed:
            checks.append(
                Check(
                    "1100",
                    _("收养人数限制"),
                    PASS,
                    _("%(n)s 可收养%(a)d名，本案为第%(k)d名。") % {"n": who, "a": allowed, "k": 1 + others},
                )
            )
        else:
            checks.append(
                Check(
                    "1100",
                    _("收养人数限制"),
                    FAIL,
                    _("%(n)s 现有子女%(c)d名，只能收养%(a)d名，另有%(o)d件收养案件在办。")
                    % {"n": who, "c": person.children_count, "a": allowed, "o": others},
                )
            )

    checks.append(_joint(applicants))
    checks.append(_age_gap(case, child, applicants))
    checks.append(_child_consent(case, child, day))
    checks.append(_placer_consent(case))
    return checks


def _joint(applicants) -> Check:
    """民法典 1101: a married person adopts jointly with the spouse; two applicants are spouses."""
    label = _("有配偶者须夫妻共同收养")
    if len(applicants) == 2:
        if all(p.marital_status == p.Marital.MARRIED for p in applicants):
            if applicants[0].sex == applicants[1].sex:
                return Check("1101", label, FAIL, _("两名收养人性别相同，不能作为夫妻共同收养。"))
            return Check("1101", label, PASS, _("夫妻共同收养。"))
        return Check("1101", label, FAIL, _("两人共同收养须为夫妻，双方婚姻状况均应为已婚。"))
    (only,) = applicants
    if only.marital_status == only.Marital.MARRIED:
        return Check(
            "1101", label, FAIL, _("%(n)s 已婚，须与配偶共同收养：请登记收养人二（配偶）。") % {"n": only.name}
        )
    return Check(
        "1101", label, PASS, _("%(n)s %(m)s，单方收养。") % {"n": only.name, "m": only.get_marital_status_display()}
    )


def _age_gap(case, child, applicants) -> Check:
    """民法典 1102: a single adopter of a child of the other sex is at least 40 years older."""
    label = _("无配偶者收养异性子女，年龄应相差四十周岁以上")
    if len(applicants) != 1 or applicants[0].marital_status == applicants[0].Marital.MARRIED:
        return Check("1102", label, PASS, _("非无配偶者单方收养，不适用。"))
    (only,) = applicants
    if only.sex == child.sex:
        return Check("1102", label, PASS, _("收养同性子女，不适用。"))
    if case.collateral_relative:
        return Check("1102", label, EXEMPT, _("收养三代以内旁系同辈血亲的子女（第1099条）。"))
    from children.models import add_years

    if add_years(only.birth_date, 40) <= child.birth_date:
        return Check("1102", label, PASS, _("%(n)s 与被收养人年龄相差四十周岁以上。") % {"n": only.name})
    years = child.birth_date.year - only.birth_date.year
    return Check(
        "1102",
        label,
        FAIL,
        _("%(n)s（%(a)s 出生）与被收养人（%(b)s 出生）相差不足四十周岁（约%(y)d岁）。")
        % {"n": only.name, "a": only.birth_date.isoformat(), "b": child.birth_date.isoformat(), "y": years},
    )


def _child_consent(case, child, day) -> Check:
    label = _("被收养人年满八周岁的，应当征得其同意")
    age = child.age_on(day)
    if age < 8:
        return Check("1104", label, PASS, _("被收养人%(a)d周岁，不满八周岁。") % {"a": age})
    if case.child_consent_on:
        return Check("1104", label, PASS, _("已于 %(d)s 征得被收养人同意。") % {"d": case.child_consent_on.isoformat()})
    return Check("1104", label, PENDING, _("被收养人%(a)d周岁，尚未登记其同意。") % {"a": age})


def _placer_consent(case) -> Check:
    label = _("收养人收养与送养人送养，应当双方自愿")
    if case.placer_consent_on:
        return Check(
            "1104", label, PASS, _("送养人已于 %(d)s 书面同意送养。") % {"d": case.placer_consent_on.isoformat()}
        )
    return Check("1104", label, PENDING, _("尚未登记送养人的书面送养意见。"))


def blocking(checks: list[Check], *, pending_too: bool) -> list[Check]:
    return [c for c in checks if c.status == FAIL or (pending_too and c.status == PENDING)]
