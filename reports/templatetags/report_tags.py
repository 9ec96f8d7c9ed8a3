from django import template

register = template.Library()


@register.filter
def get_count(mapping, key) -> int:
    """A count from a dict of counts (by reason, by township); 0 when the key is absent."""
    if not mapping:
        return 0
    return mapping.get(key, 0)


@register.filter
def grouped(value) -> str:
    """A count with thousands separators whatever the language (1,380), as the bureau's tables write it."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
