from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "lianxin.training"
    label = "training"
    verbose_name = "职工教育培训"
