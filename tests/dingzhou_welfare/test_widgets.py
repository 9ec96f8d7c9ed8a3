"""The widgets written out in Python give the HTML Django's own templates give."""

import re

import pytest
from django import forms

from dingzhou_welfare import widgets

CHOICES = [("", "---------"), ("1", "南城区街道"), (2, 'A "quoted" <name> & more'), ("x&y", "x"), ("1", "twice")]


def same_html(html: str) -> str:
    """Django's templates put blank lines between options and attributes in another order."""
    html = re.sub(r"\n\s*\n", "\n", str(html))
    return re.sub(r"<(\w+) ([^>]*)>", lambda m: f"<{m[1]} {' '.join(sorted(m[2].split(' ')))}>", html)


@pytest.mark.parametrize("value", [None, "", "1", 2, "2", "x&y", "missing", ["1"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_t", "aria-invalid": "true", "required": True, "disabled": False}])
def test_select_renders_as_djangos(value, attrs):
    ours = widgets.Select(choices=CHOICES).render("township", value, attrs)
    django = forms.Select(choices=CHOICES).render("township", value, attrs)
    assert same_html(ours) == same_html(django)


def test_select_marks_only_the_first_matching_option():
    html = widgets.Select(choices=CHOICES).render("t", "1")
    assert html.count(" selected") == 1
    assert '<option value="1" selected>南城区街道</option>' in html


def test_select_escapes_values_and_labels():
    html = widgets.Select(choices=CHOICES).render("t", "x&y")
    assert '<option value="2">A &quot;quoted&quot; &lt;name&gt; &amp; more</option>' in html
    assert '<option value="x&amp;y" selected>x</option>' in html


def test_select_with_groups_falls_back_to_djangos():
    grouped = [("", "—"), ("东", [("1", "一"), ("2", "二")])]
    html = widgets.Select(choices=grouped).render("t", "2")
    assert '<optgroup label="东">' in html
    assert same_html(html) == same_html(forms.Select(choices=grouped).render("t", "2"))


@pytest.mark.parametrize("value", [None, "", "王小", '"><script>', 0])
@pytest.mark.parametrize("attrs", [None, {"id": "id_q", "maxlength": 50, "autofocus": True}])
def test_text_input_renders_as_djangos(value, attrs):
    ours = widgets.TextInput().render("q", value, attrs)
    django = forms.TextInput().render("q", value, attrs)
    assert same_html(ours) == same_html(django)
