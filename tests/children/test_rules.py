"""Classification rules (DOMAIN.md section 1) as tables of cases, then through the page."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from children import services
from children.models import Child, Classification, ClassificationKind, ParentSituation
from children.rules import UNSUPPORTING, classification_problems, situations_on

Kind = ClassificationKind
S = ParentSituation.Situation
FATHER, MOTHER = ParentSituation.Parent.FATHER, ParentSituation.Parent.MOTHER
TODAY = datetime.date(2026, 6, 1)
BORN = datetime.date(2015, 3, 14)
START = datetime.date(2026, 5, 1)
EIGHT = sorted(UNSUPPORTING)
DEAD_OR_MISSING = [S.DEAD, S.DECLARED_MISSING]


def child(**fields):
    """An unsaved child: the rules read single-row fields only when parents are given."""
    values = {"birth_date": BORN, "sex": "M", "hukou_type": Child.HukouType.RURAL, **fields}
    return Child(**values)


def problems(kind, father, mother, *, start=START, open_kinds=frozenset(), **fields):
    return classification_problems(
        child(**fields), kind, start, parents={FATHER: father, MOTHER: mother}, open_kinds=open_kinds, today=TODAY
    )


def test_the_eight_situations_are_those_of_62_and_125():
    assert set(EIGHT) == {
        S.SEVERE_DISABILITY,
        S.SERIOUS_ILLNESS,
        S.IMPRISONED,
        S.DRUG_REHAB,
        S.RESTRICTED_LIBERTY,
        S.LOST_CONTACT,
        S.GUARDIANSHIP_REVOKED,
        S.DEPORTED,
    }


# --- orphans -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.ORPHAN_SCATTERED, Kind.ORPHAN_INSTITUTIONAL])
@pytest.mark.parametrize(
    ("father", "mother"),
    [
        (S.DEAD, S.DEAD),
        (S.DEAD, S.DECLARED_MISSING),
        (S.DECLARED_MISSING, S.DEAD),
        (S.DECLARED_MISSING, S.DECLARED_MISSING),
        (S.UNKNOWN, S.UNKNOWN),
        (S.DEAD, S.UNKNOWN),
    ],
)
def test_orphan_when_both_parents_dead_missing_or_unknown(kind, father, mother):
    assert problems(kind, father, mother) == []


@pytest.mark.parametrize(
    ("father", "mother"),
    [
        (S.DEAD, S.ALIVE_ABLE),
        (S.ALIVE_ABLE, S.DEAD),
        (S.DEAD, S.IMPRISONED),
        (S.DECLARED_MISSING, S.WORKING_AWAY),
        (S.DEAD, None),
        (None, None),
    ],
)
def test_not_an_orphan_while_a_parent_may_be_alive(father, mother):
    found = problems(Kind.ORPHAN_SCATTERED, father, mother)
    assert len(found) == 1
    assert "孤儿须父母双方均死亡、宣告失踪或查找不到" in found[0]
    if father is None and mother is None:
        assert "父亲：未登记；母亲：未登记" in found[0]


# --- 事实无人抚养儿童, 民发〔2019〕62号: the Gangcheng-style matrix ------------------------------------


@pytest.mark.parametrize("kind", [Kind.DE_FACTO_SCATTERED, Kind.DE_FACTO_INSTITUTIONAL])
@pytest.mark.parametrize(("father", "mother"), list(itertools.product(EIGHT, EIGHT)))
def test_de_facto_both_parents_in_the_eight_situations(kind, father, mother):
    assert problems(kind, father, mother) == []


@pytest.mark.parametrize(
    ("father", "mother"),
    [(d, s) for d in DEAD_OR_MISSING for s in EIGHT] + [(s, d) for d in DEAD_OR_MISSING for s in EIGHT],
)
def test_de_facto_one_parent_dead_or_missing_the_other_in_the_eight(father, mother):
    assert problems(Kind.DE_FACTO_SCATTERED, father, mother) == []


@pytest.mark.parametrize(
    ("father", "mother"),
    [(S.DEAD, S.DEAD), (S.DEAD, S.DECLARED_MISSING), (S.DECLARED_MISSING, S.DECLARED_MISSING)],
)
def test_de_facto_both_dead_is_an_orphan(father, mother):
    found = problems(Kind.DE_FACTO_SCATTERED, father, mother)
    assert found == ["父母双方均死亡或失踪，应认定为孤儿，而不是事实无人抚养儿童。"]


@pytest.mark.parametrize(
    ("father", "mother"),
    [(S.ALIVE_ABLE, s) for s in EIGHT]
    + [(s, S.ALIVE_ABLE) for s in EIGHT]
    + [(S.ALIVE_ABLE, S.DEAD), (S.WORKING_AWAY, S.IMPRISONED), (S.INCAPABLE, S.SERIOUS_ILLNESS), (S.IMPRISONED, None)],
)
def test_de_facto_needs_both_parents_unable(father, mother):
    found = problems(Kind.DE_FACTO_SCATTERED, father, mother)
    assert len(found) == 1
    assert "民发〔2019〕62号" in found[0]


# --- 农村留守儿童 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("father", "mother"),
    [
        (S.WORKING_AWAY, S.WORKING_AWAY),
        (S.WORKING_AWAY, S.INCAPABLE),
        (S.SEVERE_DISABILITY, S.WORKING_AWAY),
        (S.WORKING_AWAY, S.SERIOUS_ILLNESS),
    ],
)
def test_left_behind_ok(father, mother):
    assert problems(Kind.LEFT_BEHIND, father, mother) == []


@pytest.mark.parametrize(
    ("father", "mother"),
    [(S.WORKING_AWAY, S.ALIVE_ABLE), (S.ALIVE_ABLE, S.WORKING_AWAY), (S.WORKING_AWAY, None), (None, None)],
)
def test_left_behind_needs_no_able_parent_at_home(father, mother):
    found = problems(Kind.LEFT_BEHIND, father, mother)
    assert len(found) == 1
    assert "农村留守儿童须父母双方外出务工" in found[0]


def test_left_behind_must_be_rural():
    found = problems(Kind.LEFT_BEHIND, S.WORKING_AWAY, S.WORKING_AWAY, hukou_type=Child.HukouType.URBAN)
    assert found == ["农村留守儿童须为农村户籍。"]


@pytest.mark.parametrize(
    ("start", "ok"),
    [
        (datetime.date(2026, 3, 13), True),  # the day before the 16th birthday
        (datetime.date(2026, 3, 14), False),  # the 16th birthday itself
        (datetime.date(2026, 5, 1), False),
    ],
)
def test_left_behind_ends_at_16(start, ok):
    found = problems(
        Kind.LEFT_BEHIND, S.WORKING_AWAY, S.WORKING_AWAY, start=start, birth_date=datetime.date(2010, 3, 14)
    )
    if ok:
        assert found == []
    else:
        assert found == ["儿童在起始日期已满16周岁（2026-03-14满16周岁），不能认定为农村留守儿童。"]


# --- the 18-year limit, for every kind ---------------------------------------------------------

# Parents and child data that satisfy each kind, so that only the age is in question.
SATISFIED = {
    Kind.ORPHAN_SCATTERED: ((S.DEAD, S.DEAD), {}),
    Kind.ORPHAN_INSTITUTIONAL: ((S.DEAD, S.DEAD), {}),
    Kind.DE_FACTO_SCATTERED: ((S.IMPRISONED, S.LOST_CONTACT), {}),
    Kind.DE_FACTO_INSTITUTIONAL: ((S.DEAD, S.IMPRISONED), {}),
    Kind.DISABLED: (
        (S.ALIVE_ABLE, S.ALIVE_ABLE),
        {"disability_type": Child.DisabilityType.PHYSICAL, "disability_grade": 2, "disability_cert_no": "C1"},
    ),
    Kind.HARDSHIP_POVERTY: ((S.ALIVE_ABLE, S.ALIVE_ABLE), {}),
    Kind.HARDSHIP_DISABILITY: ((S.ALIVE_ABLE, S.ALIVE_ABLE), {"disability_type": Child.DisabilityType.HEARING}),
    Kind.HARDSHIP_GUARDIANSHIP: ((S.ALIVE_ABLE, S.ALIVE_ABLE), {}),
}


def test_every_kind_but_left_behind_has_an_18_year_case():
    assert set(SATISFIED) | {Kind.LEFT_BEHIND} == set(Kind)


@pytest.mark.parametrize("kind", sorted(SATISFIED))
@pytest.mark.parametrize(
    ("birth", "start", "ok"),
    [
        (datetime.date(2008, 6, 15), datetime.date(2026, 6, 14), True),
        (datetime.date(2008, 6, 15), datetime.date(2026, 6, 15), False),
        (datetime.date(2008, 6, 15), datetime.date(2026, 9, 1), False),
        # Born on 29 February: in a common year the birthday counts as 1 March.
        (datetime.date(2008, 2, 29), datetime.date(2026, 2, 28), True),
        (datetime.date(2008, 2, 29), datetime.date(2026, 3, 1), False),
        # ... and in a leap year it is 29 February itself.
        (datetime.date(2004, 2, 29), datetime.date(2022, 2, 28), True),  # 2022 is common: 1 March
        (datetime.date(2008, 2, 29), datetime.date(2025, 12, 31), True),
    ],
)
def test_18_year_limit(kind, birth, start, ok):
    (father, mother), fields = SATISFIED[kind]
    found = classification_problems(
        child(birth_date=birth, **fields), kind, start, parents={FATHER: father, MOTHER: mother}, today=start
    )
    if ok:
        assert found == []
    else:
        assert len(found) == 1
        assert "已满18周岁" in found[0]


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (datetime.date(2008, 2, 29), datetime.date(2026, 2, 28), 17),
        (datetime.date(2008, 2, 29), datetime.date(2026, 3, 1), 18),
        (datetime.date(2008, 2, 29), datetime.date(2028, 2, 29), 20),
        (datetime.date(2008, 2, 29), datetime.date(2028, 2, 28), 19),
    ],
)
def test_age_on_a_29_february_birthday(birth, day, age):
    assert child(birth_date=birth).age_on(day) == age


def test_leap_year_18th_birthday_is_29_february():
    born = child(birth_date=datetime.date(2012, 2, 29))
    assert born.birthday(18) == datetime.date(2030, 3, 1)
    assert born.birthday(16) == datetime.date(2028, 2, 29)


# --- disabled children, exclusive groups, dates ------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({"disability_type": Child.DisabilityType.VISUAL, "disability_grade": 1, "disability_cert_no": "X1"}, True),
        ({"disability_type": Child.DisabilityType.VISUAL, "disability_grade": 1}, False),
        ({"disability_type": Child.DisabilityType.VISUAL, "disability_cert_no": "X1"}, False),
        ({"disability_grade": 3, "disability_cert_no": "X1"}, False),
        ({}, False),
    ],
)
def test_disabled_child_needs_type_grade_and_certificate(fields, ok):
    found = problems(Kind.DISABLED, S.ALIVE_ABLE, S.ALIVE_ABLE, **fields)
    assert found == ([] if ok else ["残疾儿童须登记残疾类别、残疾等级和残疾人证号。"])


def test_hardship_for_own_disability_needs_a_disability_type():
    assert problems(Kind.HARDSHIP_DISABILITY, None, None) == ["因自身残疾认定为困境儿童，须先登记残疾类别。"]


@pytest.mark.parametrize(
    ("kind", "open_kinds", "parents"),
    [
        (Kind.DE_FACTO_SCATTERED, {Kind.ORPHAN_SCATTERED}, (S.DEAD, S.IMPRISONED)),
        (Kind.DE_FACTO_INSTITUTIONAL, {Kind.ORPHAN_INSTITUTIONAL}, (S.DEAD, S.IMPRISONED)),
        (Kind.ORPHAN_SCATTERED, {Kind.DE_FACTO_SCATTERED}, (S.DEAD, S.DEAD)),
        (Kind.ORPHAN_INSTITUTIONAL, {Kind.ORPHAN_SCATTERED}, (S.DEAD, S.DEAD)),
    ],
)
def test_orphan_and_de_facto_exclude_each_other(kind, open_kinds, parents):
    found = problems(kind, *parents, open_kinds=open_kinds)
    assert len(found) == 1
    assert found[0].startswith("儿童当前已是")
    assert "须先终止该类别" in found[0]


@pytest.mark.parametrize("other", [Kind.LEFT_BEHIND, Kind.DISABLED, Kind.HARDSHIP_POVERTY])
def test_other_kinds_stack_with_an_orphan(other):
    assert problems(Kind.HARDSHIP_POVERTY, S.DEAD, S.DEAD, open_kinds={Kind.ORPHAN_SCATTERED, other}) == []


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (datetime.date(2015, 3, 13), "起始日期早于儿童出生日期。"),
        (datetime.date(2026, 6, 2), "起始日期不能晚于今天。"),
    ],
)
def test_start_date_before_birth_or_in_the_future(start, message):
    assert problems(Kind.HARDSHIP_POVERTY, None, None, start=start) == [message]


def test_start_date_on_birth_and_today_are_fine():
    assert problems(Kind.HARDSHIP_POVERTY, None, None, start=BORN) == []
    assert problems(Kind.HARDSHIP_POVERTY, None, None, start=TODAY) == []


# --- the situation in force on a day, from the real records ------------------------------------


@pytest.fixture
def at_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)


def record(child, parent, situation, start, actor=None):
    return services.record_parent_situation(
        actor=actor, child=child, data={"parent": parent, "situation": situation, "start_date": start}
    )


def test_situations_on_takes_the_latest_started_by_the_day(at_today, child_a):
    record(child_a, FATHER, S.WORKING_AWAY, datetime.date(2020, 1, 1))
    record(child_a, FATHER, S.IMPRISONED, datetime.date(2025, 1, 1))
    record(child_a, MOTHER, S.DEAD, datetime.date(2019, 5, 1))
    assert situations_on(child_a, datetime.date(2019, 1, 1)) == {FATHER: None, MOTHER: None}
    assert situations_on(child_a, datetime.date(2024, 12, 31)) == {FATHER: S.WORKING_AWAY, MOTHER: S.DEAD}
    assert situations_on(child_a, datetime.date(2025, 1, 1)) == {FATHER: S.IMPRISONED, MOTHER: S.DEAD}


def test_add_classification_uses_the_situations_on_the_start_date(at_today, caseworker_a, child_a):
    record(child_a, FATHER, S.IMPRISONED, datetime.date(2025, 1, 1))
    record(child_a, MOTHER, S.DEAD, datetime.date(2019, 5, 1))
    with pytest.raises(ValidationError) as error:
        services.add_classification(
            actor=caseworker_a, child=child_a, kind=Kind.DE_FACTO_SCATTERED, start_date=datetime.date(2024, 6, 1)
        )
    assert "民发〔2019〕62号" in error.value.message_dict["kind"][0]
    entry = services.add_classification(
        actor=caseworker_a, child=child_a, kind=Kind.DE_FACTO_SCATTERED, start_date=datetime.date(2025, 2, 1)
    )
    assert entry.end_date is None
    with pytest.raises(ValidationError, match="儿童已有未终止的该类别"):
        services.add_classification(
            actor=caseworker_a, child=child_a, kind=Kind.DE_FACTO_SCATTERED, start_date=datetime.date(2025, 3, 1)
        )


def test_open_orphan_blocks_de_facto_until_ended(at_today, caseworker_a, child_a):
    record(child_a, FATHER, S.DEAD, datetime.date(2019, 1, 1))
    record(child_a, MOTHER, S.DECLARED_MISSING, datetime.date(2019, 1, 1))
    orphan = services.add_classification(
        actor=caseworker_a, child=child_a, kind=Kind.ORPHAN_SCATTERED, start_date=datetime.date(2020, 1, 1)
    )
    # The mother turns out to be in prison, not missing: the child becomes de facto unsupported.
    record(child_a, MOTHER, S.IMPRISONED, datetime.date(2026, 1, 10))
    with pytest.raises(ValidationError, match="儿童当前已是社会散居孤儿"):
        services.add_classification(
            actor=caseworker_a, child=child_a, kind=Kind.DE_FACTO_SCATTERED, start_date=datetime.date(2026, 2, 1)
        )
    services.end_classification(
        actor=caseworker_a,
        classification=orphan,
        end_date=datetime.date(2026, 1, 31),
        reason=Classification.EndReason.SITUATION_CHANGED,
    )
    services.add_classification(
        actor=caseworker_a, child=child_a, kind=Kind.DE_FACTO_SCATTERED, start_date=datetime.date(2026, 2, 1)
    )
    assert sorted(child_a.classifications.open().values_list("kind", flat=True)) == [Kind.DE_FACTO_SCATTERED]


def test_the_page_shows_the_reason_and_saves_nothing(at_today, client, caseworker_a, child_a):
    record(child_a, FATHER, S.WORKING_AWAY, datetime.date(2025, 1, 1))
    record(child_a, MOTHER, S.ALIVE_ABLE, datetime.date(2025, 1, 1))
    client.force_login(caseworker_a)
    response = client.post(
        reverse("children:classification_add", args=[child_a.pk]),
        {"kind": Kind.LEFT_BEHIND, "start_date": "2026-05-01"},
    )
    assert response.status_code == 400
    assert "农村留守儿童须父母双方外出务工，或一方外出务工、另一方无监护能力" in response.text
    assert "父亲：外出务工；母亲：健在且能履行监护" in response.text
    assert not child_a.classifications.exists()


def test_the_page_adds_and_ends_a_classification(at_today, client, caseworker_a, child_a):
    record(child_a, FATHER, S.WORKING_AWAY, datetime.date(2025, 1, 1))
    record(child_a, MOTHER, S.WORKING_AWAY, datetime.date(2025, 1, 1))
    client.force_login(caseworker_a)
    response = client.post(
        reverse("children:classification_add", args=[child_a.pk]),
        {"kind": Kind.LEFT_BEHIND, "start_date": "2026-05-01"},
    )
    assert response.status_code == 302
    entry = child_a.classifications.get()
    response = client.post(
        reverse("children:classification_end", args=[child_a.pk, entry.pk]),
        {"end_date": "2026-04-30", "end_reason": Classification.EndReason.SITUATION_CHANGED},
    )
    assert response.status_code == 400
    assert "终止日期不能早于起始日期 2026-05-01。" in response.text
    response = client.post(
        reverse("children:classification_end", args=[child_a.pk, entry.pk]),
        {"end_date": "2026-06-01", "end_reason": Classification.EndReason.SITUATION_CHANGED},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.end_date, entry.end_reason) == (datetime.date(2026, 6, 1), "situation_changed")


def test_a_closed_child_gets_no_new_classification(at_today, client, caseworker_a, child_a):
    services.close_child(actor=caseworker_a, child=child_a, reason="moved_away", closed_on=datetime.date(2026, 5, 1))
    client.force_login(caseworker_a)
    response = client.post(
        reverse("children:classification_add", args=[child_a.pk]),
        {"kind": Kind.HARDSHIP_POVERTY, "start_date": "2026-05-20"},
    )
    assert response.status_code == 400  # a crafted POST: the page offers no form on a closed file
    assert not child_a.classifications.exists()
    with pytest.raises(ValidationError, match="该儿童已于 2026-05-01 销档，不能再认定类别。"):
        services.add_classification(
            actor=caseworker_a, child=child_a, kind=Kind.HARDSHIP_POVERTY, start_date=datetime.date(2026, 5, 20)
        )
