"""The import pages in the every-URL walk: bureau staff only; everyone else gets 404 (anonymous: the login page)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.scope_support import Case

ROUTES = {
    "imports:index": Case({"get": 200, "post": 400}, "staff"),
    "imports:template": Case({"get": 200}, "staff"),
    "imports:job": Case({"get": 200}, "staff"),
    "imports:progress": Case({"get": 200}, "staff"),
    "imports:errors": Case({"get": 200}, "staff"),
    "imports:confirm": Case({"post": 302}, "staff"),
    "imports:retry": Case({"post": 302}, "staff"),
    # The walk's job is a standards import, whose rows hold no ID number to reveal (tests/imports/test_reveal.py).
    "imports:reveal": Case({"post": 404}, "staff", data={"line": "2"}),
}


def prepare(target, *, child_name, staff):
    """A checked standards import (it names no child), ready to confirm."""
    from imports.services import run_check, start_import
    from tests.imports.conftest import xlsx_bytes

    content = xlsx_bytes(
        [{"保障项目": "城镇低保", "月标准（元）": "800", "起始月份": "2026-01"}],
        ["保障项目", "月标准（元）", "起始月份"],
        sheet="保障标准",
    )
    job = start_import(actor=staff, kind="standards", upload=SimpleUploadedFile("标准.xlsx", content), enqueue=False)
    run_check(job_id=job.pk)
    target["import_job"] = job


def url_kwargs(name, target):
    if name == "imports:index":
        return {}
    if name == "imports:template":
        return {"kind": "children"}
    return {"pk": target["import_job"].pk}
