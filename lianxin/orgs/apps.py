from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "lianxin.orgs"
    label = "orgs"
    verbose_name = "组织与企业"
