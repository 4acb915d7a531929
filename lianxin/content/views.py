"""News and e-book pages: member H5 (/m/news/, /m/books/) and the staff console (/console/content/).
Thin: parse, call a selector or service, render. ServiceError becomes a form error or a flash message."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianxin.core.errors import ServiceError
from lianxin.core.scoping import can, offers
from lianxin.core.views import form_error, member_required, paginate, staff_required

from . import selectors, services
from .access import is_member, send_file
from .forms import ArticleForm, BookForm
from .models import ArticleStatus, BookFormat, Category
from .weeks import current_week, parse_week, shift

# --- member pages ----------------------------------------------------------------------------------

def news_list(request):
    category = request.GET.get("c", "")
    if category not in Category.values:
        category = ""
    page = paginate(request, selectors.published_articles(category=category), 15)
    return render(request, "content/m_news_list.html", {
        "page": page, "category": category, "categories": Category.choices, "week": current_week()})


def news_detail(request, pk):
    return render(request, "content/m_news_detail.html", {"a": selectors.published_article(pk)})


def news_weekly(request):
    week = request.GET.get("week") or shift(current_week(), -1)
    try:
        monday, sunday = parse_week(week)
    except ServiceError:
        raise Http404 from None
    articles, books, digest = selectors.weekly_digest(week)
    return render(request, "content/m_weekly.html", {
        "week": week, "monday": monday, "sunday": sunday, "articles": articles, "books": books,
        "digest": digest, "prev": shift(week, -1), "next": shift(week, 1)})


def article_cover(request, pk):
    return send_file(selectors.article_cover_for(request.user, pk).cover, cache_seconds=3600)


def book_list(request):
    week, recommended = selectors.recommended_books()
    page = paginate(request, selectors.published_books(), 20)
    return render(request, "content/m_book_list.html",
                  {"page": page, "recommended": recommended, "rec_week": week})


def book_detail(request, pk):
    book = selectors.published_book(pk)
    return render(request, "content/m_book_detail.html", {
        "b": book, "chapters": selectors.book_chapters(book) if book.format == BookFormat.EPUB else [],
        "member": is_member(request.user)})


@member_required
def book_read(request, pk):
    """PDF: the file itself, inline, for the browser's own viewer (exempt from the page CSP, whose
    ``object-src 'none'`` would stop Chromium's viewer). EPUB: one extracted chapter per page."""
    book = selectors.published_book(pk)
    services.record_book_read(user=request.user, book=book)
    if book.format == BookFormat.PDF:
        resp = send_file(book.file)
        resp._csp_exempt = True  # what csp.decorators.csp_exempt() sets
        return resp
    chapters = list(selectors.book_chapters(book))
    try:
        index = int(request.GET.get("ch", "1"))
    except ValueError:
        index = 1
    chapter = selectors.book_chapter(book, index)
    return render(request, "content/m_book_read.html", {
        "b": book, "ch": chapter, "count": len(chapters),
        "prev": index - 1 if index > 1 else None, "next": index + 1 if index < len(chapters) else None})


@member_required
def book_download(request, pk):
    book = selectors.published_book(pk)
    services.record_book_download(user=request.user, book=book)
    return send_file(book.file, inline=False, filename=f"{book.title}.{book.format}")


def book_cover(request, pk):
    return send_file(selectors.book_cover_for(request.user, pk).cover, cache_seconds=3600)


# --- console ---------------------------------------------------------------------------------------

@staff_required
def console_articles(request):
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    q = request.GET.get("q", "").strip()
    qs = selectors.console_articles(request.user, status=status, category=category, q=q)
    return render(request, "content/console_articles.html", {
        "page": paginate(request, qs), "status": status, "category": category, "q": q,
        "statuses": ArticleStatus.choices, "categories": Category.choices,
        "queue_count": selectors.review_queue(request.user).count()})


@staff_required
def console_review_queue(request):
    return render(request, "content/console_queue.html",
                  {"page": paginate(request, selectors.review_queue(request.user))})


@staff_required
@offers("change")
def console_article_new(request):
    orgs = selectors.writable_orgs(request.user)
    form = ArticleForm(request.POST or None, request.FILES or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            a = services.create_article(actor=request.user, org=d["org"], category=d["category"], kind=d["kind"],
                                        title=d["title"], summary=d["summary"], body=d["body"], cover=d["cover"])
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "草稿已保存")
            return redirect(f"/console/content/{a.pk}/")
    return render(request, "content/console_article_form.html", {"form": form, "no_orgs": not orgs.exists()})


@staff_required
def console_article(request, pk):
    a = selectors.console_article(request.user, pk)
    return render(request, "content/console_article.html", {
        "a": a, "can_change": can(request.user, "change", a.org.path) and a.status in services.EDITABLE,
        "can_review": can(request.user, "review", a.org.path) and a.status == ArticleStatus.PENDING
        and (a.author_id != request.user.pk or request.user.is_superuser),
        "can_withdraw": can(request.user, "review", a.org.path) and a.status == ArticleStatus.PUBLISHED})


@staff_required
def console_article_edit(request, pk):
    a = selectors.console_article(request.user, pk, "change")
    initial = {k: getattr(a, k) for k in ("category", "kind", "title", "summary", "body")}
    form = ArticleForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.update_article(actor=request.user, article_id=a.pk, category=d["category"], kind=d["kind"],
                                    title=d["title"], summary=d["summary"], body=d["body"], cover=d["cover"])
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已保存")
            return redirect(f"/console/content/{a.pk}/")
    return render(request, "content/console_article_form.html", {"form": form, "a": a})


def _act(request, pk, fn, ok: str, **kw):
    try:
        fn(actor=request.user, article_id=pk, **kw)
    except ServiceError as e:
        if e.code == "forbidden":
            raise
        messages.error(request, e.message)
    else:
        messages.success(request, ok)
    return redirect(f"/console/content/{pk}/")


@staff_required
@require_POST
def console_article_submit(request, pk):
    return _act(request, pk, services.submit_article, "已提交审核")


@staff_required
@require_POST
def console_article_publish(request, pk):
    return _act(request, pk, services.publish_article, "已发布")


@staff_required
@require_POST
def console_article_return(request, pk):
    return _act(request, pk, services.return_article, "已退回作者修改", reason=request.POST.get("reason", ""))


@staff_required
@require_POST
def console_article_withdraw(request, pk):
    return _act(request, pk, services.withdraw_article, "已撤回", reason=request.POST.get("reason", ""))


@staff_required
def console_books(request):
    q = request.GET.get("q", "").strip()
    return render(request, "content/console_books.html",
                  {"page": paginate(request, selectors.console_books(request.user, q=q)), "q": q})


@staff_required
@offers("change")
def console_book_new(request):
    orgs = selectors.writable_orgs(request.user)
    form = BookForm(request.POST or None, request.FILES or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            b = services.upload_book(actor=request.user, org=d["org"], title=d["title"], upload=d["file"],
                                     author_name=d["author_name"], summary=d["summary"], cover=d["cover"],
                                     recommended_week=d["recommended_week"])
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已上传《{b.title}》")
            return redirect(f"/console/content/books/{b.pk}/")
    return render(request, "content/console_book_form.html", {"form": form, "no_orgs": not orgs.exists()})


@staff_required
def console_book(request, pk):
    b = selectors.console_book(request.user, pk)
    editable = can(request.user, "change", b.org.path)
    initial = {k: getattr(b, k) for k in ("title", "author_name", "summary", "recommended_week", "is_published")}
    form = BookForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    if request.method == "POST":
        b = selectors.console_book(request.user, pk, "change")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.update_book(actor=request.user, book_id=b.pk, title=d["title"],
                                     author_name=d["author_name"], summary=d["summary"],
                                     recommended_week=d["recommended_week"], is_published=d["is_published"],
                                     cover=d["cover"])
            except ServiceError as e:
                form_error(form, e)
            else:
                messages.success(request, "已保存")
                return redirect(f"/console/content/books/{b.pk}/")
    return render(request, "content/console_book.html", {"b": b, "form": form, "editable": editable,
                                                         "this_week": current_week()})
