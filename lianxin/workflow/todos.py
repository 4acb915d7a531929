"""工作台 待办: the applications waiting for this reviewer's decision (the 待我审核 tab's own query)."""

from django.utils import timezone

from lianxin.core.todos import Todo, todo

from . import selectors


@todo(order=10)
def applications(user):
    steps = selectors.queue(actor=user)
    n = steps.count()
    if n:
        yield Todo("审批", "待我审核的申请", n, "/console/applications/",
                   overdue=steps.filter(due_at__lt=timezone.now()).count(),
                   overdue_url="/console/applications/?overdue=1")
