"""The dashboard counts only what the user may see."""

import datetime

import pytest
from django.urls import reverse

from children import services
from children.models import Child, ClassificationKind

Kind = ClassificationKind


@pytest.fixture
def classified(time_machine, staff, child_a, child_a2, child_b):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)
    start = datetime.date(2025, 1, 1)
    for child, kind in (
        (child_a, Kind.HARDSHIP_POVERTY),
        (child_a, Kind.HARDSHIP_GUARDIANSHIP),
        (child_a2, Kind.HARDSHIP_POVERTY),
        (child_b, Kind.HARDSHIP_POVERTY),
    ):
        services.add_classification(actor=staff, child=child, kind=kind, start_date=start)
    ended = services.add_classification(actor=staff, child=child_b, kind=Kind.HARDSHIP_GUARDIANSHIP, start_date=start)
    services.end_classification(actor=staff, classification=ended, end_date=start, reason="other")
    # A closed child counts nowhere, and neither do the classifications left open on it.
    closed = services.create_child(
        actor=staff,
        data={
            "name": "已销档",
            "sex": "M",
            "no_id_reason": "尚未落户",
            "birth_date": datetime.date(2014, 1, 1),
            "hukou_type": Child.HukouType.RURAL,
            "township": child_a.township,
            "village": child_a.village,
        },
    )
    services.add_classification(actor=staff, child=closed, kind=Kind.HARDSHIP_POVERTY, start_date=start)
    Child.objects.filter(pk=closed.pk).update(status=Child.Status.CLOSED, closed_reason="moved_away")
    Child.objects.filter(pk=child_a2.pk).update(likely_duplicate=True)


# role -> (active children, classified children, poverty, guardianship, likely duplicates)
EXPECTED = {
    "caseworker_a": (2, 2, 2, 1, 1),
    "caseworker_village": (1, 1, 1, 1, 0),
    "supervisor_a": (2, 2, 2, 1, 1),
    "caseworker_b": (1, 1, 1, 0, 0),
    "staff": (3, 3, 3, 1, 1),
    "leader": (3, 3, 3, 1, 1),
    "outsider": (0, 0, 0, 0, 0),
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_counts_only_the_users_scope(request, client, classified, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    children, classified_total, poverty, guardianship, duplicates = EXPECTED[role]
    context = response.context
    assert context["children_total"] == children
    assert context["classified_total"] == classified_total
    rows = {kind: count for _label, count, kind in context["rows"]}
    assert rows[Kind.HARDSHIP_POVERTY] == poverty
    assert rows[Kind.HARDSHIP_GUARDIANSHIP] == guardianship
    assert sum(rows.values()) == poverty + guardianship
    assert context["duplicates"] == duplicates
    assert ("疑似重复待核实" in response.text) == bool(duplicates)


def test_the_administrator_home_shows_no_child_figure(client, classified, administrator, child_a):
    """The administrator has their own home (accounts, reference data) and sees no child at all."""
    client.force_login(administrator)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "home/administrator.html"
    for key in ("children_total", "classified_total", "rows", "duplicates"):
        assert key not in response.context
    assert child_a.name not in response.text
    assert "疑似重复待核实" not in response.text
    assert response.context["townships"] >= 1


def test_messages_for_users_without_child_scope(client, administrator, outsider):
    client.force_login(administrator)
    assert "系统管理员管理用户和基础数据，不查看儿童个人信息。" in client.get(reverse("dashboard")).text
    client.force_login(outsider)
    assert "您的账号还没有分配角色，请联系系统管理员。" in client.get(reverse("dashboard")).text
