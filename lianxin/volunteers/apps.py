from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "lianxin.volunteers"
    label = "volunteers"
    verbose_name = "工会志愿者服务"
