"""The administrator keeps the 未成年人保护工作站试点 flag (with its start date) on the townships and records
儿童督导员培训 in the admin site; other roles cannot reach either."""

import datetime

from dingzhou_welfare.models import SupervisorTraining, Township

TOWNSHIP_FIELDS = ("code", "name", "kind")


def _township_form(township, **changes) -> dict:
    data = {field: getattr(township, field) for field in TOWNSHIP_FIELDS}
    data.update(valid_from="", valid_to="", protection_pilot_since="")
    data.update(changes)
    return data


def test_the_administrator_marks_a_pilot_township_with_its_start_date(client, administrator, township_a):
    client.force_login(administrator)
    url = f"/admin/dingzhou_welfare/township/{township_a.pk}/change/"
    response = client.post(url, _township_form(township_a, protection_pilot="on"))
    assert response.status_code == 200  # the form again, with the error
    assert "列为未成年人保护工作站试点的乡镇须填写试点开始日期。" in response.content.decode()
    township_a.refresh_from_db()
    assert township_a.protection_pilot is False

    response = client.post(url, _township_form(township_a, protection_pilot="on", protection_pilot_since="2022-03-15"))
    assert response.status_code == 302
    township_a.refresh_from_db()
    assert (township_a.protection_pilot, township_a.protection_pilot_since) == (True, datetime.date(2022, 3, 15))
    changelist = client.get("/admin/dingzhou_welfare/township/?protection_pilot__exact=1").content.decode()
    assert township_a.name in changelist


def test_the_administrator_records_a_training(client, administrator, township_a):
    client.force_login(administrator)
    assert client.get("/admin/dingzhou_welfare/supervisortraining/add/").status_code == 200
    response = client.post(
        "/admin/dingzhou_welfare/supervisortraining/add/",
        {"held_on": "2022-04-20", "township": township_a.pk, "title": "儿童督导员业务培训", "attendees": "0"},
    )
    assert response.status_code == 200 and not SupervisorTraining.objects.exists()  # nobody attended: refused
    response = client.post(
        "/admin/dingzhou_welfare/supervisortraining/add/",
        {"held_on": "2022-04-20", "township": township_a.pk, "title": "儿童督导员业务培训", "attendees": "25"},
    )
    assert response.status_code == 302
    training = SupervisorTraining.objects.get()
    assert (training.township, training.attendees) == (township_a, 25)


def test_other_roles_reach_neither(client, staff, leader, township_a):
    for user in (staff, leader):
        client.force_login(user)
        for url in (
            "/admin/dingzhou_welfare/supervisortraining/add/",
            f"/admin/dingzhou_welfare/township/{township_a.pk}/change/",
        ):
            response = client.get(url)
            assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert Township.objects.filter(protection_pilot=True).count() == 0
