"""工作台 待办 (组织建设): what waits at the actor's own level — 建家申报 at the reviewing street and at the round's
organiser, and 工作记录 at the worker's post — not what waits at a lower level of their subtree."""

from lianxin.core.todos import Todo, todo

from . import selectors, selectors_workers
from .models import HomeApplication, WorkLog

A = HomeApplication.Status


@todo(order=90)
def home_applications(user):
    for status, label in ((A.SUBMITTED, "待审核的建家申报"), (A.PASSED, "待审定的建家申报")):
        n = selectors.waiting_applications(actor=user, status=status).count()
        yield Todo("组织建设", label, n, f"/console/governance/applications/?status={status}")


@todo(order=90)
def work_logs(user):
    n = selectors_workers.work_logs(actor=user, status=WorkLog.Status.DRAFT, mine=True).count()
    yield Todo("组织建设", "待确认的工作记录", n, "/console/governance/workers/logs/?status=draft&mine=1")
