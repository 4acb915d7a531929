from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "lianxin.party"
    verbose_name = "党支部工作"
