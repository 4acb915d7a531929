from django.urls import path

from . import views

urlpatterns = [
    path("m/news/", views.news_list, name="news-list"),
    path("m/news/weekly/", views.news_weekly, name="news-weekly"),
    path("m/news/<int:pk>/", views.news_detail, name="news-detail"),
    path("m/news/<int:pk>/cover/", views.article_cover, name="news-cover"),
    path("m/books/", views.book_list, name="book-list"),
    path("m/books/<int:pk>/", views.book_detail, name="book-detail"),
    path("m/books/<int:pk>/read/", views.book_read, name="book-read"),
    path("m/books/<int:pk>/download/", views.book_download, name="book-download"),
    path("m/books/<int:pk>/cover/", views.book_cover, name="book-cover"),
    path("console/content/", views.console_articles, name="content-articles"),
    path("console/content/review/", views.console_review_queue, name="content-queue"),
    path("console/content/new/", views.console_article_new, name="content-article-new"),
    path("console/content/<int:pk>/", views.console_article, name="content-article"),
    path("console/content/<int:pk>/edit/", views.console_article_edit, name="content-article-edit"),
    path("console/content/<int:pk>/submit/", views.console_article_submit, name="content-article-submit"),
    path("console/content/<int:pk>/publish/", views.console_article_publish, name="content-article-publish"),
    path("console/content/<int:pk>/return/", views.console_article_return, name="content-article-return"),
    path("console/content/<int:pk>/withdraw/", views.console_article_withdraw, name="content-article-withdraw"),
    path("console/content/books/", views.console_books, name="content-books"),
    path("console/content/books/new/", views.console_book_new, name="content-book-new"),
    path("console/content/books/<int:pk>/", views.console_book, name="content-book"),
]
