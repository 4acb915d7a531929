from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "lianxin.activities"
    label = "activities"
    verbose_name = "活动"
