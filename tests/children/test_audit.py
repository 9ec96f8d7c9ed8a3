"""Every decision about a child leaves exactly one audit entry, and the trail never unmasks anything."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children import services
from children.models import Carer, Child, ClassificationKind, ParentSituation
from dingzhou_welfare.models import AuditEntry, Role

from ..factories import approve_role_request, child_form_data

Action = AuditEntry.Action
FULL_ID = "130682201501010010"
OTHER_ID = "130682201501010029"  # female: see the edit test
ACCOUNT = "6217000012345678"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def trail(db):
    """The entries written since the fixture was set up (call it to read them, oldest first).

    Request it last, after the users and children, so their creation is not counted.
    """
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return lambda: list(AuditEntry.objects.filter(id__gt=last).order_by("id"))


def only(entries) -> AuditEntry:
    assert len(entries) == 1, [(e.action, e.summary) for e in entries]
    return entries[0]


def assert_masked(entry, *full_values):
    text = json.dumps(entry.changes, ensure_ascii=False) + entry.summary
    for value in full_values:
        assert value not in text


@pytest.fixture
def client_a(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


def test_creating_a_child(client_a, caseworker_a, township_a, village_a, trail):
    response = client_a.post(reverse("children:create"), child_form_data(township_a, village_a))
    child = Child.objects.get(id_number=FULL_ID)
    assert response.status_code == 302
    entry = only(trail())
    assert (entry.action, entry.actor, entry.child, entry.object_type) == (Action.CREATE, caseworker_a, child, "child")
    assert entry.object_id == str(child.pk)
    assert entry.changes["姓名"] == [None, "李小华"]
    assert entry.changes["身份证号"] == [None, "1306**********0010"]
    assert entry.changes["乡镇（街道）"] == [None, "清风店镇"]
    assert_masked(entry, FULL_ID)


def test_editing_a_field_records_old_and_new_and_shows_them(client_a, caseworker_a, child_a, trail):
    data = child_form_data(
        child_a.township,
        child_a.village,
        name="王晓明",
        id_number=child_a.id_number,
        birth_date=child_a.birth_date.isoformat(),
        school_name="清风店小学",
    )
    response = client_a.post(reverse("children:edit", args=[child_a.pk]), data)
    assert response.status_code == 302
    entry = only(trail())
    assert entry.action == Action.UPDATE
    assert entry.actor == caseworker_a
    assert entry.changes == {"姓名": ["王小明", "王晓明"], "学校": ["", "清风店小学"]}
    page = client_a.get(reverse("children:detail", args=[child_a.pk])).text
    assert "王小明 → 王晓明" in page
    assert "— → 清风店小学" in page


def test_saving_an_unchanged_child_writes_nothing(client_a, child_a, trail):
    data = child_form_data(
        child_a.township, child_a.village, name=child_a.name, id_number=child_a.id_number, birth_date="2015-03-14"
    )
    assert client_a.post(reverse("children:edit", args=[child_a.pk]), data).status_code == 302
    assert trail() == []


def test_changing_the_id_number_is_recorded_masked(client_a, township_a, village_a, trail):
    child = services.create_child(
        actor=None,
        data={
            "name": "李小华",
            "sex": "M",
            "id_number": FULL_ID,
            "birth_date": datetime.date(2015, 1, 1),
            "hukou_type": Child.HukouType.RURAL,
            "township": township_a,
            "village": village_a,
        },
    )
    start = len(trail())
    # A clerk had typed the sex wrong: she is a girl, and the ID number changes with it.
    data = child_form_data(township_a, village_a, sex="F", id_number=OTHER_ID)
    assert client_a.post(reverse("children:edit", args=[child.pk]), data).status_code == 302
    entry = only(trail()[start:])
    assert entry.changes["身份证号"] == ["1306**********0010", "1306**********0029"]
    assert entry.changes["性别"] == ["男", "女"]
    assert_masked(entry, FULL_ID, OTHER_ID)


def test_opening_the_edit_page_is_a_reveal(client_a, caseworker_a, child_a, trail):
    response = client_a.get(reverse("children:edit", args=[child_a.pk]))
    assert child_a.id_number in response.text
    entry = only(trail())
    assert (entry.action, entry.actor, entry.child) == (Action.REVEAL, caseworker_a, child_a)


def test_adding_and_ending_a_classification(client_a, caseworker_a, child_a, trail):
    client_a.post(
        reverse("children:classification_add", args=[child_a.pk]),
        {"kind": ClassificationKind.HARDSHIP_POVERTY, "start_date": "2026-01-01"},
    )
    added = only(trail())
    entry = child_a.classifications.get()
    assert (added.action, added.actor, added.child, added.object_type) == (
        Action.DECISION,
        caseworker_a,
        child_a,
        "classification",
    )
    assert added.summary == "认定为困境儿童（家庭贫困）"
    assert added.changes == {"儿童类别": [None, "困境儿童（家庭贫困）"], "起始日期": [None, "2026-01-01"]}

    client_a.post(
        reverse("children:classification_end", args=[child_a.pk, entry.pk]),
        {"end_date": "2026-05-31", "end_reason": "moved_away"},
    )
    ended = trail()[1:]
    assert len(ended) == 1
    assert ended[0].action == Action.DECISION
    assert ended[0].summary == "终止类别：困境儿童（家庭贫困）（迁出）"
    assert ended[0].changes == {"终止日期": [None, "2026-05-31"], "终止原因": [None, "迁出"]}


def test_recording_a_parent_situation(client_a, caseworker_a, child_a, trail):
    response = client_a.post(
        reverse("children:parent_add", args=[child_a.pk]),
        {
            "parent": "father",
            "name": "王大明",
            "id_number": "",
            "situation": ParentSituation.Situation.IMPRISONED,
            "start_date": "2025-09-01",
            "term_months": "36",
            "evidence": "刑事判决书",
        },
    )
    assert response.status_code == 302
    entry = only(trail())
    assert (entry.action, entry.actor, entry.child, entry.object_type) == (
        Action.CREATE,
        caseworker_a,
        child_a,
        "parentsituation",
    )
    assert entry.summary == "登记父亲情况：服刑在押"
    assert entry.changes["情形"] == [None, "服刑在押"]
    assert entry.changes["起始日期"] == [None, "2025-09-01"]
    assert entry.changes["刑期/措施期限（月）"] == [None, 36]


def test_id_number_is_masked_until_revealed(client, leader, child_a, trail):
    client.force_login(leader)
    page = client.get(reverse("children:detail", args=[child_a.pk])).text
    assert child_a.id_number not in page
    assert child_a.id_number[:4] + "**********" + child_a.id_number[-4:] in page
    assert trail() == []

    response = client.post(reverse("children:reveal", args=[child_a.pk]), {"what": "child_id"})
    assert response.status_code == 200
    assert child_a.id_number in response.text
    entry = only(trail())
    assert (entry.action, entry.actor, entry.child) == (Action.REVEAL, leader, child_a)
    assert entry.summary == "查看完整信息：儿童身份证号和残疾证号"
    # Revealing is for this one response: the next view is masked again.
    assert child_a.id_number not in client.get(reverse("children:detail", args=[child_a.pk])).text


def test_reveal_is_post_only(client_a, child_a, trail):
    assert client_a.get(reverse("children:reveal", args=[child_a.pk]) + "?what=child_id").status_code == 405
    assert trail() == []


def test_payment_account_saved_masked_and_revealed(client_a, caseworker_a, child_a, trail):
    response = client_a.post(
        reverse("children:account", args=[child_a.pk]),
        {
            "method": "one_card",
            "payee_name": "王大爷",
            "payee_relationship": Carer.Relationship.PATERNAL_GRANDPARENT,
            "payee_id_number": "",
            "bank_name": "定州农商银行",
            "account_number": "6217 0000 1234 5678",
        },
    )
    assert response.status_code == 302
    created = only(trail())
    assert created.action == Action.CREATE
    assert created.changes["银行账号"] == [None, "************5678"]
    assert_masked(created, ACCOUNT)

    page = client_a.get(reverse("children:detail", args=[child_a.pk])).text
    assert ACCOUNT not in page
    assert "************5678" in page
    response = client_a.post(reverse("children:reveal", args=[child_a.pk]), {"what": "account"})
    assert ACCOUNT in response.text
    revealed = trail()[1:]
    assert len(revealed) == 1
    assert (revealed[0].action, revealed[0].summary) == (Action.REVEAL, "查看完整信息：发放账户")


def test_editing_the_carer_records_masked_old_and_new(client_a, caseworker_a, child_a, trail):
    url = reverse("children:carer", args=[child_a.pk])
    carer = {
        "name": "王大爷",
        "relationship": Carer.Relationship.PATERNAL_GRANDPARENT,
        "id_number": "",
        "phone": "13800001234",
        "address": "东村",
        "capacity": Carer.Capacity.FULL,
        "is_guardian": "on",
        "note": "",
    }
    assert client_a.post(url, carer).status_code == 302
    created = only(trail())
    assert created.action == Action.CREATE
    assert created.changes["电话"] == [None, "138****1234"]

    assert client_a.post(url, {**carer, "phone": "13900005678"}).status_code == 302
    updated = trail()[1:]
    assert len(updated) == 1
    assert updated[0].action == Action.UPDATE
    assert updated[0].changes == {"电话": ["138****1234", "139****5678"]}
    assert_masked(updated[0], "13800001234", "13900005678")


def test_downloading_a_document(client_a, caseworker_a, child_a, trail):
    document = services.add_document(
        actor=caseworker_a,
        child=child_a,
        kind="death_certificate",
        upload=SimpleUploadedFile("证明.png", PNG, content_type="image/png"),
    )
    uploaded = only(trail())
    assert uploaded.action == Action.UPLOAD
    response = client_a.get(reverse("children:document", args=[child_a.pk, document.pk]))
    assert b"".join(response.streaming_content) == PNG
    downloaded = trail()[1:]
    assert len(downloaded) == 1
    assert (downloaded[0].action, downloaded[0].actor, downloaded[0].child) == (Action.DOWNLOAD, caseworker_a, child_a)
    assert downloaded[0].object_id == str(document.pk)


def test_editing_a_users_role(client, administrator, leader, caseworker_a, township_a, township_b, trail):
    client.force_login(administrator)
    response = client.post(
        reverse("user_edit", args=[caseworker_a.pk]),
        {
            "username": "caseworker_a",
            "full_name": "caseworker_a",
            "role": Role.SUPERVISOR,
            "townships": [township_a.pk, township_b.pk],
            "phone": "13800001234",
            "is_active": "on",
            "password": "",
        },
    )
    assert response.status_code == 302
    requested, updated = trail()  # the account, and a request for the role: it waits for a second person
    assert (requested.action, requested.actor, requested.object_type) == (Action.CREATE, administrator, "rolerequest")
    assert requested.changes == {"role": ["儿童主任", "儿童督导员"], "townships": ["清风店镇", "清风店镇、庞村镇"]}
    assert (updated.action, updated.object_type, updated.changes) == (Action.UPDATE, "user", {})
    approve_role_request(caseworker_a, leader)
    decided = trail()[2]
    assert (decided.action, decided.actor, decided.object_type) == (Action.DECISION, leader, "rolerequest")
    assert decided.changes == requested.changes


def test_setting_a_password_never_puts_it_in_the_trail(client, administrator, caseworker_a, trail):
    client.force_login(administrator)
    password = "Another-long-pass-2026"
    client.post(
        reverse("user_edit", args=[caseworker_a.pk]),
        {
            "username": "caseworker_a",
            "full_name": "caseworker_a",
            "role": Role.CASEWORKER,
            "townships": [caseworker_a.profile.townships.get().pk],
            "is_active": "on",
            "password": password,
        },
    )
    entry = only(trail())
    assert entry.changes == {"password": ["", "已设置"]}
    assert password not in json.dumps(entry.changes, ensure_ascii=False)


def test_disability_certificate_number_is_masked_until_revealed(client_a, caseworker_a, child_a):
    child_a.disability_type, child_a.disability_grade = "physical", 2
    child_a.disability_cert_no = child_a.id_number + "42"
    child_a.save()
    page = client_a.get(reverse("children:detail", args=[child_a.pk])).text
    assert child_a.disability_cert_no not in page
    revealed = client_a.post(reverse("children:reveal", args=[child_a.pk]), {"what": "child_id"}).text
    assert child_a.disability_cert_no in revealed
