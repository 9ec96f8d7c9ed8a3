"""Recording handouts: the checks, the audit, and the phone form through the test client."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from children.models import ClassificationKind
from children.services import add_classification
from dingzhou_welfare.models import AuditEntry
from visits.campaigns import services
from visits.campaigns.models import Campaign, Handout, HandoutLine

from .support import ITEMS, give

pytestmark = pytest.mark.django_db

INVALID = [
    ("goods with a fraction", {"大米": "1.5"}, datetime.date(2026, 2, 1), "不能有小数"),
    ("cash with three decimals", {"慰问金": "100.005"}, datetime.date(2026, 2, 1), "两位小数"),
    ("negative", {"油": "-1"}, datetime.date(2026, 2, 1), "负数"),
    ("nothing given", {"大米": "0"}, datetime.date(2026, 2, 1), "至少填写一项"),
    ("before the campaign", {"大米": "1"}, datetime.date(2026, 1, 19), "活动期间"),
    ("after the campaign", {"大米": "1"}, datetime.date(2026, 3, 1), "活动期间"),
    ("in the future", {"大米": "1"}, datetime.date(2026, 6, 2), "晚于今天"),
]


@pytest.mark.parametrize(("case", "given", "day", "words"), INVALID, ids=[c[0] for c in INVALID])
def test_a_wrong_handout_is_refused_and_nothing_is_written(campaign, staff, child_a, case, given, day, words):
    with pytest.raises(ValidationError) as caught:
        give(staff, campaign, child_a, day=day, **given)
    assert words in str(caught.value)
    assert not Handout.objects.exists()
    assert not AuditEntry.objects.filter(object_type="handout").exists()


def test_a_handout_is_audited_with_what_changed(campaign, staff, child_a):
    give(staff, campaign, child_a, 大米=1, 慰问金="200")
    give(staff, campaign, child_a, 大米=2, 慰问金="200")
    first, second = AuditEntry.objects.filter(object_type="handout").order_by("id")
    assert first.action == AuditEntry.Action.CREATE
    assert first.child == child_a
    assert first.changes == {"大米": [None, "1 份"], "慰问金": [None, "200.00 元"]}
    assert second.action == AuditEntry.Action.UPDATE
    assert second.changes == {"大米": ["1 份", "2 份"]}
    assert HandoutLine.objects.count() == 2


def test_a_visit_of_another_child_cannot_be_linked(campaign, staff, child_a, child_b):
    from visits.models import Visit

    visit = Visit.objects.create(  # straight to the table: only its child and day matter here
        child=child_b,
        visitor=staff,
        kind=Visit.Kind.CARE,
        visited_on=datetime.date(2026, 2, 1),
        next_visit_due=datetime.date(2026, 5, 1),
        risk_level="low",
    )
    with pytest.raises(ValidationError) as caught:
        give(staff, campaign, child_a, visit=visit, 大米=1)
    assert "不是这名儿童的" in str(caught.value)
    handout = give(staff, campaign, child_b, visit=visit, 大米=1)
    assert handout.visit == visit


def test_an_item_in_use_cannot_be_removed_from_the_campaign(campaign, staff, child_a):
    give(staff, campaign, child_a, 棉被=1)
    kept = [dict(item, id=campaign.items.get(name=item["name"]).pk) for item in ITEMS if item["name"] != "棉被"]
    with pytest.raises(ValidationError) as caught:
        services.save_campaign(
            actor=staff,
            data={
                "name": campaign.name,
                "start_date": campaign.start_date,
                "end_date": campaign.end_date,
                "description": "",
            },
            items=kept,
            campaign=campaign,
        )
    assert "棉被" in str(caught.value)
    assert campaign.items.filter(name="棉被").exists()


def test_the_period_cannot_shrink_past_recorded_handouts(campaign, staff, child_a):
    give(staff, campaign, child_a, day=datetime.date(2026, 2, 20), 大米=1)
    items = [dict(item, id=campaign.items.get(name=item["name"]).pk) for item in ITEMS]
    with pytest.raises(ValidationError) as caught:
        services.save_campaign(
            actor=staff,
            data={
                "name": campaign.name,
                "start_date": campaign.start_date,
                "end_date": datetime.date(2026, 2, 10),
                "description": "",
            },
            items=items,
            campaign=campaign,
        )
    assert "1 条发放记录" in str(caught.value)


def test_staff_create_a_campaign_from_the_form_with_the_usual_items_filled_in(client, frozen, staff):
    client.force_login(staff)
    page = client.get(reverse("campaigns:create"))
    assert page.status_code == 200
    assert 'value="慰问金"' in page.text
    data = {
        "name": "2026年六一走访慰问",
        "start_date": "2026-05-25",
        "end_date": "2026-06-05",
        "description": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-0-name": "书包",
        "items-0-unit": "个",
        "items-0-kind": "goods",
        "items-1-name": "慰问金",
        "items-1-unit": "元",
        "items-1-kind": "cash",
        "items-2-name": "",
        "items-2-unit": "",
        "items-2-kind": "goods",
    }
    response = client.post(reverse("campaigns:create"), data)
    campaign = Campaign.objects.get(name="2026年六一走访慰问")
    assert response.status_code == 302
    assert [i.name for i in campaign.items.all()] == ["书包", "慰问金"]
    assert AuditEntry.objects.filter(object_type="campaign", action=AuditEntry.Action.CREATE).exists()
    bad = client.post(reverse("campaigns:create"), {**data, "name": "坏的", "items-1-unit": "份"})
    assert bad.status_code == 400
    assert "慰问金的单位是“元”" in bad.text


def test_a_caseworker_records_a_handout_from_the_childrens_list(client, campaign, caseworker_village, child_a, staff):
    add_classification(
        actor=staff, child=child_a, kind=ClassificationKind.HARDSHIP_POVERTY, start_date=datetime.date(2025, 1, 1)
    )
    client.force_login(caseworker_village)
    listing = client.get(reverse("campaigns:children", args=[campaign.pk]))
    assert [c.name for c in listing.context["page"]] == ["王小明"]
    url = reverse("campaigns:handout", args=[campaign.pk, child_a.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'inputmode="numeric"' in form.text
    items = {i.name: i.pk for i in campaign.items.all()}
    bad = client.post(url, {"handed_on": "2026-02-03", f"item_{items['大米']}": "1.5"})
    assert bad.status_code == 400
    assert "不能有小数" in bad.text
    response = client.post(
        url, {"handed_on": "2026-02-03", f"item_{items['大米']}": "1", f"item_{items['慰问金']}": "300", "note": ""}
    )
    assert response.status_code == 302
    handout = Handout.objects.get()
    assert handout.recorded_by == caseworker_village
    assert {line.item.name: line.quantity for line in handout.lines.all()} == {"大米": 1, "慰问金": Decimal("300.00")}
    listing = client.get(reverse("campaigns:children", args=[campaign.pk]), {"done": "yes"})
    assert [c.name for c in listing.context["page"]] == ["王小明"]
    detail = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    assert "困境儿童 1 名" in detail.text
    assert client.post(reverse("campaigns:handout_remove", args=[campaign.pk, child_a.pk])).status_code == 302
    assert not Handout.objects.exists()
    assert AuditEntry.objects.filter(object_type="handout", action=AuditEntry.Action.DELETE).exists()


def test_others_cannot_record_or_create(client, campaign, caseworker_b, leader, child_a):
    client.force_login(caseworker_b)
    assert client.get(reverse("campaigns:handout", args=[campaign.pk, child_a.pk])).status_code == 404
    assert client.get(reverse("campaigns:create")).status_code == 404
    client.force_login(leader)
    assert client.get(reverse("campaigns:detail", args=[campaign.pk])).status_code == 200
    assert client.get(reverse("campaigns:handout", args=[campaign.pk, child_a.pk])).status_code == 404
    assert client.get(reverse("campaigns:children", args=[campaign.pk])).status_code == 404


def test_campaign_pages_cost_the_same_queries_for_one_handout_or_many(
    client, campaign, staff, township_a, django_assert_max_num_queries
):
    from tests.factories import ChildFactory

    def add_child():
        child = ChildFactory(township=township_a)
        add_classification(
            actor=staff, child=child, kind=ClassificationKind.HARDSHIP_POVERTY, start_date=datetime.date(2025, 1, 1)
        )
        give(staff, campaign, child, 大米=1, 慰问金="100")

    client.force_login(staff)
    add_child()
    counts = {}
    for name in ("campaigns:detail", "campaigns:children"):
        with django_assert_max_num_queries(20) as captured:
            client.get(reverse(name, args=[campaign.pk]))
        counts[name] = len(captured.captured_queries)
    for _ in range(12):
        add_child()
    for name, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(reverse(name, args=[campaign.pk])).status_code == 200
