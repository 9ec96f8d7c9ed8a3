"""Every named URL, walked with every role (DESIGN.md 1 and 7: one scoping function, tests that walk every URL).

Outside a user's scope the answer is 404 with no trace of the child; a read-only role (the leader)
gets 404 on every write URL too, so a page never tells anyone more than "not found".
Adding a URL without adding it to ROUTES below fails `test_every_named_route_has_a_scope_case`.
"""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse

from children import services
from children.models import Carer, Child, ClassificationKind, ParentSituation
from dingzhou_welfare.models import AuditEntry, Role, RoleRequest
from dingzhou_welfare.reveals import FULL_NUMBER_FIELDS
from dingzhou_welfare.services import save_staff_user
from subsidies.bank import run_bank_file_job, start_bank_file
from subsidies.disbursement import compute_month
from subsidies.exports import run_export_job, start_export_job
from subsidies.models import BankLayout, Batch, Programme
from subsidies.services import apply_enrolment
from tests.factories import PASSWORD, make_id_number, make_user
from tests.scope_support import READERS, ROLES, WRITERS, Case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

ROUTES = {
    # The children registry: bound to one child.
    "children:detail": Case({"get": 200}, "child-read"),
    "children:reveal": Case({"post": 200}, "child-read", {"what": "child_id"}),
    "children:document": Case({"get": 200}, "child-read"),
    "children:edit": Case({"get": 200, "post": 200}, "child-write"),
    "children:close": Case({"get": 200, "post": 400}, "child-write"),
    "children:classification_add": Case({"post": 400}, "child-write"),
    "children:classification_end": Case({"post": 400}, "child-write"),
    "children:classification_review": Case({"get": 200, "post": 400}, "child-write"),
    "children:parent_add": Case({"get": 200, "post": 200}, "child-write"),
    "children:carer": Case({"get": 200, "post": 200}, "child-write"),
    "children:account": Case({"get": 200, "post": 200}, "child-write"),
    "children:document_upload": Case({"post": 400}, "child-write"),
    # The registry, not bound to a child.
    "children:list": Case({"get": 200}, "logged-in"),
    "children:reviews": Case({"get": 200}, "registry"),
    "children:create": Case({"get": 200, "post": 200}, "writers"),
    # Subsidies: enrolments are scoped by their child; batches are county-level (staff and leader).
    "subsidies:apply": Case({"get": 200, "post": 400}, "child-write"),
    "subsidies:enrolment": Case({"get": 200}, "enrolment-read"),
    "subsidies:enrolment_check": Case({"post": 400}, "enrolment-check"),
    "subsidies:enrolment_confirm": Case({"post": 400}, "enrolment-staff"),
    "subsidies:enrolment_refuse": Case({"post": 400}, "enrolment-refuse"),
    "subsidies:enrolment_end": Case({"post": 400}, "enrolment-staff"),
    "subsidies:enrolment_review": Case({"post": 400}, "enrolment-refuse"),
    "subsidies:enrolments": Case({"get": 200}, "registry"),
    "subsidies:queue": Case({"get": 200}, "registry"),
    "subsidies:changes": Case({"get": 200}, "registry"),
    "subsidies:programmes": Case({"get": 200}, "registry"),
    "subsidies:standard_set": Case({"get": 200, "post": 400}, "staff"),
    "subsidies:batches": Case({"get": 200}, "county"),
    "subsidies:batch_start": Case({"post": 400}, "staff"),
    "subsidies:batch": Case({"get": 200}, "county"),
    "subsidies:batch_progress": Case({"get": 200}, "county"),
    "subsidies:batch_approve": Case({"get": 200, "post": 400}, "county"),
    "subsidies:batch_waive": Case({"post": 400}, "staff"),
    # Roster exports: staff and leader; a job and its file: the requester (staff here) or other staff.
    "subsidies:export": Case({"get": 200, "post": 400}, "county"),
    "subsidies:export_job": Case({"get": 200}, "staff"),
    "subsidies:export_download": Case({"get": 200}, "staff"),
    "subsidies:export_retry": Case({"post": 302}, "staff"),
    # The bank payment file: staff and leader see and download it; only staff start one (or retry).
    "subsidies:bank_file": Case({"get": 200}, "county"),
    "subsidies:bank_file_start": Case({"post": 400}, "staff"),
    "subsidies:bank_job": Case({"get": 200}, "county"),
    "subsidies:bank_download": Case({"get": 200}, "county"),
    "subsidies:bank_retry": Case({"post": 302}, "staff"),
    # The rest of the site.
    "dashboard": Case({"get": 200}, "logged-in"),
    "password_change": Case({"get": 200}, "logged-in"),
    "user_list": Case({"get": 200}, "administrator"),
    "user_create": Case({"get": 200, "post": 200}, "administrator"),
    "user_edit": Case({"get": 200, "post": 200}, "administrator"),
    "user_unlock": Case({"post": 302}, "administrator"),
    "role_requests": Case({"get": 200}, "approvers"),
    "role_request_decide": Case({"post": 302}, "approvers", {"decision": "approve"}),
    "user_reset_second_factor": Case({"post": 302}, "administrator"),
    "audit_list": Case({"get": 200}, "county"),
    "two_factor_setup": Case({"get": 200}, "logged-in"),
    "two_factor_verify": Case({"get": 302}, "logged-in"),  # home: this session owes no second factor
    "healthz": Case({"get": 200}, "everyone"),
    "readyz": Case({"get": 200}, "everyone"),
    "set_language": Case({"post": 302}, "everyone", {"language": "zh-hans", "next": "/"}),
    "login": Case({"get": 200}, "anonymous"),
    "logout": Case({"post": 302}, "everyone"),
}

# Each later app keeps its own routes in tests/<app>/scope_routes.py (see tests/scope_support.py).
EXTENSIONS = []
for _app in (
    "children",
    "visits",
    "adoption",
    "imports",
    "reports",
    "agreements",
    "campaigns",
    "subsidies",
    "api",
):
    try:
        EXTENSIONS.append(importlib.import_module(f"tests.{_app}.scope_routes"))
    except ModuleNotFoundError as error:
        if error.name not in (f"tests.{_app}", f"tests.{_app}.scope_routes"):
            raise
for _extension in EXTENSIONS:
    assert not set(_extension.ROUTES) & set(ROUTES), f"{_extension.__name__} repeats a route"
    ROUTES.update(_extension.ROUTES)
WHO = {who: rule for extension in EXTENSIONS for who, rule in getattr(extension, "WHO", {}).items()}

CHILD_ROUTES = {name for name, case in ROUTES.items() if case.who.startswith("child-")}
ENROLMENT_ROUTES = {name for name, case in ROUTES.items() if case.who.startswith("enrolment-")}


def named_routes(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin has its own permission checks; it holds reference data only.
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern.url_patterns, inner)
        else:
            assert pattern.name, f"unnamed URL pattern {pattern.pattern}: name it and add a scope case"
            yield namespace + pattern.name


def test_every_named_route_has_a_scope_case():
    assert set(named_routes(get_resolver().url_patterns)) == set(ROUTES)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)


def add_full_numbers(child, staff):
    """What the registry holds in full about the people around a child: a father working away (his ID
    number), the primary carer (ID number and phone) and the payment account (a bank account)."""
    services.record_parent_situation(
        actor=staff,
        child=child,
        data={
            "parent": "father",
            "name": "王建军",
            "id_number": make_id_number(datetime.date(1986, 7, 1)),
            "situation": ParentSituation.Situation.WORKING_AWAY,
            "start_date": datetime.date(2024, 3, 1),
            "work_place": "北京市大兴区某物流公司",
        },
    )
    carer = {"name": "王桂兰", "relationship": Carer.Relationship.PATERNAL_GRANDPARENT, "is_primary": True}
    carer.update(id_number=make_id_number(datetime.date(1958, 4, 2), "F"), phone=f"1380000{child.pk:04d}")
    services.save_carer(actor=staff, child=child, data=carer)
    account = {
        "method": "one_card",
        "payee_name": "王桂兰",
        "payee_relationship": Carer.Relationship.PATERNAL_GRANDPARENT,
    }
    account.update(payee_id_number="", bank_name="定州农商银行", account_number=f"621700001234{child.pk:06d}")
    services.save_payment_account(actor=staff, child=child, data=account)


@pytest.fixture
def cast(request, frozen, child_a, child_a2, child_b, staff):
    """Each child with one classification and one document, so every URL has something to point at."""
    objects = {}
    for name, child in {"child_a": child_a, "child_a2": child_a2, "child_b": child_b}.items():
        classification = services.add_classification(
            actor=staff, child=child, kind=ClassificationKind.HARDSHIP_POVERTY, start_date=datetime.date(2024, 1, 1)
        )
        document = services.add_document(
            actor=staff,
            child=child,
            kind="hukou",
            upload=SimpleUploadedFile("户口簿.png", PNG, content_type="image/png"),
        )
        add_full_numbers(child, staff)
        enrolment = apply_enrolment(
            actor=staff,
            child=child,
            programme=Programme.objects.get(code="urban_dibao"),
            applied_on=datetime.date(2026, 5, 1),
        )
        objects[name] = {"child": child, "classification": classification, "document": document, "enrolment": enrolment}
    approved = compute_month(month=datetime.date(2026, 4, 1), actor=staff)
    Batch.objects.filter(pk=approved.pk).update(status=Batch.Status.APPROVED)  # April: no lines, nothing to approve
    approved.refresh_from_db()
    batch = compute_month(month=datetime.date(2026, 5, 1), actor=staff)
    export_job = start_export_job(batch=batch, actor=staff, fmt="xlsx")
    run_export_job(job_id=export_job.pk)
    # A role asked for a newcomer by a second administrator: the walk's administrator or the leader approves.
    requester = make_user("administrator_2", Role.ADMINISTRATOR)
    newcomer = {"username": "newcomer", "full_name": "newcomer", "role": Role.STAFF, "password": PASSWORD}
    save_staff_user(actor=requester, data=newcomer)
    role_request = RoleRequest.objects.get(status=RoleRequest.Status.PENDING)
    bank_job = start_bank_file(batch=approved, layout=BankLayout.objects.get(code="generic"), actor=staff, queue=False)
    run_bank_file_job(job_id=bank_job.pk)
    for target in objects.values():
        target["export_job"] = export_job
        target["role_request"] = role_request
        target["bank_job"] = bank_job
    for name, target in objects.items():
        for extension in EXTENSIONS:
            if hasattr(extension, "prepare"):
                extension.prepare(target, child_name=name, staff=staff)
    return objects


def url_for(name, target, administrator):
    kwargs = {}
    if name in CHILD_ROUTES:
        kwargs["pk"] = target["child"].pk
    if name in ("children:classification_end", "children:classification_review"):
        kwargs["classification_pk"] = target["classification"].pk
    if name == "children:document":
        kwargs["document_pk"] = target["document"].pk
    if name in ("user_edit", "user_unlock", "user_reset_second_factor"):
        kwargs["pk"] = administrator.pk
    if name == "role_request_decide":
        kwargs["pk"] = target["role_request"].pk
    if name in ENROLMENT_ROUTES:
        kwargs["pk"] = target["enrolment"].pk
    if name == "subsidies:standard_set":
        kwargs["pk"] = target["enrolment"].programme_id
    if name in (
        "subsidies:batch",
        "subsidies:batch_progress",
        "subsidies:batch_approve",
        "subsidies:batch_waive",
        "subsidies:export",
    ):
        kwargs["month"] = datetime.date(2026, 5, 1)
    if name in ("subsidies:export_job", "subsidies:export_download", "subsidies:export_retry"):
        kwargs["pk"] = target["export_job"].pk
    if name in ("subsidies:bank_file", "subsidies:bank_file_start"):
        kwargs["month"] = datetime.date(2026, 4, 1)
    if name in ("subsidies:bank_job", "subsidies:bank_download", "subsidies:bank_retry"):
        kwargs["pk"] = target["bank_job"].pk
    for extension in EXTENSIONS:
        if name in extension.ROUTES and hasattr(extension, "url_kwargs"):
            kwargs.update(extension.url_kwargs(name, target))
    return reverse(name, kwargs=kwargs)


def may(case, role, child_name):
    if case.who in WHO:
        return WHO[case.who](role, child_name)
    if case.who == "child-read":
        return role in READERS[child_name]
    if case.who == "child-write":
        return role in READERS[child_name] and role in WRITERS
    if case.who == "enrolment-read":
        return role in READERS[child_name]
    if case.who == "enrolment-check":
        return role in READERS[child_name] and role == "supervisor_a"
    if case.who == "enrolment-refuse":
        return role in READERS[child_name] and role in {"supervisor_a", "staff"}
    if case.who in ("enrolment-staff", "staff"):
        return role == "staff"
    if case.who == "registry":
        return role in WRITERS | {"leader"}
    if case.who == "county":
        return role in {"staff", "leader"}
    if case.who == "logged-in":
        return role != "anonymous"
    if case.who == "writers":
        return role in WRITERS
    if case.who == "administrator":
        return role == "administrator"
    if case.who == "approvers":
        return role in {"administrator", "leader"}
    if case.who == "anonymous":
        return role == "anonymous"
    return True  # everyone


def call(client, method, url, data):
    response = getattr(client, method)(url, data)
    if response.streaming:
        b"".join(response.streaming_content)  # consume, so the file is closed
    return response


@pytest.mark.parametrize("child_name", ["child_a", "child_a2", "child_b"])
@pytest.mark.parametrize("role", ROLES)
def test_walk_every_url(request, client, cast, administrator, role, child_name):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    if user is not None:
        client.force_login(user)
    target = cast[child_name]
    child = target["child"]
    children_before = Child.objects.count()
    failures = []
    for name, case in ROUTES.items():
        url = url_for(name, target, administrator)
        for method, allowed_status in case.allowed.items():
            audit_before = AuditEntry.objects.count()
            response = call(client, method, url, case.data)
            where = f"{role} {method.upper()} {name} ({child_name})"
            if may(case, role, child_name):
                if response.status_code != allowed_status:
                    failures.append(f"{where}: {response.status_code}, expected {allowed_status}")
            elif role == "anonymous" and case.anonymous is not None:
                if response.status_code != case.anonymous:
                    failures.append(f"{where}: {response.status_code}, expected {case.anonymous}")
            elif role == "anonymous":
                if response.status_code != 302 or not response.url.startswith(reverse("login") + "?next="):
                    failures.append(f"{where}: {response.status_code}, expected a redirect to the login page")
            elif case.who == "anonymous":  # the login page sends a logged-in user home
                if response.status_code != 302 or response.url != reverse("dashboard"):
                    failures.append(f"{where}: {response.status_code}, expected a redirect home")
            else:
                if response.status_code != 404:
                    failures.append(f"{where}: {response.status_code}, expected 404")
                if child.name in response.content.decode():
                    failures.append(f"{where}: the child's name is in the response")
                if AuditEntry.objects.count() != audit_before:
                    failures.append(f"{where}: an audit entry was written")
            if name == "logout" and user is not None:
                client.force_login(user)
    assert failures == []
    assert Child.objects.count() == children_before


def test_documents_and_classifications_of_another_child_are_not_found(client, cast, caseworker_a):
    client.force_login(caseworker_a)
    own, other = cast["child_a"], cast["child_b"]
    document_url = reverse("children:document", args=[own["child"].pk, other["document"].pk])
    assert client.get(document_url).status_code == 404
    end_url = reverse("children:classification_end", args=[own["child"].pk, other["classification"].pk])
    response = client.post(end_url, {"end_date": "2026-05-01", "end_reason": "other"})
    assert response.status_code == 404
    other["classification"].refresh_from_db()
    assert other["classification"].end_date is None


def test_leader_write_attempts_change_nothing(client, cast, leader):
    client.force_login(leader)
    child = cast["child_a"]["child"]
    response = client.post(reverse("children:edit", args=[child.pk]), {"name": "改名"})
    assert response.status_code == 404
    response = client.post(
        reverse("children:classification_add", args=[child.pk]),
        {"kind": ClassificationKind.HARDSHIP_GUARDIANSHIP, "start_date": "2026-05-01"},
    )
    assert response.status_code == 404
    child.refresh_from_db()
    assert child.name == "王小明"
    assert child.classifications.count() == 1


def test_admin_site_is_not_a_way_around_scope(client, caseworker_a, administrator, child_a):
    client.force_login(caseworker_a)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    client.force_login(administrator)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "/admin/children/child/" not in response.text
    assert client.get("/admin/children/child/").status_code == 404


def test_every_model_about_a_child_is_registered_with_the_access_policy():
    from children.models import Child, ChildDocument, Classification
    from dingzhou_welfare.access import placed_via
    from subsidies.models import Enrolment
    from visits.models import MandatoryReport, Visit

    assert placed_via(Child) == ""
    for model in (ChildDocument, Classification, Enrolment, Visit, MandatoryReport):
        assert placed_via(model) == "child__"


def test_scope_refuses_a_model_nobody_registered(caseworker_a):
    from django.contrib.auth.models import Group

    from dingzhou_welfare.access import register_placed, scope

    with pytest.raises(LookupError, match=r"auth\.Group"):
        scope(Group.objects.all(), caseworker_a)
    with pytest.raises(ValueError, match="must end in"):
        register_placed(Group, via="child")


def test_scope_keeps_a_caseworker_to_their_township(caseworker_a, child_a, child_b, staff):
    from children.models import Child
    from dingzhou_welfare.access import scope

    assert list(scope(Child.objects.all(), caseworker_a)) == [child_a]
    assert set(scope(Child.objects.all(), staff)) == {child_a, child_b}


# A full ID number: 17 digits and a check character, not inside a longer run of letters or digits.
FULL_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dX](?![0-9A-Za-z])")
# Where the registry keeps numbers it masks (dingzhou_welfare.reveals.FULL_NUMBER_FIELDS): every app's
# models but the users' own (a colleague's work phone is no one's personal data).
CHILD_APPS = ("children", "subsidies", "adoption", "visits", "imports", "reports")


def full_numbers_stored() -> set[str]:
    """Every ID number, phone and bank account stored about a child and the people around them."""
    numbers = set()
    for model in apps.get_models():
        if model._meta.app_label not in CHILD_APPS:
            continue
        fields = [f.name for f in model._meta.concrete_fields if f.name.endswith(FULL_NUMBER_FIELDS)]
        for field in fields:
            numbers.update(v for v in model.objects.values_list(field, flat=True) if v and len(v) >= 7)
    return numbers


def full_numbers_in(body: str, stored: set[str]) -> set[str]:
    return set(FULL_ID_NUMBER.findall(body)) | {number for number in stored if number in body}


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_no_page_shows_a_full_number_without_an_audit_entry(request, client, cast, administrator, role):
    """Every GET page each role may open: a full ID number, phone or bank account in the body (a form
    field's value included) only with a new audit entry of the same request (issue 18, item 2)."""
    user = request.getfixturevalue(role)
    client.force_login(user)
    stored = full_numbers_stored()
    assert len(stored) >= 15  # the cast's children, parents, carers, accounts, agreements and applicants
    seen, shown, failures = set(), set(), []
    for child_name, target in cast.items():
        for name, case in ROUTES.items():
            url = url_for(name, target, administrator)
            if "get" not in case.allowed or not may(case, role, child_name) or url in seen:
                continue
            seen.add(url)
            last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            response = client.get(url, case.data)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            found = full_numbers_in(body.decode(errors="ignore"), stored)
            if not found:
                continue
            shown.add(name)
            if not AuditEntry.objects.filter(pk__gt=last, actor=user).exists():
                failures.append(f"{role} GET {name} ({child_name}): {sorted(found)} without an audit entry")
    assert not failures, "\n".join(failures)
    if role in WRITERS:  # the walk reaches the pages that pre-fill full numbers
        assert {"children:carer", "children:account", "children:agreement_add", "children:agreement_edit"} <= shown
