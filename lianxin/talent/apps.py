from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "lianxin.talent"
    label = "talent"
    verbose_name = "评选表彰与劳模工匠库"
