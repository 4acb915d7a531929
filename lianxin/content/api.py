"""JSON API for news and e-books (/api/v1/content/), for the WeChat front ends.

Published news, the weekly digest and the book catalogue are public (auth=None), exactly as the H5 pages;
reading a chapter needs a signed-in member and counts a read like the page does. Staff writes stay in the
console for now (they need file uploads and the review screens)."""

import datetime as dt

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from lianxin.core.api_errors import answers
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.orgs.api import Pages

from . import selectors, services
from .access import is_member
from .models import BookFormat, Category
from .weeks import parse_week

router = Router(tags=["新闻与书屋"])


class ArticleOut(Schema):
    id: int
    title: str
    category: str
    category_label: str
    kind: str
    org_name: str
    summary: str
    published_at: dt.datetime
    cover_url: str | None

    @staticmethod
    def resolve_category_label(obj):
        return obj.get_category_display()

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_cover_url(obj):
        return f"/m/news/{obj.pk}/cover/" if obj.cover else None


class ArticleDetailOut(ArticleOut):
    paragraphs: list[str]

    @staticmethod
    def resolve_paragraphs(obj):
        """Plain text split on blank lines; clients render them as text, never as HTML."""
        return [p.strip() for p in obj.body.replace("\r\n", "\n").split("\n\n") if p.strip()]


class BookOut(Schema):
    id: int
    title: str
    author_name: str
    summary: str
    format: str
    file_size: int
    recommended_week: str
    read_count: int
    cover_url: str | None
    read_url: str

    @staticmethod
    def resolve_cover_url(obj):
        return f"/m/books/{obj.pk}/cover/" if obj.cover else None

    @staticmethod
    def resolve_read_url(obj):
        return f"/m/books/{obj.pk}/read/"


class ChapterRef(Schema):
    index: int
    title: str


class BookDetailOut(BookOut):
    chapters: list[ChapterRef]

    @staticmethod
    def resolve_chapters(obj):
        return list(selectors.book_chapters(obj)) if obj.format == BookFormat.EPUB else []


class ChapterOut(Schema):
    index: int
    title: str
    paragraphs: list[str]
    count: int


class DigestOut(Schema):
    week: str
    built_at: dt.datetime | None
    articles: list[ArticleOut]
    books: list[BookOut]


@router.get("/articles", response=answers(list[ArticleOut], 400, 422), auth=None)
@paginate(Pages, page_size=20)
def list_articles(request, category: str = ""):
    if category and category not in Category.values:
        raise ServiceError("没有这个栏目", field="category")
    return selectors.published_articles(category=category)


@router.get("/articles/{article_id}", response=answers(ArticleDetailOut, 404, 422), auth=None)
def get_article(request, article_id: int):
    return selectors.published_article(article_id)


@router.get("/weekly", response=answers(DigestOut, 400, 422), auth=None)
def weekly(request, week: str):
    parse_week(week)  # ServiceError (400) naming "week" when malformed
    articles, books, digest = selectors.weekly_digest(week)
    return {"week": week, "built_at": digest.built_at if digest else None, "articles": articles, "books": books}


@router.get("/books", response=answers(list[BookOut], 400, 422), auth=None)
@paginate(Pages, page_size=20)
def list_books(request, recommended_week: str = ""):
    qs = selectors.published_books()
    if recommended_week:
        parse_week(recommended_week, field="recommended_week")
        qs = qs.filter(recommended_week=recommended_week)
    return qs


@router.get("/books/{book_id}", response=answers(BookDetailOut, 404, 422), auth=None)
def get_book(request, book_id: int):
    return selectors.published_book(book_id)


@router.get("/books/{book_id}/chapters/{index}", response=answers(ChapterOut, 404, 422))
def read_chapter(request, book_id: int, index: int):
    if not is_member(request.user):
        raise PermissionDenied("仅限已登记的工会会员阅读")
    book = selectors.published_book(book_id)
    if book.format != BookFormat.EPUB:
        raise Http404
    ch = selectors.book_chapter(book, index)
    services.record_book_read(user=request.user, book=book)
    return {"index": ch.index, "title": ch.title, "paragraphs": [p for p in ch.text.split("\n\n") if p],
            "count": selectors.book_chapters(book).count()}
