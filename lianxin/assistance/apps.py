from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "lianxin.assistance"
    label = "assistance"
    verbose_name = "帮扶救助"
