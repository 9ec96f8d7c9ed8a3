"""manage.py demo_data: proportional, rule-abiding, valid IDs, one login per role, idempotent."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from children.demo import MARK, PASSWORD, PLAN, scaled
from children.models import (
    Carer,
    Child,
    Classification,
    ClassificationKind,
    ParentSituation,
    PaymentAccount,
    Township,
    Village,
)
from children.rules import classification_problems
from dingzhou_welfare.access import scope_children
from dingzhou_welfare.audit import first_broken_entry
from dingzhou_welfare.idnumbers import check_agrees_with_id, parse_id_number
from dingzhou_welfare.models import AuditEntry, Role
from tests.factories import ChildFactory

Kind = ClassificationKind
SCALE = 0.1


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def run(*args) -> str:
    out = StringIO()
    call_command("demo_data", "--scale", str(SCALE), *args, stdout=out)
    return out.getvalue()


def state() -> dict:
    """Everything the command writes, as comparable values."""
    return {
        "children": sorted(Child.objects.values_list("name", "id_number", "birth_date", "township__code", "note")),
        "classifications": sorted(Classification.objects.values_list("child__name", "kind", "start_date", "end_date")),
        "situations": ParentSituation.objects.count(),
        "carers": Carer.objects.count(),
        "accounts": sorted(PaymentAccount.objects.values_list("account_number", flat=True)),
        "villages": Village.objects.count(),
        "users": sorted(get_user_model().objects.values_list("username", "password")),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def demo(db, debug):
    return run()


def test_refuses_without_debug(db):
    with pytest.raises(CommandError, match="DEBUG"):
        run()
    assert not Child.objects.exists()


def test_areas_are_loaded_and_villages_made(demo):
    assert Township.objects.count() == 25
    assert Village.objects.count() == 542
    assert Village.objects.filter(township__code="130682001", name__endswith="社区").exists()
    assert not Village.objects.exclude(township__kind=Township.Kind.SUBDISTRICT).exclude(name__endswith="村").exists()


def test_counts_per_kind_follow_the_bureau_figures(demo):
    open_counts = Counter(Classification.objects.open().values_list("kind", flat=True))
    assert open_counts == {
        Kind.ORPHAN_SCATTERED: 5,
        Kind.ORPHAN_INSTITUTIONAL: 5,
        Kind.DE_FACTO_SCATTERED: 30,
        Kind.DE_FACTO_INSTITUTIONAL: 1,
        Kind.LEFT_BEHIND: 5,  # 3 + 2 also on rural 低保
        Kind.HARDSHIP_POVERTY: 141,  # 特困 1 + 城镇低保 2 + 农村低保 136 + 2 left-behind
        Kind.DISABLED: 97,  # 67 severe + 26 poor + 4 orphans / de facto children with a disability card
        Kind.HARDSHIP_DISABILITY: 26,
        Kind.HARDSHIP_GUARDIANSHIP: 1,
    }
    assert Child.objects.count() == sum(scaled(group.size, SCALE) for group in PLAN) == 278
    # one earlier de facto classification, ended when the last parent died
    ended = Classification.objects.filter(end_date__isnull=False)
    assert [(c.kind, c.end_reason) for c in ended] == [(Kind.DE_FACTO_SCATTERED, "situation_changed")]
    assert Classification.objects.filter(child=ended[0].child, kind=Kind.ORPHAN_SCATTERED).exists()
    assert "278 名儿童" in demo


def test_full_scale_matches_the_article():
    article = {"orphan_scattered": 46, "orphan_institutional": 46}
    sizes = {group.key: group.size for group in PLAN}
    assert {k: sizes[k] for k in article} == article
    assert sizes["de_facto_scattered"] + sizes["de_facto_institutional"] == 306
    assert sizes["left_behind"] + sizes["left_behind_dibao"] == 52
    programmes = 46 + 306 + 13 + 15 + sizes["rural_dibao"] + sizes["left_behind_dibao"] + 672 + 257
    assert programmes == 2689


def test_every_classification_passes_the_rules(demo):
    today = timezone.localdate()
    children = Child.objects.prefetch_related("parent_situations", "classifications")
    for child in children:
        entries = list(child.classifications.all())
        assert entries, child
        for entry in entries:
            open_then = {
                other.kind
                for other in entries
                if other is not entry
                and other.start_date <= entry.start_date
                and (other.end_date is None or other.end_date > entry.start_date)
            }
            problems = classification_problems(child, entry.kind, entry.start_date, open_kinds=open_then, today=today)
            assert problems == [], (child.name, entry.kind, problems)


def test_rows_are_valid_models(demo):
    """bulk_create skips full_clean: run it on every 8th child and its rows (each check is a query)."""
    assert not Child.objects.exclude(note__startswith=MARK).exists()
    sample = Child.objects.order_by("pk")[::8]
    for child in sample:
        child.full_clean()
    for model in (ParentSituation, Carer, PaymentAccount):
        for row in model.objects.filter(child__in=sample):
            row.full_clean()
    assert Carer.objects.filter(is_primary=True).count() == Child.objects.count()
    accounts = PaymentAccount.objects.exclude(method=PaymentAccount.Method.INSTITUTION)
    assert all(16 <= len(a.account_number) <= 19 for a in accounts)
    assert PaymentAccount.objects.count() > 0.8 * Child.objects.count()
    institutional = Child.objects.filter(classifications__kind=Kind.ORPHAN_INSTITUTIONAL)
    assert {c.relationship for c in Carer.objects.filter(child__in=institutional)} == {Carer.Relationship.INSTITUTION}


def test_id_numbers(demo):
    with_id = Child.objects.exclude(id_number="")
    for child in with_id:
        info = parse_id_number(child.id_number)
        assert child.id_number.startswith("130682")
        assert check_agrees_with_id(info, birth_date=child.birth_date, sex=child.sex) == {}
        assert child.age_on(timezone.localdate()) <= 17
    without = Child.objects.filter(id_number="")
    assert without.count() == 3
    assert all(child.no_id_reason for child in without)
    assert without.filter(classifications__kind=Kind.ORPHAN_INSTITUTIONAL).exists()
    disabled = Child.objects.filter(classifications__kind=Kind.DISABLED)
    assert all(c.disability_cert_no.startswith(c.id_number) and c.id_number for c in disabled)


def test_a_likely_duplicate_pair_is_flagged(demo):
    flagged = list(Child.objects.filter(likely_duplicate=True))
    assert len(flagged) == 2
    first, second = flagged
    assert (first.name, first.birth_date, first.township_id) == (second.name, second.birth_date, second.township_id)
    assert sorted([bool(first.id_number), bool(second.id_number)]) == [False, True]


def test_one_demo_user_per_role(demo):
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__startswith="demo_").select_related("profile")}
    assert {u.profile.role for u in users.values()} == set(Role.values)
    for user in users.values():
        assert user.check_password(PASSWORD)
    caseworker = users["demo_caseworker"]
    villages = list(caseworker.profile.villages.all())
    assert len(villages) == 2
    assert {v.township.code for v in villages} == {"130682101"}
    visible = scope_children(Child.objects.all(), caseworker)
    assert visible.exists()
    assert set(visible.values_list("village_id", flat=True)) <= {v.pk for v in villages}
    assert scope_children(Child.objects.all(), users["demo_supervisor"]).exists()
    assert not scope_children(Child.objects.all(), users["demo_admin"]).exists()
    assert scope_children(Child.objects.all(), users["demo_staff"]).count() == Child.objects.count()
    for username in users:
        assert username in demo
    assert PASSWORD in demo and "/login/" in demo


def test_one_audit_entry_per_child(demo):
    entries = AuditEntry.objects.filter(summary="演示数据", action=AuditEntry.Action.CREATE)
    assert sorted(entries.values_list("child_id", flat=True)) == sorted(Child.objects.values_list("pk", flat=True))


def test_a_second_run_changes_nothing(demo):
    before = state()
    out = run()
    assert "已存在" in out
    assert state() == before


def test_reset_makes_the_same_population_again(demo):
    before = state()
    run("--reset")
    after = state()
    for key in ("children", "classifications", "situations", "carers", "accounts", "villages"):
        assert after[key] == before[key], key
    assert Child.objects.count() == 278
    # The new children's entries, and the earlier ones' kept unchanged: the trail is append-only.
    assert AuditEntry.objects.filter(summary="演示数据", child__in=Child.objects.all()).count() == 278
    assert AuditEntry.objects.filter(summary="演示数据").count() == 2 * 278
    assert first_broken_entry()[0] is None


def test_reset_keeps_children_it_did_not_make(demo):
    real = ChildFactory(township=Township.objects.get(code="130682101"), village=None, name="真实儿童")
    run("--reset")
    assert Child.objects.filter(pk=real.pk).exists()


def test_demo_money_two_months_and_work_to_do(db, settings):
    """The demo pays its children: one approved month, one draft with additions and removals."""
    from subsidies.models import Batch, Enrolment

    settings.DEBUG = True
    call_command("demo_data", "--scale", "0.1", stdout=StringIO())
    approved, draft = Batch.objects.order_by("month")
    assert (approved.status, draft.status) == (Batch.Status.APPROVED, Batch.Status.DRAFT)
    assert approved.line_count > 0
    assert draft.lines.filter(enrolment__start_month=draft.month).exists()  # additions
    assert Enrolment.objects.filter(status=Enrolment.Status.ENDED, end_month=approved.month).exists()  # removals
    assert Enrolment.objects.filter(status__in=[Enrolment.Status.APPLIED, Enrolment.Status.CHECKED]).exists()
    call_command("demo_data", "--scale", "0.1", "--reset", stdout=StringIO())
    assert Batch.objects.count() == 2
