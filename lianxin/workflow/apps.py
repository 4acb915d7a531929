from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "lianxin.workflow"
    label = "workflow"
    verbose_name = "申请审批"
