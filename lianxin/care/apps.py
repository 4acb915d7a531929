from django.apps import AppConfig


class CareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lianxin.care"
    verbose_name = "女职工与留守关爱"
