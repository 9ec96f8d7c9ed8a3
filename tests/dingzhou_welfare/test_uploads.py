"""Uploads are opened, not trusted by their first bytes (issue 18, item 8): images are decoded and encoded
again (no EXIF, so no GPS; nothing appended survives), PDFs are parsed. Every upload path goes through
children.forms.validate_upload (child documents, parents' evidence, agreement scans, adoption documents)
or visits.forms.PhotosField (visit photos)."""

import io

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from children.forms import validate_upload
from children.models import ChildDocument
from tests.upload_support import GPS_IFD, JPEG, PDF, PNG, WEBP, image_bytes
from visits.forms import PhotosField
from visits.models import VisitPhoto

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00\x00 this program cannot be run in DOS mode"
GPS_JPEG = image_bytes("JPEG", gps=True)


def as_document(upload):
    return validate_upload(upload)


def as_photo(upload):
    return PhotosField().clean([upload])[0]


PATHS = {"documents": as_document, "photos": as_photo}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def gps_of(content: bytes) -> dict:
    with Image.open(io.BytesIO(content)) as image:
        return dict(image.getexif().get_ifd(GPS_IFD))


def test_the_sample_photo_does_carry_gps():
    assert gps_of(GPS_JPEG)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("照片.jpg", b"\xff\xd8\xff\xe0" + EXECUTABLE),  # JPEG magic bytes, then a program
        ("照片.png", b"\x89PNG\r\n\x1a\n" + EXECUTABLE),
        ("照片.jpg", JPEG[: len(JPEG) // 3]),  # cut short
    ],
)
def test_magic_bytes_alone_are_refused(path, name, content):
    with pytest.raises(forms.ValidationError, match="无法作为图片打开"):
        PATHS[path](SimpleUploadedFile(name, content))


@pytest.mark.parametrize("path", PATHS)
def test_an_image_is_stored_re_encoded_without_gps_or_appended_bytes(path):
    cleaned = PATHS[path](SimpleUploadedFile("门口.jpg", GPS_JPEG + EXECUTABLE))
    content = cleaned.read()
    assert content.startswith(b"\xff\xd8\xff") and cleaned.content_type == "image/jpeg"
    assert EXECUTABLE not in content
    assert gps_of(content) == {}
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (4, 3)


@pytest.mark.parametrize(("name", "content"), [("a.png", PNG), ("a.jpg", JPEG)])
def test_real_images_pass_both_paths(name, content):
    for path in PATHS.values():
        assert path(SimpleUploadedFile(name, content)).size > 0


def test_a_webp_photo_passes():
    assert as_photo(SimpleUploadedFile("a.webp", WEBP)).content_type == "image/webp"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.7\n" + EXECUTABLE, b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"],
)
def test_a_pdf_that_does_not_parse_is_refused(content):
    with pytest.raises(forms.ValidationError, match="无法作为PDF打开"):
        validate_upload(SimpleUploadedFile("判决书.pdf", content))


def test_a_real_pdf_is_accepted():
    assert validate_upload(SimpleUploadedFile("判决书.pdf", PDF)).content_type == "application/pdf"


def test_a_child_document_is_stored_without_gps(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    response = client.post(
        reverse("children:document_upload", args=[child_a.pk]),
        {"kind": "hukou", "note": "", "file": SimpleUploadedFile("户口簿.jpg", GPS_JPEG + EXECUTABLE)},
    )
    assert response.status_code == 302
    with ChildDocument.objects.get().file.open("rb") as stored_file:
        stored = stored_file.read()
    assert EXECUTABLE not in stored and gps_of(stored) == {}


def test_a_child_document_with_only_magic_bytes_is_refused(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    response = client.post(
        reverse("children:document_upload", args=[child_a.pk]),
        {"kind": "hukou", "note": "", "file": SimpleUploadedFile("户口簿.jpg", b"\xff\xd8\xff\xe0" + EXECUTABLE)},
    )
    assert response.status_code == 400
    assert "无法作为图片打开" in response.text
    assert not ChildDocument.objects.exists()
    assert not VisitPhoto.objects.exists()
