"""Guardianship agreement routes for the every-URL scope walk (see tests/scope_support.py)."""

from children.agreements import services as agreements
from tests.scope_support import Case

from .support import agreement_data

ROUTES = {
    "children:agreements": Case({"get": 200}, "registry"),
    "children:agreement_add": Case({"get": 200, "post": 400}, "child-write"),
    "children:agreement": Case({"get": 200}, "child-read"),
    "children:agreement_pdf": Case({"get": 200}, "child-read"),
    "children:agreement_edit": Case({"get": 200, "post": 400}, "child-write"),
    "children:agreement_reveal": Case({"post": 200}, "child-read"),
    "children:agreement_sign": Case({"post": 400}, "child-write"),
    "children:agreement_end": Case({"post": 400}, "child-write"),
}


def prepare(target, *, child_name, staff):
    """A draft agreement for each child of the cast."""
    target["agreement"] = agreements.save_agreement(actor=staff, child=target["child"], data=agreement_data())


def url_kwargs(name, target):
    return {} if name in ("children:agreements", "children:agreement_add") else {"agreement_pk": target["agreement"].pk}
