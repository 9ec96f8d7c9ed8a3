"""Uploading and downloading a child's documents: type checked by content, size capped, scoped, private."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from children.forms import validate_upload
from children.models import ChildDocument, ParentSituation
from dingzhou_welfare.models import AuditEntry
from tests.upload_support import JPEG, PDF, PNG

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()]


def field_block(html: str, field: str) -> str:
    for block in re.split(r'(?=<div class="field)', html):
        if f'for="id_{field}"' in block:
            return block
    raise AssertionError(f"no field {field} on the page")


def upload(client, child, name, content, kind="hukou", content_type="application/octet-stream"):
    return client.post(
        reverse("children:document_upload", args=[child.pk]),
        {"kind": kind, "note": "", "file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def stored_as(name, content) -> bytes:
    return validate_upload(SimpleUploadedFile(name, content)).read()


def download(client, child, document):
    response = client.get(reverse("children:document", args=[child.pk, document.pk]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.mark.parametrize(
    ("name", "content", "content_type", "inline"),
    [
        ("户口簿.png", PNG, "image/png", True),
        ("照片.JPG", JPEG, "image/jpeg", True),
        ("scan.jpeg", JPEG, "image/jpeg", True),
        ("判决书.pdf", PDF, "application/pdf", True),
    ],
)
def test_upload_and_download_in_scope(
    client, media, caseworker_a, caseworker_b, leader, child_a, name, content, content_type, inline
):
    client.force_login(caseworker_a)
    # The browser's word on the type is not trusted: the content decides.
    response = upload(client, child_a, name, content, content_type="application/x-msdownload")
    assert response.status_code == 302
    document = ChildDocument.objects.get()
    assert (document.child, document.original_name, document.content_type) == (child_a, name, content_type)
    assert document.uploaded_by == caseworker_a
    (path,) = stored_files(media)
    content = stored_as(name, content)  # an image is stored re-encoded (tests/dingzhou_welfare/test_uploads.py)
    assert path.read_bytes() == content
    assert document.size == len(content)
    assert name.rsplit(".", 1)[0] not in path.name  # stored under a random name, never the clerk's
    assert path.suffix == "." + name.rsplit(".", 1)[1].lower()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UPLOAD, child=child_a).count() == 1

    response, body = download(client, child_a, document)
    assert response.status_code == 200
    assert body == content
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("inline" if inline else "attachment")

    client.force_login(leader)
    assert download(client, child_a, document)[0].status_code == 200

    client.force_login(caseworker_b)
    response, body = download(client, child_a, document)
    assert response.status_code == 404
    assert content not in body
    assert child_a.name not in body.decode()


def test_the_document_is_listed_on_the_case_file(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    upload(client, child_a, "死亡证明.pdf", PDF, kind="death_certificate")
    page = client.get(reverse("children:detail", args=[child_a.pk])).text
    document = ChildDocument.objects.get()
    assert "死亡证明 · 死亡证明.pdf" in page
    assert reverse("children:document", args=[child_a.pk, document.pk]) in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("证明.png", EXE, "文件内容与扩展名不符，可能已损坏或不是 PNG 文件。"),
        ("证明.pdf", PNG, "文件内容与扩展名不符，可能已损坏或不是 PDF 文件。"),
        ("证明.jpg", b"", "提交的是空文件。"),
        ("setup.exe", EXE, "只能上传 JPG、PNG 或 PDF 文件。"),
        ("证明.docx", b"PK\x03\x04" + b"\x00" * 20, "只能上传 JPG、PNG 或 PDF 文件。"),
        ("证明", PNG, "只能上传 JPG、PNG 或 PDF 文件。"),
        ("证明.png.exe", EXE, "只能上传 JPG、PNG 或 PDF 文件。"),
    ],
)
def test_refused_files(client, media, caseworker_a, child_a, name, content, message):
    client.force_login(caseworker_a)
    response = upload(client, child_a, name, content)
    assert response.status_code == 400
    assert message in field_block(response.text, "file")
    assert not ChildDocument.objects.exists()
    assert stored_files(media) == []
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UPLOAD).exists()


@override_settings(MAX_UPLOAD_MB=1)
def test_too_big(client, media, caseworker_a, child_a):
    client.force_login(caseworker_a)
    response = upload(client, child_a, "大图.png", PNG + b"\x00" * (1024 * 1024))
    assert response.status_code == 400
    block = field_block(response.text, "file")
    assert "文件太大（1.0 MB），不能超过 1 MB。" in block
    assert "不超过 1 MB" in block  # the help text follows the setting too
    assert not ChildDocument.objects.exists()
    assert stored_files(media) == []


@override_settings(MAX_UPLOAD_MB=1)
def test_exactly_the_limit_is_fine(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    response = upload(client, child_a, "图.png", PNG + b"\x00" * (1024 * 1024 - len(PNG)))
    assert response.status_code == 302
    assert ChildDocument.objects.get().size == len(stored_as("图.png", PNG))  # the padding does not survive


def test_out_of_scope_or_read_only_upload_is_404(client, media, caseworker_b, leader, child_a):
    for user in (caseworker_b, leader):
        client.force_login(user)
        assert upload(client, child_a, "户口簿.png", PNG).status_code == 404
    assert not ChildDocument.objects.exists()
    assert stored_files(media) == []


def test_parent_evidence_scan_is_checked_the_same_way(client, media, caseworker_a, child_a):
    client.force_login(caseworker_a)
    url = reverse("children:parent_add", args=[child_a.pk])
    data = {"parent": "father", "situation": ParentSituation.Situation.DEAD, "start_date": "2024-01-01"}
    response = client.post(url, {**data, "evidence_file": SimpleUploadedFile("死亡证明.png", EXE)})
    assert response.status_code == 200
    assert "文件内容与扩展名不符" in field_block(response.text, "evidence_file")
    assert not ParentSituation.objects.exists()
    assert stored_files(media) == []

    response = client.post(url, {**data, "evidence_file": SimpleUploadedFile("死亡证明.pdf", PDF)})
    assert response.status_code == 302
    record = ParentSituation.objects.get()
    assert record.document.kind == ChildDocument.Kind.DEATH_CERTIFICATE
    assert download(client, child_a, record.document)[1] == PDF
