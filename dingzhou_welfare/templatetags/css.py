"""Text placed inside a CSS string, as in the PDFs' running headers (``content: "{{ name|css_string }}"``)."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# Closing the string or the <style> element, starting an escape, or an entity the HTML parser would read.
UNSAFE = set("\\\"'<>&")


@register.filter(is_safe=True)
def css_string(value) -> str:
    """`value` escaped for a double-quoted CSS string: CSS escapes (``\\00003c``), which the renderer reads
    back as the character typed. Six hex digits each, so a following letter or digit is never taken into
    the escape. (``escapejs`` writes ``\\u003C``, which CSS reads as "u003C".)"""
    return mark_safe(  # noqa: S308 - every character that could end the string or the element is escaped
        "".join(f"\\{ord(c):06x}" if c in UNSAFE or not c.isprintable() else c for c in str(value))
    )
