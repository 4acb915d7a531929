from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "lianxin.governance"
    label = "governance"
    verbose_name = "组织建设（建家评选与工会换届）"
