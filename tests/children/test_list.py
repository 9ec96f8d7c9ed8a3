"""The children list: search, filters, sorting, pagination, scope, and a fixed number of queries per page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children import listing as list_rows
from children import services, views
from children.models import Child, Classification, ClassificationKind, age_on

from ..factories import ChildFactory, make_id_number


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)


def names(response) -> list[str]:
    """The children's names in the list, in order."""
    table = response.text.split('id="children"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/children/\d+/">([^<]+)</a>', table)


def listing(client, **params):
    response = client.get(reverse("children:list"), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def client_a(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


@pytest.fixture
def client_staff(client, staff):
    client.force_login(staff)
    return client


def test_lists_only_the_users_scope(
    client, caseworker_a, caseworker_village, caseworker_b, staff, child_a, child_a2, child_b
):
    expected = {
        caseworker_a: ["王小明", "赵小红"],
        caseworker_village: ["王小明"],
        caseworker_b: ["刘小军"],
        staff: ["刘小军", "王小明", "赵小红"],
    }
    for user, visible in expected.items():
        client.force_login(user)
        response = listing(client, sort="-id")
        assert sorted(names(response)) == sorted(visible)
        assert f"共 {len(visible)} 名儿童" in response.text


@pytest.mark.parametrize("role", ["administrator", "outsider"])
def test_users_without_child_scope_see_an_empty_list(request, client, child_a, child_b, role):
    client.force_login(request.getfixturevalue(role))
    response = listing(client)
    assert names(response) == []
    assert "没有符合条件的儿童。" in response.text


def test_search_by_name_prefix(client_a, child_a, child_a2):
    assert names(listing(client_a, q="王")) == ["王小明"]
    assert names(listing(client_a, q="王小明")) == ["王小明"]
    assert names(listing(client_a, q=" 赵小 ")) == ["赵小红"]
    assert names(listing(client_a, q="小明")) == []  # a prefix, not a substring


def test_search_by_exact_id_and_prefix(client_a, child_a, child_a2):
    assert names(listing(client_a, q=child_a.id_number)) == ["王小明"]
    assert names(listing(client_a, q=child_a.id_number[:17])) == ["王小明"]
    assert sorted(names(listing(client_a, q="130682"))) == ["王小明", "赵小红"]
    assert names(listing(client_a, q="130683")) == []


def test_search_by_id_ending_in_lower_case_x(client_a, township_a, village_a):
    number = next(n for n in (make_id_number(datetime.date(2012, 5, 5)) for _ in range(60)) if n.endswith("X"))
    ChildFactory(
        township=township_a, village=village_a, name="带X的", birth_date=datetime.date(2012, 5, 5), id_number=number
    )
    assert names(listing(client_a, q=number.lower())) == ["带X的"]


def test_the_masked_id_is_shown_not_the_full_one(client_a, child_a):
    response = listing(client_a)
    assert child_a.id_number not in response.text.split('id="children"', 1)[1]
    assert f"{child_a.id_number[:4]}**********{child_a.id_number[-4:]}" in response.text


@pytest.mark.parametrize("by", ["name", "exact_id", "id_prefix"])
def test_search_does_not_reach_outside_the_scope(client, caseworker_b, child_a, child_b, by):
    query = {"name": child_a.name, "exact_id": child_a.id_number, "id_prefix": child_a.id_number[:17]}[by]
    client.force_login(caseworker_b)
    response = listing(client, q=query)
    assert names(response) == []
    assert "共 0 名儿童" in response.text
    assert child_a.name not in response.text.split('id="result-count"', 1)[1]  # the search box echoes the query
    assert f'href="{reverse("children:detail", args=[child_a.pk])}"' not in response.text


def test_filter_by_another_township_shows_nothing_of_it(client, caseworker_b, township_a, child_a, child_b):
    client.force_login(caseworker_b)
    response = listing(client, township=township_a.pk)
    assert child_a.name not in response.text
    assert township_a.name not in response.text.split('id="children"', 1)[1]


def test_filters(client_staff, staff, township_a, township_b, village_a, village_a2, child_a, child_a2, child_b):
    services.add_classification(
        actor=staff, child=child_a2, kind=ClassificationKind.HARDSHIP_POVERTY, start_date=datetime.date(2025, 1, 1)
    )
    ended = services.add_classification(
        actor=staff, child=child_b, kind=ClassificationKind.HARDSHIP_POVERTY, start_date=datetime.date(2025, 1, 1)
    )
    services.end_classification(actor=staff, classification=ended, end_date=datetime.date(2025, 6, 1), reason="other")
    Child.objects.filter(pk=child_b.pk).update(status=Child.Status.CLOSED, closed_reason="moved_away")
    Child.objects.filter(pk=child_a.pk).update(likely_duplicate=True)

    assert sorted(names(listing(client_staff, township=township_a.pk))) == ["王小明", "赵小红"]
    assert names(listing(client_staff, township=township_b.pk)) == ["刘小军"]
    assert names(listing(client_staff, village=village_a2.pk)) == ["赵小红"]
    assert names(listing(client_staff, kind=ClassificationKind.HARDSHIP_POVERTY)) == ["赵小红"]  # open ones only
    assert names(listing(client_staff, kind=ClassificationKind.LEFT_BEHIND)) == []
    assert names(listing(client_staff, status=Child.Status.CLOSED)) == ["刘小军"]
    assert sorted(names(listing(client_staff, status=Child.Status.ACTIVE))) == ["王小明", "赵小红"]
    assert names(listing(client_staff, likely_duplicate="true")) == ["王小明"]
    assert sorted(names(listing(client_staff, likely_duplicate="false"))) == ["刘小军", "赵小红"]
    assert names(listing(client_staff, township=township_a.pk, q="赵")) == ["赵小红"]


def test_sorting(client_staff, township_a, village_a):
    for name, born in (
        ("张三", datetime.date(2012, 1, 1)),
        ("阿宝", datetime.date(2016, 1, 1)),
        ("白雪", datetime.date(2010, 1, 1)),
    ):
        ChildFactory(township=township_a, village=village_a, name=name, birth_date=born)
    # 阿 (a) < 白 (bai) < 张 (zhang) in pinyin; in code points 张 < 白 < 阿.
    by_name = ["阿宝", "白雪", "张三"] if connection.vendor == "postgresql" else ["张三", "白雪", "阿宝"]
    assert names(listing(client_staff)) == by_name
    assert names(listing(client_staff, sort="name")) == by_name
    assert names(listing(client_staff, sort="-name")) == by_name[::-1]
    assert names(listing(client_staff, sort="birth_date")) == ["白雪", "张三", "阿宝"]
    assert names(listing(client_staff, sort="-birth_date")) == ["阿宝", "张三", "白雪"]
    assert names(listing(client_staff, sort="-id")) == ["白雪", "阿宝", "张三"]
    assert names(listing(client_staff, sort="nonsense")) == by_name


def test_pagination(client_staff, township_a, village_a):
    for number in range(30):
        ChildFactory(township=township_a, village=village_a, name=f"儿童{number:02d}")
    first = listing(client_staff, sort="name", township=township_a.pk)
    assert names(first) == [f"儿童{n:02d}" for n in range(25)]
    assert "共 30 名儿童" in first.text
    assert 'aria-current="page" aria-label="第 1 页，当前页">1</a>' in first.text  # page numbers
    assert 'aria-label="第 2 页">2</a>' in first.text
    assert 'max="2" value="1"' in first.text and "/ 2 页" in first.text  # and a jump keeping the search
    assert f'<input type="hidden" name="township" value="{township_a.pk}">' in first.text
    assert f"?sort=name&amp;township={township_a.pk}&amp;page=2" in first.text
    second = listing(client_staff, sort="name", township=township_a.pk, page=2)
    assert names(second) == [f"儿童{n:02d}" for n in range(25, 30)]
    assert "上一页" in second.text
    assert names(listing(client_staff, sort="name", page=99)) == names(second)  # past the end: the last page
    assert names(listing(client_staff, sort="name", page="x")) == names(first)


def test_list_links_to_create_only_for_writers(client, caseworker_a, leader):
    client.force_login(caseworker_a)
    assert reverse("children:create") in listing(client).text
    client.force_login(leader)
    assert reverse("children:create") not in listing(client).text


def make_children(count, township, village, actor):
    for number in range(count):
        child = ChildFactory(township=township, village=village, name=f"儿童{number:02d}")
        services.add_classification(
            actor=actor, child=child, kind=ClassificationKind.HARDSHIP_POVERTY, start_date=datetime.date(2025, 1, 1)
        )
        services.add_classification(
            actor=actor,
            child=child,
            kind=ClassificationKind.HARDSHIP_GUARDIANSHIP,
            start_date=datetime.date(2025, 1, 1),
        )


# The first page after logging in: the session, the user with their profile (one join), the
# paginator's count, the page with its open classifications, the townships and villages a process
# keeps in memory (children/places.py), and the session's renewal (3, with its savepoint).
# "May change children" comes from the role, not from the permission tables (access.role_may).
# A township-scoped user adds the ids of the scope's townships and villages (none: the whole
# township), which a process keeps until the scope changes (access.scope_ids).
# The same page again: the session (the database's in tests; in production Redis's, with no
# query) and the page. The user is kept in the process until users change (signed_in.py), the
# count until children change (KeptCountPaginator), and the session renewed once a minute.
QUERIES = {"staff": (9, 2), "caseworker_a": (11, 2), "caseworker_village": (11, 2)}


@pytest.mark.parametrize("role", sorted(QUERIES))
@pytest.mark.parametrize("count", [5, 30])
def test_queries_per_page_do_not_grow_with_the_page(
    request, client, monkeypatch, django_assert_num_queries, staff, township_a, village_a, role, count
):
    monkeypatch.setattr(views, "PAGE_SIZE", 30)
    make_children(count, township_a, village_a, staff)
    client.force_login(request.getfixturevalue(role))
    query = {"q": "儿童", "kind": ClassificationKind.HARDSHIP_POVERTY}
    first, again = QUERIES[role]
    with django_assert_num_queries(first):
        response = client.get(reverse("children:list"), query)
    assert len(names(response)) == count
    with django_assert_num_queries(again):
        response = client.get(reverse("children:list"), query)
    assert len(names(response)) == count
    assert response.text.split('id="children"', 1)[1].count("困境儿童（监护缺失或不当）") == count
    assert f"共 {count} 名儿童" in response.text


def test_a_kept_count_is_not_used_once_children_change(client_staff, staff, township_a, village_a):
    make_children(3, township_a, village_a, staff)
    query = {"kind": ClassificationKind.HARDSHIP_POVERTY}
    assert "共 3 名儿童" in listing(client_staff, **query).text
    with CaptureQueriesContext(connection) as queries:
        assert "共 3 名儿童" in listing(client_staff, **query).text
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]  # kept, not counted again
    make_children(1, township_a, village_a, staff)  # a new child and its category
    assert "共 4 名儿童" in listing(client_staff, **query).text
    child = Child.objects.filter(name="儿童00").first()
    services.end_classification(
        actor=staff,
        classification=child.classifications.get(kind=ClassificationKind.HARDSHIP_POVERTY),
        end_date=datetime.date(2026, 5, 31),
        reason=Classification.EndReason.OTHER,
    )
    assert "共 3 名儿童" in listing(client_staff, **query).text


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (datetime.date(2012, 6, 1), datetime.date(2026, 6, 1), 14),  # the birthday itself
        (datetime.date(2012, 6, 2), datetime.date(2026, 6, 1), 13),  # the day before it
        (datetime.date(2012, 2, 29), datetime.date(2026, 2, 28), 13),  # born on 29 February
        (datetime.date(2012, 2, 29), datetime.date(2026, 3, 1), 14),
        (datetime.date(2026, 6, 1), datetime.date(2026, 6, 1), 0),  # born today
    ],
)
def test_the_lists_age_is_the_case_files(born, day, age):
    """The list and the case file count age with the one function, children.models.age_on."""
    assert list_rows.age_on is age_on
    assert Child(birth_date=born).age_on(day) == age


def test_row_links_are_the_case_files_address(client_staff, child_a, child_b):
    table = listing(client_staff).text.split('id="children"', 1)[1]
    for child in (child_a, child_b):
        assert f'<a href="{reverse("children:detail", args=[child.pk])}">{child.name}</a>' in table


def test_the_capped_count_reads_the_children_table_alone(client_staff, child_a, child_b):
    """A join in the count made PostgreSQL count a surname's 10,001 matches through townships (bench/README.md)."""
    with CaptureQueriesContext(connection) as captured:
        listing(client_staff, q="王")
    counts = [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1
    assert "JOIN" not in counts[0].upper()


def test_the_rows_escape_what_they_print(client_staff, township_a):
    village = township_a.villages.create(name='<b>"村"</b>')
    ChildFactory(township=township_a, village=village, name="<script>x</script>")
    table = listing(client_staff).text.split('id="children"', 1)[1]
    assert "<script>" not in table and "<b>" not in table
    assert "&lt;script&gt;x&lt;/script&gt;" in table
    assert "&lt;b&gt;&quot;村&quot;&lt;/b&gt;" in table
    assert '<span class="muted">—</span>' in table  # no category


def test_each_search_and_scope_has_its_own_kept_count(client, staff, caseworker_a, child_a, child_a2, child_b):
    client.force_login(staff)
    for params, count in [({}, 3), ({"q": "王"}, 1), ({"q": "王", "sort": "-id"}, 1), ({"q": "刘"}, 1), ({}, 3)]:
        assert f"共 {count} 名儿童" in listing(client, **params).text, params
    client.force_login(caseworker_a)
    for params, count in [({}, 2), ({"q": "刘"}, 0), ({"q": "王"}, 1)]:
        assert f"共 {count} 名儿童" in listing(client, **params).text, params


def test_the_filter_forms_share_their_fixed_choices_and_translate_them_when_shown(staff):
    from django.utils import translation

    from children.filters import ChildFilterForm

    first, second = ChildFilterForm(user=staff), ChildFilterForm(user=staff)
    assert first.fields["kind"].choices is second.fields["kind"].choices  # not copied per page
    assert first.fields["township"].choices is not second.fields["township"].choices  # per user
    with translation.override("zh-hans"):
        chinese = str(first["kind"])
    with translation.override("en"):
        english = str(second["kind"])
    assert ClassificationKind.ORPHAN_SCATTERED.value in chinese and "社会散居孤儿" in chinese
    assert "社会散居孤儿" not in english
