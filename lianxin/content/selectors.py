"""Every read of news and books. Console reads take the actor and go through core.scoping; member reads
only ever see published rows."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from lianxin.core.scoping import get_scoped_or_404, scoped
from lianxin.orgs.models import Organization

from .models import Article, ArticleStatus, Book, BookChapter, Category, WeeklyDigest
from .weeks import current_week, week_range_utc

# --- console ---------------------------------------------------------------------------------------


def console_articles(actor, *, status: str = "", category: str = "", q: str = ""):
    qs = scoped(Article.objects.select_related("org", "author"), actor, "view").order_by("-updated_at", "-id")
    if status in ArticleStatus.values:
        qs = qs.filter(status=status)
    if category in Category.values:
        qs = qs.filter(category=category)
    q = (q or "").replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if q:
        qs = qs.filter(title__icontains=q)
    return qs


def review_queue(actor):
    return (scoped(Article.objects.select_related("org", "author"), actor, "review")
            .filter(status=ArticleStatus.PENDING).order_by("submitted_at"))


def console_article(actor, pk, action: str = "view") -> Article:
    return get_scoped_or_404(Article.objects.select_related("org", "author", "reviewer"), actor, pk, action)


def writable_orgs(actor):
    """Organisations the actor may publish as (the ``change`` role)."""
    return scoped(Organization.objects.all(), actor, "change").order_by("path")


def console_books(actor, *, q: str = ""):
    qs = scoped(Book.objects.select_related("org"), actor, "view")
    q = (q or "").replace("\x00", "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(author_name__icontains=q))
    return qs


def console_book(actor, pk, action: str = "view") -> Book:
    return get_scoped_or_404(Book.objects.select_related("org"), actor, pk, action)


# --- members ---------------------------------------------------------------------------------------


def published_articles(*, category: str = ""):
    qs = (Article.objects.filter(status=ArticleStatus.PUBLISHED).select_related("org")
          .defer("body").order_by("-published_at", "-id"))
    if category:
        qs = qs.filter(category=category) if category in Category.values else qs.none()
    return qs


def published_article(pk) -> Article:
    try:
        return Article.objects.select_related("org").get(pk=pk, status=ArticleStatus.PUBLISHED)
    except (Article.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def article_cover_for(user, pk) -> Article:
    """A cover is public once its article is; before that only staff who can see the article get it."""
    a = Article.objects.filter(pk=pk).exclude(cover="").first() if str(pk).isdigit() else None
    if a is None:
        raise Http404
    if a.status == ArticleStatus.PUBLISHED:
        return a
    return get_scoped_or_404(Article.objects.exclude(cover=""), user, pk, "view")


def published_books():
    return Book.objects.filter(is_published=True).select_related("org").order_by("-id")


def published_book(pk) -> Book:
    try:
        return Book.objects.select_related("org").get(pk=pk, is_published=True)
    except (Book.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def book_cover_for(user, pk) -> Book:
    b = Book.objects.filter(pk=pk).exclude(cover="").first() if str(pk).isdigit() else None
    if b is None:
        raise Http404
    if b.is_published:
        return b
    return get_scoped_or_404(Book.objects.exclude(cover=""), user, pk, "view")


def recommended_books(week: str | None = None) -> tuple[str, list[Book]]:
    """This week's recommended list; if none is set yet, the most recent week that has one."""
    week = week or current_week()
    books = list(published_books().filter(recommended_week=week))
    if not books:
        latest = (Book.objects.filter(is_published=True, recommended_week__lte=week).exclude(recommended_week="")
                  .order_by("-recommended_week").values_list("recommended_week", flat=True).first())
        if latest:
            week, books = latest, list(published_books().filter(recommended_week=latest))
    return week, books


def book_chapters(book: Book):
    return BookChapter.objects.filter(book=book).only("index", "title").order_by("index")


def book_chapter(book: Book, index: int) -> BookChapter:
    try:
        return BookChapter.objects.get(book=book, index=index)
    except BookChapter.DoesNotExist:
        raise Http404 from None


def live_digest(week: str) -> tuple[list[Article], list[Book]]:
    start, end = week_range_utc(week)
    articles = list(published_articles().filter(published_at__gte=start, published_at__lt=end))
    books = list(published_books().filter(recommended_week=week))
    return articles, books


def weekly_digest(week: str) -> tuple[list[Article], list[Book], WeeklyDigest | None]:
    """The frozen digest when the build task has run (still only showing rows that are published now),
    else the live selection."""
    d = WeeklyDigest.objects.filter(week=week).first()
    if d is None:
        return *live_digest(week), None
    arts = {a.pk: a for a in published_articles().filter(pk__in=d.article_ids)}
    books = {b.pk: b for b in published_books().filter(pk__in=d.book_ids)}
    return ([arts[i] for i in d.article_ids if i in arts], [books[i] for i in d.book_ids if i in books], d)
