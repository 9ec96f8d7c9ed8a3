"""Form widgets written out in Python, for forms rendered on every request of a busy page.

Django renders a widget, and every <option> of a select, through its form templates: the
children list's filter form (seven fields, about 50 options) cost 4-7 ms of CPU per page, a
quarter of the page. These widgets write the same HTML as Django's default templates
(django/forms/widgets/select.html and input.html), escaped the same way, in a few microseconds.
They take the same arguments and attributes as the widgets they replace; grouped choices
(optgroups) fall back to Django's own rendering.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)  # once: a model field's choices are a query
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        options = []
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = option_value in wanted
            if selected:
                wanted = ()  # one <select> shows one choice: the first that matches, as Django's does
            options.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>', option_value, " selected" if selected else "", label
                )
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),  # noqa: S308 - each option escaped by format_html above
        )


class TextInput(forms.TextInput):
    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            format_html(' value="{}"', value) if value is not None else "",
            flatatt(self.build_attrs(self.attrs, attrs)),
        )
