from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "lianxin.rosters"
    label = "rosters"
    verbose_name = "花名册导入导出"
