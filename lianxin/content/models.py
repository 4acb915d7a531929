"""News articles, the weekly digest and the e-book library.

Every staff-facing row hangs off the organisation that published it (``SCOPE_PATHS``), so the console reads
them through :func:`lianxin.core.scoping.scoped`. Files (covers, book files) live under MEDIA_ROOT, outside the
web root, and are only served through views that check status and sign-in. Writes go through
:mod:`lianxin.content.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Category(models.TextChoices):
    NEWS = "news", "工会动态"
    NOTICE = "notice", "通知公告"
    POLICY = "policy", "政策法规"
    LAW = "law", "普法宣传"
    YOUTH = "youth", "团青"
    WOMEN = "women", "巾帼"


class ArticleKind(models.TextChoices):
    ARTICLE = "article", "文章"
    ANNOUNCEMENT = "announcement", "公告"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待审核"
    RETURNED = "returned", "已退回"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class Article(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="articles",
                            verbose_name="发布组织")
    category = models.CharField("栏目", max_length=16, choices=Category.choices)
    kind = models.CharField("类型", max_length=16, choices=ArticleKind.choices, default=ArticleKind.ARTICLE)
    title = models.CharField("标题", max_length=120)
    summary = models.CharField("摘要", max_length=300, blank=True)
    # Plain text. Rendered escaped, paragraphs from blank lines (the ``linebreaks`` filter): no HTML from authors.
    body = models.TextField("正文")
    cover = models.FileField("封面图", upload_to="content/covers/%Y/%m/", blank=True)
    status = models.CharField("状态", max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles",
                               verbose_name="作者")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reviewed_articles", verbose_name="审核人")
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = verbose_name_plural = "文章"
        indexes = [
            models.Index(fields=["status", "category", "-published_at"], name="article_feed"),
            models.Index(fields=["status", "published_at"], name="article_week"),
        ]
        constraints = [
            # a published article always carries its publication time and reviewer
            models.CheckConstraint(
                condition=~Q(status="published") | (Q(published_at__isnull=False) & Q(reviewer__isnull=False)),
                name="article_published_complete"),
        ]

    def __str__(self):
        return self.title


class WeeklyDigest(models.Model):
    """The 周周有报道 digest of one ISO week (``2026-W48``), frozen by the build task so the page a member
    saw on Monday is the page they see later, even if an article is withdrawn meanwhile."""

    week = models.CharField("周次", max_length=8, unique=True)
    article_ids = models.JSONField(default=list)
    book_ids = models.JSONField(default=list)
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["-week"]
        verbose_name = verbose_name_plural = "每周简报"

    def __str__(self):
        return self.week


class BookFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    EPUB = "epub", "EPUB"


class Book(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="books",
                            verbose_name="上传组织")
    title = models.CharField("书名", max_length=150)
    author_name = models.CharField("作者", max_length=100, blank=True)
    summary = models.TextField("简介", blank=True)
    format = models.CharField("格式", max_length=4, choices=BookFormat.choices)
    file = models.FileField("文件", upload_to="content/books/%Y/%m/")
    file_size = models.PositiveIntegerField("文件大小（字节）")
    cover = models.FileField("封面图", upload_to="content/book-covers/%Y/%m/", blank=True)
    recommended_week = models.CharField("推荐周次", max_length=8, blank=True, db_index=True)
    is_published = models.BooleanField("上架", default=True)
    read_count = models.PositiveIntegerField("阅读人次", default=0)
    download_count = models.PositiveIntegerField("下载次数", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "电子书"

    def __str__(self):
        return self.title


class BookChapter(models.Model):
    """An EPUB chapter extracted once at upload and reduced to plain text: reading never touches the zip
    again, and nothing from the book's markup reaches the page."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="chapters")
    index = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        ordering = ["book", "index"]
        constraints = [models.UniqueConstraint(fields=["book", "index"], name="bookchapter_unique")]


class BookRead(models.Model):
    """One row per member, book and (Shanghai) day: the unique constraint is what makes a read count once
    a day, even when two tabs open the book at the same moment."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["book", "user", "day"], name="bookread_once_a_day")]
