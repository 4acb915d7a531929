"""工作台 待办 (组织建设): what waits at the actor's own level — 建家申报 at the reviewing street and at the round's
organiser, 工作记录 and 年度考核 grades at the worker's post, a fully graded 年度考核 at its organiser — not what
waits at a lower level of their subtree."""

from lianxin.core.todos import Todo, grouped, link, todo

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


@todo(order=90)
def assessments(user):
    """Ungraded assessments of open rounds at my desk (the worker's post); open rounds I organise with every
    assessment graded, waiting for 确认考核结果."""
    n, rounds = grouped(selectors_workers.assessment_items(actor=user, round=None, grade="none", mine=True),
                        "round_id")
    base = "/console/governance/workers/assessments/"
    yield Todo("组织建设", "待评定的年度考核", n, link(rounds, base + "{}/?grade=none&mine=1", base))
    ids = list(selectors_workers.rounds_to_confirm(actor=user).values_list("pk", flat=True))
    yield Todo("组织建设", "待确认的年度考核结果", len(ids), link(ids, base + "{}/", base))
