"""The payment rules of DOMAIN.md 2.3 and 2.5 as tables of cases, end to end through the services.

Every case builds its children with the registry services, enrols them through apply -> check ->
confirm, computes and approves batches month by month, and reads the lines back.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from children.models import Child, PaymentAccount
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import Batch, Enrolment, Line, Programme, StackingRule
from subsidies.months import add_months, format_month, months_between, parse_month
from subsidies.services import end_enrolment, set_standard
from tests.factories import ChildFactory

from .conftest import enrol, make_orphan

pytestmark = pytest.mark.django_db


def M(text: str) -> datetime.date:
    return parse_month(text)


def D(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@dataclass
class Bureau:
    """The cast at work: a caseworker applies, the township checks, staff confirm and run, a leader approves."""

    caseworker: object
    supervisor: object
    staff: object
    leader: object
    township: object
    village: object
    programmes: dict

    def child(self, *, orphan=True, **fields) -> Child:
        child = ChildFactory(township=self.township, village=self.village, **fields)
        if orphan:
            return make_orphan(child, self.staff)
        PaymentAccount.objects.create(
            child=child, payee_name="李大娘", bank_name="定州农商银行", account_number=f"62170001{child.pk:08d}"
        )
        return child

    def enrol(self, child, code, *, applied_on, confirmed_on, predating=False) -> Enrolment:
        if predating:  # entered before the exclusive rules existed, so the services did not refuse it
            exclusive = StackingRule.objects.filter(rule=StackingRule.Rule.EXCLUSIVE)
            kept = list(exclusive.values("programme_id", "other_id", "rule"))
            exclusive.delete()
            try:
                return self.enrol(child, code, applied_on=applied_on, confirmed_on=confirmed_on)
            finally:
                StackingRule.objects.bulk_create(StackingRule(**rule) for rule in kept)
        return enrol(
            child,
            self.programmes[code],
            applicant=self.caseworker,
            checker=self.supervisor,
            confirmer=self.staff,
            applied_on=D(applied_on),
            confirmed_on=D(confirmed_on),
        )

    def standard(self, code, month, amount):
        set_standard(
            actor=self.staff, programme=self.programmes[code], effective_month=M(month), amount=Decimal(amount)
        )

    def compute(self, month) -> Batch:
        return compute_month(month=M(month), actor=self.staff)

    def approve(self, batch) -> Batch:
        return approve_batch(batch=batch, actor=self.leader)

    def run(self, *months) -> list[Batch]:
        """Compute and approve each month in turn, as the bureau does."""
        return [self.approve(self.compute(month)) for month in months]

    def set_rule(self, code, **rules):
        Programme.objects.filter(code=code).update(**rules)
        self.programmes[code].refresh_from_db()


@pytest.fixture
def bureau(caseworker_a, supervisor_a, staff, leader, township_a, village_a, programmes):
    return Bureau(caseworker_a, supervisor_a, staff, leader, township_a, village_a, programmes)


def rows(batch, enrolment=None) -> list[tuple[str, str, str, str]]:
    """(programme, period, kind, amount) of a batch's lines, sorted."""
    lines = Line.objects.filter(batch=batch).select_related("programme")
    if enrolment is not None:
        lines = lines.filter(enrolment=enrolment)
    return sorted((ln.programme.code, format_month(ln.period), ln.kind, str(ln.amount)) for ln in lines)


def normal_months(enrolment) -> list[str]:
    return sorted(format_month(p) for p in enrolment.lines.filter(kind="normal").values_list("period", flat=True))


def months(first: str, last: str) -> list[str]:
    return [format_month(m) for m in months_between(M(first), M(last))]


# -------------------------------------------------------------------------------------------------
# Start and stop


@pytest.mark.parametrize(
    ("start_rule", "start_month", "paid"),
    [
        (Programme.StartRule.MONTH_AFTER_CONFIRMATION, "2026-04", ["2026-04"]),
        (Programme.StartRule.MONTH_OF_CONFIRMATION, "2026-03", ["2026-03", "2026-04"]),
        (Programme.StartRule.MONTH_OF_APPLICATION, "2026-02", ["2026-02", "2026-03", "2026-04"]),
    ],
)
@time_machine.travel(D("2026-04-20"))
def test_start_month_per_start_rule(bureau, start_rule, start_month, paid):
    bureau.set_rule("orphan_scattered", start_rule=start_rule)
    enrolment = bureau.enrol(bureau.child(), "orphan_scattered", applied_on="2026-02-20", confirmed_on="2026-03-10")
    assert format_month(enrolment.start_month) == start_month
    bureau.run("2026-02", "2026-03", "2026-04")
    assert normal_months(enrolment) == paid
    assert not enrolment.lines.exclude(kind="normal").exists()


@pytest.mark.parametrize(
    ("stop_rule", "event_day", "last_paid"),
    [
        (Programme.StopRule.MONTH_AFTER_EVENT, "2026-03-14", "2026-03"),
        (Programme.StopRule.MONTH_AFTER_EVENT, "2026-03-01", "2026-03"),
        (Programme.StopRule.MONTH_AFTER_EVENT, "2026-03-31", "2026-03"),
        (Programme.StopRule.MONTH_OF_EVENT, "2026-03-14", "2026-02"),
        (Programme.StopRule.MONTH_OF_EVENT, "2026-03-01", "2026-02"),
    ],
)
@pytest.mark.parametrize("reported", ["in time", "late"])
@time_machine.travel(D("2026-05-20"))
def test_stop_month_per_stop_rule(bureau, stop_rule, event_day, last_paid, reported):
    bureau.set_rule("orphan_scattered", stop_rule=stop_rule)
    enrolment = bureau.enrol(bureau.child(), "orphan_scattered", applied_on="2026-01-02", confirmed_on="2026-01-10")
    if reported == "late":  # February to April paid before anyone heard of it
        bureau.run("2026-02", "2026-03", "2026-04")
    end_enrolment(
        actor=bureau.staff, enrolment=enrolment, reason=Enrolment.EndReason.SITUATION_CHANGED, event_day=D(event_day)
    )
    enrolment.refresh_from_db()
    assert format_month(enrolment.end_month) == last_paid
    if reported == "late":
        may = bureau.run("2026-05")[0]
        overpaid = months(format_month(add_months(enrolment.end_month, 1)), "2026-04")
        assert rows(may) == [("orphan_scattered", m, "adjustment", "-1000.00") for m in overpaid]
    else:
        bureau.run("2026-02", "2026-03", "2026-04")
        assert normal_months(enrolment) == months("2026-02", last_paid)
    # Whichever way it went, the enrolment ends up paid for exactly February to the last month.
    total = sum(enrolment.lines.values_list("amount", flat=True), Decimal(0))
    assert total == Decimal("1000.00") * len(months("2026-02", last_paid))


@pytest.mark.parametrize(
    ("birth_date", "turns_18", "stop_rule", "last_paid"),
    [
        ("2008-06-01", "2026-06-01", Programme.StopRule.MONTH_AFTER_EVENT, "2026-06"),  # born on the 1st
        ("2008-06-15", "2026-06-15", Programme.StopRule.MONTH_AFTER_EVENT, "2026-06"),  # mid-month
        ("2008-06-30", "2026-06-30", Programme.StopRule.MONTH_AFTER_EVENT, "2026-06"),
        ("2008-02-29", "2026-03-01", Programme.StopRule.MONTH_AFTER_EVENT, "2026-03"),  # no 29 Feb in 2026
        ("2008-06-01", "2026-06-01", Programme.StopRule.MONTH_OF_EVENT, "2026-05"),
        ("2008-06-15", "2026-06-15", Programme.StopRule.MONTH_OF_EVENT, "2026-05"),
        ("2008-02-29", "2026-03-01", Programme.StopRule.MONTH_OF_EVENT, "2026-02"),
    ],
)
def test_payment_ends_with_the_month_of_the_18th_birthday(bureau, birth_date, turns_18, stop_rule, last_paid):
    bureau.set_rule("orphan_scattered", stop_rule=stop_rule)
    birthday_month = M(turns_18[:7])
    # Confirmed so that payment starts two months before the birthday month; computed until the month after.
    confirmed_on, first, last = (
        add_months(birthday_month, -3),
        add_months(birthday_month, -2),
        add_months(birthday_month, 1),
    )
    with time_machine.travel(confirmed_on + datetime.timedelta(days=9)):
        child = bureau.child(birth_date=D(birth_date))
        assert child.birthday(18) == D(turns_18)
        orphan = bureau.enrol(child, "orphan_scattered", applied_on=f"{confirmed_on}", confirmed_on=f"{confirmed_on}")
    with time_machine.travel(add_months(last, 1)):
        bureau.run(*months(format_month(first), format_month(last)))
    assert normal_months(orphan) == months(format_month(first), last_paid)
    assert not orphan.lines.exclude(kind="normal").exists()


def test_programme_without_age_limit_keeps_paying_after_18(bureau):
    with time_machine.travel(D("2025-12-10")):
        bureau.standard("rural_dibao", "2026-01", "400")
        child = bureau.child(birth_date=D("2008-06-15"))
        orphan = bureau.enrol(child, "orphan_scattered", applied_on="2025-12-01", confirmed_on="2025-12-10")
        dibao = bureau.enrol(child, "rural_dibao", applied_on="2025-12-01", confirmed_on="2025-12-10")
    with time_machine.travel(D("2026-08-20")):
        batches = bureau.run(*months("2026-01", "2026-08"))
    assert normal_months(orphan) == months("2026-01", "2026-06")
    assert normal_months(dibao) == months("2026-01", "2026-08")
    # While both pay, the orphan allowance tops the 低保 up to 1000; after 18 the 低保 alone remains.
    assert rows(batches[5]) == [
        ("orphan_scattered", "2026-06", "normal", "600.00"),
        ("rural_dibao", "2026-06", "normal", "400.00"),
    ]
    assert rows(batches[6]) == [("rural_dibao", "2026-07", "normal", "400.00")]


# -------------------------------------------------------------------------------------------------
# Adoption


@time_machine.travel(D("2026-06-20"))
def test_adoption_in_time_last_paid_month_is_the_month_of_adoption(bureau):
    enrolment = bureau.enrol(bureau.child(), "orphan_scattered", applied_on="2025-12-01", confirmed_on="2025-12-10")
    bureau.run("2026-01")
    end_enrolment(
        actor=bureau.staff, enrolment=enrolment, reason=Enrolment.EndReason.ADOPTED, event_day=D("2026-02-14")
    )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_reason, enrolment.end_month) == ("ended", "adopted", M("2026-02"))
    assert not enrolment.needs_reconcile  # nothing was paid past February
    bureau.run("2026-02", "2026-03", "2026-04")
    assert normal_months(enrolment) == ["2026-01", "2026-02"]


@time_machine.travel(D("2026-06-20"))
def test_adoption_reported_late_deducts_exactly_the_overpaid_months(bureau):
    adopted = bureau.enrol(bureau.child(), "orphan_scattered", applied_on="2025-12-01", confirmed_on="2025-12-10")
    other = bureau.enrol(bureau.child(), "orphan_scattered", applied_on="2025-12-01", confirmed_on="2025-12-10")
    bureau.run("2026-01", "2026-02", "2026-03", "2026-04")
    end_enrolment(actor=bureau.staff, enrolment=adopted, reason=Enrolment.EndReason.ADOPTED, event_day=D("2026-02-14"))
    may = bureau.compute("2026-05")
    assert rows(may, adopted) == [
        ("orphan_scattered", "2026-03", "adjustment", "-1000.00"),
        ("orphan_scattered", "2026-04", "adjustment", "-1000.00"),
    ]
    notes = sorted(may.lines.filter(enrolment=adopted).values_list("note", flat=True))
    assert notes == ["扣减2026-03多发金额", "扣减2026-04多发金额"]
    assert rows(may, other) == [("orphan_scattered", "2026-05", "normal", "1000.00")]
    assert may.total_amount == Decimal("-1000.00")
    bureau.approve(may)
    june = bureau.run("2026-06")[0]
    assert rows(june, adopted) == []
    assert sum(adopted.lines.values_list("amount", flat=True), Decimal(0)) == Decimal("2000.00")  # Jan + Feb


# -------------------------------------------------------------------------------------------------
# Arrears


@pytest.mark.parametrize(
    ("code", "applied_on", "confirmed_on", "arrears"),
    [
        # Confirmed in January, the month after is February: February and March were computed without it.
        ("orphan_scattered", "2026-01-05", "2026-01-20", ["2026-02", "2026-03"]),
        # Confirmed inside computed February: paid from March.
        ("orphan_scattered", "2026-02-01", "2026-02-25", ["2026-03"]),
        # Confirmed at the end of March: paid from April, nothing missed.
        ("orphan_scattered", "2026-03-01", "2026-03-31", []),
        # 重度残疾人护理补贴 starts in the month of application: January to March missed.
        ("severe_disability_care", "2026-01-05", "2026-03-10", ["2026-01", "2026-02", "2026-03"]),
    ],
)
@time_machine.travel(D("2026-05-20"))
def test_arrears_after_a_late_confirmation(bureau, code, applied_on, confirmed_on, arrears):
    bureau.standard("severe_disability_care", "2025-01", "120")
    amount = "1000.00" if code == "orphan_scattered" else "120.00"
    child = bureau.child(disability_type="physical", disability_grade=1, disability_cert_no="13068220150314001011")
    bureau.run("2026-01", "2026-02", "2026-03")
    enrolment = bureau.enrol(child, code, applied_on=applied_on, confirmed_on=confirmed_on)

    april = bureau.compute("2026-04")
    assert rows(april) == sorted(
        [(code, m, "arrears", amount) for m in arrears] + [(code, "2026-04", "normal", amount)]
    )
    for line in april.lines.filter(kind="arrears"):
        assert line.note == f"补发{format_month(line.period)}"
    assert april.total_amount == Decimal(amount) * (len(arrears) + 1)

    bureau.approve(april)
    may = bureau.run("2026-05")[0]
    assert rows(may) == [(code, "2026-05", "normal", amount)]  # the batch after pays no arrears
    enrolment.refresh_from_db()
    assert not enrolment.needs_reconcile


@time_machine.travel(D("2026-05-20"))
def test_arrears_are_recomputed_not_repeated_when_a_draft_is_rerun(bureau):
    bureau.run("2026-02", "2026-03")
    enrolment = bureau.enrol(bureau.child(), "orphan_scattered", applied_on="2026-01-05", confirmed_on="2026-01-20")
    first = rows(bureau.compute("2026-04"))
    again = bureau.compute("2026-04")
    assert (
        rows(again)
        == first
        == [
            ("orphan_scattered", "2026-02", "arrears", "1000.00"),
            ("orphan_scattered", "2026-03", "arrears", "1000.00"),
            ("orphan_scattered", "2026-04", "normal", "1000.00"),
        ]
    )
    assert enrolment.lines.count() == 3


@pytest.mark.parametrize(
    ("amount", "kind", "difference"),
    [("1100", "arrears", "100.00"), ("900", "adjustment", "-100.00")],
    ids=["raise", "cut"],
)
@pytest.mark.parametrize("april", ["not computed", "draft"])
@time_machine.travel(D("2026-05-20"))
def test_retroactive_standard_change_pays_or_deducts_the_difference(bureau, amount, kind, difference, april):
    enrolment = bureau.enrol(bureau.child(), "orphan_scattered", applied_on="2025-12-01", confirmed_on="2025-12-10")
    bureau.run("2026-01", "2026-02", "2026-03")
    if april == "draft":
        bureau.compute("2026-04")
    bureau.standard("orphan_scattered", "2026-02", amount)  # published in May, in force from February
    enrolment.refresh_from_db()
    assert enrolment.needs_reconcile

    batch = bureau.compute("2026-04")
    # January keeps the old standard; February and March were approved at 1000: the difference only.
    assert rows(batch) == [
        ("orphan_scattered", "2026-02", kind, difference),
        ("orphan_scattered", "2026-03", kind, difference),
        ("orphan_scattered", "2026-04", "normal", f"{amount}.00"),
    ]
    line = batch.lines.get(kind=kind, period=M("2026-02"))
    assert line.standard == Decimal(amount)
    bureau.approve(batch)
    assert rows(bureau.run("2026-05")[0]) == [("orphan_scattered", "2026-05", "normal", f"{amount}.00")]


@time_machine.travel(D("2026-05-20"))
def test_standard_for_a_future_month_yields_no_arrears(bureau):
    enrolment = bureau.enrol(bureau.child(), "orphan_scattered", applied_on="2025-12-01", confirmed_on="2025-12-10")
    bureau.run("2026-01", "2026-02", "2026-03")
    bureau.standard("orphan_scattered", "2026-05", "1200")
    enrolment.refresh_from_db()
    assert not enrolment.needs_reconcile
    april, may = bureau.run("2026-04", "2026-05")
    assert rows(april) == [("orphan_scattered", "2026-04", "normal", "1000.00")]
    assert rows(may) == [("orphan_scattered", "2026-05", "normal", "1200.00")]


@time_machine.travel(D("2026-05-20"))
def test_imported_enrolment_gets_no_arrears_for_months_the_old_system_paid(bureau, programmes):
    child = bureau.child()
    # What an import writes: confirmed long ago, paid by the previous system up to February.
    imported = Enrolment.objects.create(
        child=child,
        programme=programmes["orphan_scattered"],
        status=Enrolment.Status.CONFIRMED,
        applied_on=D("2023-04-01"),
        start_month=M("2023-05"),
        prior_paid_through=M("2026-02"),
        needs_reconcile=True,
    )
    march = bureau.run("2026-03")[0]
    assert rows(march) == [("orphan_scattered", "2026-03", "normal", "1000.00")]
    # A raise from January reaches back into months the old system paid: only March is ours to top up.
    bureau.standard("orphan_scattered", "2026-01", "1100")
    april = bureau.run("2026-04")[0]
    assert rows(april) == [
        ("orphan_scattered", "2026-03", "arrears", "100.00"),
        ("orphan_scattered", "2026-04", "normal", "1100.00"),
    ]
    assert imported.lines.filter(period__lte=M("2026-02")).count() == 0


@time_machine.travel(D("2026-05-20"))
def test_programme_without_standard_pays_nothing(bureau):
    enrolment = bureau.enrol(
        bureau.child(orphan=False), "rural_dibao", applied_on="2026-01-05", confirmed_on="2026-01-10"
    )
    february, march = bureau.run("2026-02", "2026-03")
    assert rows(february) == rows(march) == []
    assert march.total_amount == Decimal("0.00")
    # The county enters its 低保 standard later, from February: both computed months are paid as arrears.
    bureau.standard("rural_dibao", "2026-02", "400")
    april = bureau.run("2026-04")[0]
    assert rows(april) == [
        ("rural_dibao", "2026-02", "arrears", "400.00"),
        ("rural_dibao", "2026-03", "arrears", "400.00"),
        ("rural_dibao", "2026-04", "normal", "400.00"),
    ]
    assert enrolment.lines.count() == 3


# -------------------------------------------------------------------------------------------------
# Stacking (DOMAIN.md 2.3)

EXTREME = "特困人员救助供养"
ORPHAN = "散居孤儿基本生活费"


@pytest.mark.parametrize(
    ("standards", "expected"),
    [
        pytest.param(
            {"extreme_poverty": "900"},
            {"orphan_scattered": ("1000.00", [f"与{EXTREME}不重复享受，按较高标准发放"])},
            id="exclusive: the higher one only",
        ),
        pytest.param(
            {"extreme_poverty": "1200"},
            {"extreme_poverty": ("1200.00", [f"与{ORPHAN}不重复享受，按较高标准发放"])},
            id="exclusive: the other is higher",
        ),
        pytest.param(
            {"extreme_poverty": "1000"},
            {"orphan_scattered": ("1000.00", [f"与{EXTREME}不重复享受"])},
            id="exclusive tie: display order",
        ),
        pytest.param(
            {"rural_dibao": "400"},
            {
                "orphan_scattered": ("600.00", ["补差：本项目标准1000.00元，已领农村最低生活保障 400.00元"]),
                "rural_dibao": ("400.00", []),
            },
            id="top-up: the difference",
        ),
        pytest.param(
            {"rural_dibao": "1200"},
            {"rural_dibao": ("1200.00", [])},
            id="top-up: other higher, no line",
        ),
        pytest.param(
            {"poor_disabled_living": "300"},
            {"orphan_scattered": ("700.00", ["补差"]), "poor_disabled_living": ("300.00", [])},
            id="top-up over 困难残疾人生活补贴",
        ),
        pytest.param(
            {"severe_disability_care": "200"},
            {"orphan_scattered": ("1000.00", []), "severe_disability_care": ("200.00", [])},
            id="no rule: both in full",
        ),
        pytest.param(
            {"rural_dibao": "400", "extreme_poverty": "900"},
            {
                "orphan_scattered": ("600.00", ["补差", f"与{EXTREME}不重复享受"]),
                "rural_dibao": ("400.00", []),
            },
            id="exclusive and top-up together",
        ),
    ],
)
@time_machine.travel(D("2026-04-20"))
def test_stacking(bureau, standards, expected):
    child = bureau.child(disability_type="physical", disability_grade=1, disability_cert_no="13068220150314001011")
    for code, amount in standards.items():
        bureau.standard(code, "2026-01", amount)
    for code in ["orphan_scattered", *standards]:
        bureau.enrol(child, code, applied_on="2026-02-01", confirmed_on="2026-02-10", predating=True)
    bureau.run("2026-02")  # the disability subsidies start in the month of application
    batch = bureau.compute("2026-03")
    paid = {line.programme.code: line for line in batch.lines.select_related("programme")}
    assert {code: str(line.amount) for code, line in paid.items()} == {code: a for code, (a, _n) in expected.items()}
    for code, (_amount, fragments) in expected.items():
        note = paid[code].note
        if not fragments:
            assert note == ""
        for fragment in fragments:
            assert fragment in note
        assert paid[code].standard == Decimal(standards.get(code, "1000"))


@pytest.mark.parametrize("kept", ["orphan_scattered", "extreme_poverty"])
@time_machine.travel(D("2026-04-20"))
def test_an_exclusive_rule_entered_one_way_binds_both_ways(bureau, programmes, kept):
    # The county enters "not with 特困" on one programme only: the pair is still exclusive.
    StackingRule.objects.filter(programme__code__in=["orphan_scattered", "extreme_poverty"]).exclude(
        programme__code=kept
    ).delete()
    bureau.standard("extreme_poverty", "2026-01", "900")
    child = bureau.child()
    for code in ("orphan_scattered", "extreme_poverty"):
        bureau.enrol(child, code, applied_on="2026-02-01", confirmed_on="2026-02-10", predating=True)
    assert rows(bureau.compute("2026-03")) == [("orphan_scattered", "2026-03", "normal", "1000.00")]


# A second programme confirmed late reaches back into months the first one was paid alone: the
# stacking rule applies to those months too, so the first one's payments are corrected as well.
@pytest.mark.parametrize(
    ("late", "amount", "expected"),
    [
        pytest.param(
            "rural_dibao",
            "400",
            [
                ("orphan_scattered", "2026-02", "adjustment", "-400.00"),
                ("orphan_scattered", "2026-03", "adjustment", "-400.00"),
                ("orphan_scattered", "2026-04", "normal", "600.00"),
                ("rural_dibao", "2026-02", "arrears", "400.00"),
                ("rural_dibao", "2026-03", "arrears", "400.00"),
                ("rural_dibao", "2026-04", "normal", "400.00"),
            ],
            id="top-up",
        ),
        pytest.param(
            "extreme_poverty",
            "1200",
            [
                ("extreme_poverty", "2026-02", "arrears", "1200.00"),
                ("extreme_poverty", "2026-03", "arrears", "1200.00"),
                ("extreme_poverty", "2026-04", "normal", "1200.00"),
                ("orphan_scattered", "2026-02", "adjustment", "-1000.00"),
                ("orphan_scattered", "2026-03", "adjustment", "-1000.00"),
            ],
            id="exclusive",
        ),
        pytest.param(
            "extreme_poverty",
            "800",
            [("orphan_scattered", "2026-04", "normal", "1000.00")],
            id="exclusive, lower: nothing changes",
        ),
    ],
)
@time_machine.travel(D("2026-05-20"))
def test_late_confirmation_restacks_the_months_already_paid(bureau, late, amount, expected):
    bureau.standard(late, "2026-01", amount)
    child = bureau.child()
    bureau.enrol(child, "orphan_scattered", applied_on="2026-01-02", confirmed_on="2026-01-05")
    bureau.run("2026-02", "2026-03")
    bureau.enrol(child, late, applied_on="2026-01-02", confirmed_on="2026-01-20", predating=True)
    april = bureau.compute("2026-04")
    assert rows(april) == expected
    bureau.approve(april)
    may = bureau.run("2026-05")[0]
    assert all(kind == "normal" for _c, _p, kind, _a in rows(may))
    # Each month from February on is paid exactly as the stacking rules say, whichever batch paid it.
    per_month = {}
    for line in Line.objects.filter(child=child):
        per_month[line.period] = per_month.get(line.period, Decimal(0)) + line.amount
    full = max(Decimal("1000"), Decimal(amount)) if late == "extreme_poverty" else Decimal("1000")
    assert set(per_month.values()) == {full}


@time_machine.travel(D("2026-05-20"))
def test_months_are_computed_in_order_so_nothing_is_paid_twice_or_skipped(bureau):
    bureau.run("2026-02")
    enrolment = bureau.enrol(bureau.child(), "orphan_scattered", applied_on="2026-01-02", confirmed_on="2026-01-10")
    # Skipping March would leave every child without March's normal payment.
    with pytest.raises(ValidationError, match="上一个批次是2026-02，请先计算2026-03的批次"):
        bureau.compute("2026-04")
    bureau.run("2026-03", "2026-04")
    # A batch for an earlier month now would pay again what later batches paid as arrears.
    with pytest.raises(ValidationError, match="已有2026-04的批次，不能再计算更早的2026-01"):
        bureau.compute("2026-01")
    assert Batch.objects.count() == 3
    assert sorted((format_month(p), k) for p, k in enrolment.lines.values_list("period", "kind")) == [
        ("2026-02", "arrears"),
        ("2026-03", "normal"),
        ("2026-04", "normal"),
    ]


@pytest.mark.parametrize("applied_on", ["2026-01-01", "2026-01-20"])
@time_machine.travel(D("2026-05-20"))
def test_a_new_enrolment_dated_back_over_an_ended_one_pays_no_month_twice(bureau, applied_on):
    child = bureau.child()
    first = bureau.enrol(child, "orphan_scattered", applied_on="2026-01-02", confirmed_on="2026-01-10")
    bureau.run("2026-02", "2026-03")
    end_enrolment(actor=bureau.staff, enrolment=first, reason=Enrolment.EndReason.OTHER, event_day=D("2026-03-14"))
    # Ended by mistake; the clerk enters a new application dated back to January.
    bureau.enrol(child, "orphan_scattered", applied_on=applied_on, confirmed_on="2026-01-25")
    bureau.run("2026-04", "2026-05")
    per_month = {}
    for period, amount in Line.objects.filter(child=child).values_list("period", "amount"):
        per_month[format_month(period)] = per_month.get(format_month(period), Decimal(0)) + amount
    assert per_month == dict.fromkeys(["2026-02", "2026-03", "2026-04", "2026-05"], Decimal("1000.00"))
