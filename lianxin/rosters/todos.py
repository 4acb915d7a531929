"""工作台 待办: the roster files this staff member uploaded that were checked and wait for their 确认导入."""

from lianxin.core.scoping import scoped
from lianxin.core.todos import Todo, todo

from . import selectors
from .models import JobStatus


@todo(order=5)
def ready_imports(user):
    """My own uploads in 检查完成，待确认, into an organisation I may still change (import into)."""
    jobs = scoped(selectors.job_list(actor=user, status=JobStatus.READY, mine=True), user, "change")
    yield Todo("花名册导入", "待确认导入的花名册", jobs.count(), "/console/imports/?status=ready&mine=1")
