"""工作台 待办 (志愿服务): volunteers 待审核 and ended projects whose attendance is not yet confirmed — the
志愿者 and 项目 pages' own lists, counted where the actor may act (``review`` on the volunteer's union, ``change`` on
the project's organiser) across their subtree, as those pages list them (no desk owns these below the street)."""

from lianxin.core.scoping import scoped
from lianxin.core.todos import Todo, todo

from . import selectors
from .models import Volunteer


@todo(order=60)
def volunteers(user):
    pending = selectors.staff_volunteers(actor=user, status=Volunteer.Status.PENDING)
    yield Todo(
        "志愿服务",
        "待审核的志愿者",
        scoped(pending, user, "review").count(),
        "/console/volunteers/volunteers/?status=pending",
    )
    ended = selectors.staff_projects(actor=user, status="unconfirmed")
    yield Todo(
        "志愿服务",
        "待确认参加情况的项目",
        scoped(ended, user, "change").count(),
        "/console/volunteers/?status=unconfirmed",
    )
