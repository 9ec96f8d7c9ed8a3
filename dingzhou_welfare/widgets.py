"""Form widgets written out in Python, for forms rendered on every request of a busy page.

Django renders a widget, and every <option> of a select, through its form templates: the
children list's filter form (seven fields, about 50 options) cost 4-7 ms of CPU per page, a
quarter of the page. These widgets write the same HTML as Django's default templates
(django/forms/widgets/select.html and input.html), escaped the same way (markup.text), in a few
microseconds.
They take the same arguments and attributes as the widgets they replace; grouped choices
(optgroups) fall back to Django's own rendering.
"""

from django import forms
from django.utils.safestring import mark_safe

from .markup import text


def attributes(attrs: dict) -> str:
    """flatatt(attrs), escaped the same way (markup.text): key="value" pairs in key order, then true booleans."""
    pairs = sorted((key, value) for key, value in attrs.items() if value is not None and not isinstance(value, bool))
    flags = sorted(key for key, value in attrs.items() if value is True)
    return "".join(f' {key}="{text(value)}"' for key, value in pairs) + "".join(f" {key}" for key in flags)


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
                f'\n  <option value="{text(option_value)}"{" selected" if selected else ""}>{text(label)}</option>'
            )
        attrs = attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{text(name)}"{attrs}>{"".join(options)}\n</select>')  # noqa: S308 - escaped


class TextInput(forms.TextInput):
    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = f' value="{text(value)}"' if value is not None else ""
        attrs = attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<input type="{self.input_type}" name="{text(name)}"{shown}{attrs}>')  # noqa: S308 - escaped
