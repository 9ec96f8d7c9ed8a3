"""Every kind of stored file is opened against the user's scope as it is *now* (issue 18, item 1).

One table of file kinds (each built through the real services, with its download URL and the pages
that list it) and one test: the user sees and downloads the file, their scope is reduced through the
user form's service (a supervisor moved to another township, a caseworker limited to another village,
bureau staff made a township's supervisor), and then the download is 404, every page that listed the
file no longer shows it, and no download is audited. No file response may be kept by a browser or a
proxy (Cache-Control: private, no-store), or a shared office computer would still open it.
"""

import dataclasses
import datetime
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from adoption.models import State
from children import services as child_services
from children.agreements import services as agreements
from children.models import ChildDocument
from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.services import save_staff_user
from imports.models import ImportJob
from imports.services import run_check, start_import
from reports import jobs as report_jobs
from tests.adoption.conftest import make_case
from tests.agreements.support import agreement_data
from tests.imports.conftest import roster_row, xlsx_bytes
from visits.services import record_visit

from ..visits.support import visit_data

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def png(name="材料.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@dataclasses.dataclass(frozen=True)
class Stored:
    """A stored file: the URL that sends it and, per page that lists it, what on that page points at it."""

    download: str
    listed: dict[str, str]


def child_document(child, staff, user) -> Stored:
    document = child_services.add_document(actor=staff, child=child, kind="hukou", upload=png("户口簿.png"))
    url = reverse("children:document", args=[child.pk, document.pk])
    return Stored(url, {reverse("children:detail", args=[child.pk]): url})


def child_photo(child, staff, user) -> Stored:
    photo = child_services.add_document(actor=staff, child=child, kind=ChildDocument.Kind.PHOTO, upload=png("照片.png"))
    url = reverse("children:document", args=[child.pk, photo.pk])
    return Stored(url, {reverse("children:detail", args=[child.pk]): url})


def agreement_scan(child, staff, user) -> Stored:
    draft = agreements.save_agreement(actor=staff, child=child, data=agreement_data())
    signed = agreements.sign_agreement(
        actor=staff, agreement=draft, signed_on=datetime.date(2026, 3, 1), scan=png("确认书.png")
    )
    url = reverse("children:document", args=[child.pk, signed.scan_id])
    return Stored(
        url,
        {
            reverse("children:agreement", args=[child.pk, signed.pk]): url,
            reverse("children:detail", args=[child.pk]): url,
        },
    )


def visit_photo(child, staff, user) -> Stored:
    visit = record_visit(actor=staff, child=child, data=visit_data(), photos=[png("探访.png")])
    url = reverse("visits:photo", args=[visit.pk, visit.photos.get().pk])
    return Stored(url, {reverse("visits:detail", args=[visit.pk]): url})


def adoption_document(child, staff, user) -> Stored:
    case = make_case(staff, child, up_to=State.APPLICATION)
    url = reverse("adoption:document", args=[case.pk, case.documents.first().pk])
    return Stored(url, {reverse("adoption:detail", args=[case.pk]): url})


def case_files_job(child, staff, user) -> Stored:
    job = report_jobs.start_case_files_job(township=child.township, actor=user)  # a job is its requester's
    report_jobs.run_report_job(job_id=job.pk)
    url = reverse("reports:job_download", args=[job.pk])
    return Stored(url, {reverse("reports:print"): reverse("reports:job", args=[job.pk])})


def import_errors(child, staff, user) -> Stored:
    upload = SimpleUploadedFile("花名册.xlsx", xlsx_bytes([roster_row(), roster_row(身份证号="1306")]))
    job = start_import(actor=staff, kind=ImportJob.Kind.CHILDREN, upload=upload, enqueue=False)
    run_check(job_id=job.pk)
    url = reverse("imports:errors", args=[job.pk])
    page = reverse("imports:job", args=[job.pk])
    return Stored(url, {reverse("imports:index"): page, page: url})


# How a user's scope is reduced: (the user's fixture, the role and scope they are given).
def supervisor_moved(world):
    return world["supervisor_a"], {"role": Role.SUPERVISOR, "townships": [world["township_b"]]}


def caseworker_limited(world):
    return world["caseworker_a"], {
        "role": Role.CASEWORKER,
        "townships": [world["township_a"]],
        "villages": [world["village_a2"]],
    }


def staff_moved(world):
    return world["staff"], {"role": Role.SUPERVISOR, "townships": [world["township_a"]]}


FILE_KINDS: list[tuple[Callable, Callable]] = [
    (child_document, supervisor_moved),
    (child_document, caseworker_limited),
    (child_photo, supervisor_moved),
    (child_photo, caseworker_limited),
    (agreement_scan, supervisor_moved),
    (agreement_scan, caseworker_limited),
    (visit_photo, supervisor_moved),
    (visit_photo, caseworker_limited),
    (adoption_document, staff_moved),
    (case_files_job, supervisor_moved),
    (import_errors, staff_moved),
]


def downloads_audited() -> int:
    return AuditEntry.objects.filter(action__in=[AuditEntry.Action.DOWNLOAD, AuditEntry.Action.EXPORT]).count()


def get(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # consumed, so the file is closed
    return response


@pytest.fixture
def world(time_machine, township_a, township_b, village_a, village_a2, child_a, staff, supervisor_a, caseworker_a):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)
    return {
        "township_a": township_a,
        "township_b": township_b,
        "village_a2": village_a2,
        "child": child_a,
        "staff": staff,
        "supervisor_a": supervisor_a,
        "caseworker_a": caseworker_a,
    }


@pytest.mark.parametrize(
    ("make", "reduce"), FILE_KINDS, ids=[f"{make.__name__}-{reduce.__name__}" for make, reduce in FILE_KINDS]
)
def test_a_stored_file_is_not_found_once_the_users_scope_no_longer_holds_it(client, world, make, reduce):
    user, scope = reduce(world)
    stored = make(world["child"], world["staff"], user)
    client.force_login(user)
    served = get(client, stored.download)
    assert served.status_code == 200
    # Not kept by the browser or a proxy either: the scope is checked by the server at every opening.
    assert served["Cache-Control"] == "private, no-store"
    for page, link in stored.listed.items():
        response = client.get(page)
        assert response.status_code == 200, page
        assert link in response.text, page

    save_staff_user(actor=None, data={"username": user.username, "full_name": user.first_name, **scope}, user=user)
    client.force_login(user)
    audited = downloads_audited()
    assert get(client, stored.download).status_code == 404
    for page, link in stored.listed.items():
        response = client.get(page)
        assert response.status_code == 404 or link not in response.text, page
    assert downloads_audited() == audited
