"""Reads for member pages (always the signed-in member's own data)."""

from __future__ import annotations

from lianxin.core import notify


def my_messages(user, limit: int = 20):
    return list(notify.inbox(user)[:limit])


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
