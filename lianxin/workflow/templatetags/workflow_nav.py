"""The console's main navigation shows staff how many workflow messages (审批消息) they have not read, on every
console page, not only the workflow ones. One tag so console/base.html needs a ``{% load %}`` and a single
``{% workflow_unread_badge %}`` and knows nothing of the workflow's models."""

from django import template

from lianxin.core.scoping import scope_for

from .. import selectors

register = template.Library()


@register.inclusion_tag("workflow/_nav_badge.html", takes_context=True)
def workflow_unread_badge(context):
    """Nothing for anonymous users and non-staff (a member never sees the console's reviewer inbox); for staff,
    one COUNT query (:func:`selectors.staff_unread_count`) — the grants behind ``is_staff`` are already cached on
    the user by ``staff_required``. No badge at zero."""
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False) or not scope_for(user).is_staff:
        return {"unread": 0}
    return {"unread": selectors.staff_unread_count(actor=user)}
