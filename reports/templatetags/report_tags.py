from django import template

register = template.Library()


@register.filter
def get_count(mapping, key) -> int:
    """A count from a dict of counts (by reason, by township); 0 when the key is absent."""
    if not mapping:
        return 0
    return mapping.get(key, 0)
