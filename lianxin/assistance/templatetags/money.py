from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Fen (an int, or None for "nothing yet") as yuan with thousands separators: 123450 → 1,234.50."""
    from lianxin.assistance.services import yuan as fmt

    return fmt(int(fen or 0))
