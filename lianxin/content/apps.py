from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "lianxin.content"
    label = "content"
    verbose_name = "新闻与书屋"
