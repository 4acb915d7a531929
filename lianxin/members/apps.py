from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "lianxin.members"
    label = "members"
    verbose_name = "会员"
