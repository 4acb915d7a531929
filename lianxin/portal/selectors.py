"""Reads for member pages (always the signed-in member's own data) and for staff review (scoped)."""

from __future__ import annotations

from django.db.models import QuerySet

from lianxin.core import notify
from lianxin.core.scoping import get_scoped_or_404, scoped

from .models import DataCorrection


def my_messages(user, limit: int = 20):
    return list(notify.inbox(user)[:limit])


def my_corrections(user) -> QuerySet[DataCorrection]:
    return DataCorrection.objects.filter(user=user).order_by("-id")


def corrections_for_review(*, actor, status: str = "pending") -> QuerySet[DataCorrection]:
    qs = scoped(DataCorrection.objects.select_related("person", "person__org"), actor, "view")
    return qs.filter(status=status) if status else qs


def correction_detail(*, actor, pk, action: str = "view") -> DataCorrection:
    return get_scoped_or_404(DataCorrection.objects.select_related("person", "person__org"), actor, pk, action)


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
