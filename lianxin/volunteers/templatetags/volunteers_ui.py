from django import template

from lianxin.volunteers.models import hours_text

register = template.Library()


@register.filter
def hours(minutes) -> str:
    """Minutes as hours: ``{{ v.total_minutes|hours }}`` -> "2.5"."""
    return hours_text(int(minutes or 0))
