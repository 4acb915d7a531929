"""Every write to news and the e-book library.

Articles move draft → pending → published (or → returned → pending again); a published one can be withdrawn.
Authors need the ``change`` role on the publishing organisation; publishing and returning need ``review`` on
it (so a reviewer or admin of the same or a higher organisation), and nobody publishes their own article
(four eyes; a superuser excepted). State changes are conditional on the current state under a row lock, so
two reviewers clicking at once publish once.
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import get_scoped_or_404, require

from . import files
from .models import Article, ArticleKind, ArticleStatus, Book, BookChapter, BookRead, Category, WeeklyDigest
from .weeks import SHANGHAI, current_week, parse_week, shift

EDITABLE = {ArticleStatus.DRAFT, ArticleStatus.RETURNED}


def _text(value, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(f"请填写{label}", field=field)
    if len(value) > max_len:
        raise ServiceError(f"{label}不能超过 {max_len} 字", field=field)
    return value


def _article_fields(*, category, kind, title, summary, body) -> dict:
    if category not in Category.values:
        raise ServiceError("请选择栏目", field="category")
    if kind not in ArticleKind.values:
        raise ServiceError("请选择类型", field="kind")
    return dict(
        category=category, kind=kind,
        title=_text(title, field="title", label="标题", max_len=120),
        summary=_text(summary, field="summary", label="摘要", max_len=300, required=False),
        body=_text(body, field="body", label="正文", max_len=50_000),
    )


def _save_image(filefield, upload, *, field: str) -> None:
    """Checked by content, then re-encoded (metadata stripped, size bounded) before it is stored. A replaced
    image is deleted once the new one is committed."""
    ext, data = files.prepare_image(upload, field=field)
    old, storage = filefield.name, filefield.storage
    filefield.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
    if old:
        transaction.on_commit(lambda: storage.delete(old))


def create_article(*, actor, org, category: str, title: str, body: str, summary: str = "",
                   kind: str = ArticleKind.ARTICLE, cover=None) -> Article:
    require(actor, "change", org.path, "您无权以该组织名义撰写文章")
    fields = _article_fields(category=category, kind=kind, title=title, summary=summary, body=body)
    with transaction.atomic():
        a = Article(org=org, author=actor, status=ArticleStatus.DRAFT, **fields)
        if cover:
            _save_image(a.cover, cover, field="cover")
        a.save()
    return a


def update_article(*, actor, article_id, category: str, title: str, body: str, summary: str = "",
                   kind: str = ArticleKind.ARTICLE, cover=None) -> Article:
    fields = _article_fields(category=category, kind=kind, title=title, summary=summary, body=body)
    with transaction.atomic():
        a = get_scoped_or_404(Article.objects.all(), actor, article_id, "change", for_update=True)
        if a.status not in EDITABLE:
            raise ServiceError("只有草稿或被退回的文章可以修改", field="status")
        for k, v in fields.items():
            setattr(a, k, v)
        if cover:
            _save_image(a.cover, cover, field="cover")
        a.save()
    return a


def submit_article(*, actor, article_id) -> Article:
    with transaction.atomic():
        a = get_scoped_or_404(Article.objects.all(), actor, article_id, "change", for_update=True)
        if a.status not in EDITABLE:
            raise ServiceError("该文章当前不能提交审核", field="status")
        a.status, a.submitted_at, a.return_reason = ArticleStatus.PENDING, timezone.now(), ""
        a.save(update_fields=["status", "submitted_at", "return_reason", "updated_at"])
    return a


def _for_review(actor, article_id) -> Article:
    a = get_scoped_or_404(Article.objects.select_related("org"), actor, article_id, "review", for_update=True)
    if a.status != ArticleStatus.PENDING:
        raise ServiceError("该文章不在待审核状态", field="status")
    if a.author_id == getattr(actor, "pk", None) and not actor.is_superuser:
        raise PermissionDenied("不能审核自己撰写的文章，请由其他审核员或上级组织审核")
    return a


def publish_article(*, actor, article_id) -> Article:
    with transaction.atomic():
        a = _for_review(actor, article_id)
        a.status, a.reviewer, a.published_at = ArticleStatus.PUBLISHED, actor, timezone.now()
        a.save(update_fields=["status", "reviewer", "published_at", "updated_at"])
        audit.record(actor=actor, action="content.article_publish", obj=a, org_path=a.org.path,
                     detail={"title": a.title, "category": a.category})
    return a


def return_article(*, actor, article_id, reason: str) -> Article:
    reason = _text(reason, field="reason", label="退回原因", max_len=300)
    with transaction.atomic():
        a = _for_review(actor, article_id)
        a.status, a.reviewer, a.return_reason = ArticleStatus.RETURNED, actor, reason
        a.save(update_fields=["status", "reviewer", "return_reason", "updated_at"])
        audit.record(actor=actor, action="content.article_return", obj=a, org_path=a.org.path, reason=reason)
    return a


def withdraw_article(*, actor, article_id, reason: str) -> Article:
    reason = _text(reason, field="reason", label="撤回原因", max_len=300)
    with transaction.atomic():
        a = get_scoped_or_404(Article.objects.select_related("org"), actor, article_id, "review",
                              for_update=True)
        if a.status != ArticleStatus.PUBLISHED:
            raise ServiceError("只有已发布的文章可以撤回", field="status")
        a.status, a.return_reason = ArticleStatus.WITHDRAWN, reason
        a.save(update_fields=["status", "return_reason", "updated_at"])
        audit.record(actor=actor, action="content.article_withdraw", obj=a, org_path=a.org.path, reason=reason)
    return a


# --- weekly digest ---------------------------------------------------------------------------------

def build_weekly_digest(*, week: str | None = None) -> WeeklyDigest:
    """Freeze the digest of ``week`` (default: last week, the one a Monday-morning job summarises):
    the articles published in it, newest first, and the books recommended for it. Rebuilding replaces it."""
    from .selectors import live_digest

    week = week or shift(current_week(), -1)
    parse_week(week)
    articles, books = live_digest(week)
    with transaction.atomic():
        d, _ = WeeklyDigest.objects.update_or_create(
            week=week, defaults=dict(article_ids=[a.pk for a in articles], book_ids=[b.pk for b in books],
                                     built_at=timezone.now()))
    return d


@task()
def build_weekly_digest_task(week: str | None = None) -> str:
    return build_weekly_digest(week=week).week


# --- e-books ---------------------------------------------------------------------------------------

def upload_book(*, actor, org, title: str, upload, author_name: str = "", summary: str = "", cover=None,
                recommended_week: str = "") -> Book:
    """Check the file by content (PDF or EPUB, size- and zip-bomb-limited), extract EPUB chapters to plain
    text once, store the file under MEDIA_ROOT with a random name."""
    require(actor, "change", org.path, "您无权以该组织名义上传电子书")
    title = _text(title, field="title", label="书名", max_len=150)
    author_name = _text(author_name, field="author_name", label="作者", max_len=100, required=False)
    summary = _text(summary, field="summary", label="简介", max_len=2000, required=False)
    if recommended_week:
        parse_week(recommended_week, field="recommended_week")
    if not upload:
        raise ServiceError("请选择电子书文件", field="file")
    fmt, chapters = files.detect_book(upload, field="file")
    with transaction.atomic():
        b = Book(org=org, title=title, author_name=author_name, summary=summary, format=fmt,
                 file_size=files.size_of(upload), uploaded_by=actor, recommended_week=recommended_week)
        if cover:
            _save_image(b.cover, cover, field="cover")
        b.file.save(f"{uuid.uuid4().hex}.{fmt}", upload, save=False)
        b.save()
        BookChapter.objects.bulk_create(
            [BookChapter(book=b, index=i, title=c.title, text=c.text) for i, c in enumerate(chapters, 1)])
        audit.record(actor=actor, action="content.book_upload", obj=b, org_path=org.path,
                     detail={"title": title, "format": fmt, "size": b.file_size, "chapters": len(chapters)})
    return b


def update_book(*, actor, book_id, title: str, author_name: str = "", summary: str = "",
                recommended_week: str = "", is_published: bool = True, cover=None) -> Book:
    title = _text(title, field="title", label="书名", max_len=150)
    author_name = _text(author_name, field="author_name", label="作者", max_len=100, required=False)
    summary = _text(summary, field="summary", label="简介", max_len=2000, required=False)
    recommended_week = (recommended_week or "").strip()
    if recommended_week:
        parse_week(recommended_week, field="recommended_week")
    with transaction.atomic():
        b = get_scoped_or_404(Book.objects.all(), actor, book_id, "change", for_update=True)
        b.title, b.author_name, b.summary = title, author_name, summary
        b.recommended_week, b.is_published = recommended_week, bool(is_published)
        if cover:
            _save_image(b.cover, cover, field="cover")
        b.save()
    return b


def record_book_read(*, user, book: Book) -> bool:
    """Count a member's read once per Shanghai day: the unique (book, user, day) row decides, the counter
    moves by an atomic F() update only when that row was new. Returns whether this read counted."""
    day = timezone.localdate(timezone=SHANGHAI)
    try:
        with transaction.atomic():
            BookRead.objects.create(book=book, user=user, day=day)
            Book.objects.filter(pk=book.pk).update(read_count=F("read_count") + 1)
    except IntegrityError:
        return False
    return True


def record_book_download(*, user, book: Book) -> None:
    Book.objects.filter(pk=book.pk).update(download_count=F("download_count") + 1)
