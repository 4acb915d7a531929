from django.apps import AppConfig


class MutualaidConfig(AppConfig):
    name = "lianxin.mutualaid"
    label = "mutualaid"
    verbose_name = "职工医疗互助"
