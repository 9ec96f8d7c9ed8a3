from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """Money as the bureau writes it: 1,450.00 (exact Decimal, two places, grouped by thousands)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.01')):,}"
