"""Back office: read-only, scoped views of articles and books. Writing, review and uploads happen in the
console (/console/content/), where the services enforce the review flow and the upload checks."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin

from .models import Article, Book


@admin.register(Article)
class ArticleAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "category", "status", "org", "author", "published_at")
    list_filter = ("status", "category")
    search_fields = ("title",)
    exclude = ("cover",)


@admin.register(Book)
class BookAdmin(ScopedAdminMixin, ModelAdmin):
    list_display = ("title", "format", "org", "recommended_week", "is_published", "read_count", "download_count")
    list_filter = ("format", "is_published")
    search_fields = ("title", "author_name")
    exclude = ("file", "cover")
