"""Reads for member pages (always the signed-in member's own data)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from lianxin.core import notify
from lianxin.core.models import Notification

# Where a member's message leads: by template, the page of the thing it is about when the message names it
# (``context``), else the section of the member site it belongs to. A template not listed has no link.
_BY_ID = {
    "activity_": ("activity", "/m/activities/{}/", "/m/me/"),
    "workflow_decision": ("application", "/m/my/applications/{}/", "/m/my/applications/"),
    "assistance_job": ("post", "/m/jobs/{}/", "/m/jobs/seeker/"),
}
_SECTION = {
    "assistance_condolence": "/m/me/#my-aid",
    "assistance_retreat": "/m/me/#my-retreats",
    "assistance_homeward": "/m/homeward/",
    "party_": "/m/party/",
    "training_": "/m/training/",
    "care_": "/m/care/",
    "volunteer_": "/m/volunteers/",
    "venues.": "/m/my/bookings/",
    "talent_winner": "/m/selections/",
    "talent_contest_": "/m/competitions/",
}


def message_link(n: Notification) -> str:
    """The member page a message leads to ("" when none)."""
    t = n.template or ""
    for prefix, (key, pattern, fallback) in _BY_ID.items():
        if t.startswith(prefix):
            ref = (n.context or {}).get(key)
            return pattern.format(int(ref)) if isinstance(ref, int) and not isinstance(ref, bool) else fallback
    return next((url for prefix, url in _SECTION.items() if t.startswith(prefix)), "")


def my_messages(user, limit: int = 20):
    return list(notify.inbox(user)[:limit])


def inbox(user):
    """The member's in-app messages, newest first (paginated by the page)."""
    return notify.inbox(user).only("pk", "template", "title", "body", "context", "created_at", "read_at")


def unread_count(user) -> int:
    """Counted on the partial index of unread in-app rows (``notif_user_unread``)."""
    return notify.unread(user).order_by().count()


def my_message(user, pk) -> Notification:
    """One of the member's own in-app messages; anyone else's is a 404."""
    return get_object_or_404(notify.inbox(user), pk=pk)


def latest_news(limit: int = 5) -> list:
    """Latest published articles from the content app (built in parallel by another team); the home page
    simply shows no headlines when that app offers no ``published_articles`` selector."""
    try:
        from lianxin.content import selectors as content_selectors
    except ImportError:
        return []
    fn = getattr(content_selectors, "published_articles", None)
    if fn is None:
        return []
    return list(fn()[:limit])
