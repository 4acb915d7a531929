"""工作台 待办 (关爱): 爱心妈咪小屋 at the desk that acts — 待街道审核 for the street's reviewers, approved rooms
without stars for the federation's — not what waits at a lower level of the actor's subtree."""

from lianxin.core.todos import Todo, todo

from . import selectors


@todo(order=80)
def rooms(user):
    yield Todo(
        "关爱",
        "待审核的爱心妈咪小屋",
        selectors.rooms_to_review(actor=user).count(),
        "/console/care/rooms/?status=submitted",
    )
    yield Todo(
        "关爱",
        "待评定星级的爱心妈咪小屋",
        selectors.rooms_to_rate(actor=user).count(),
        "/console/care/rooms/?status=approved&stars=none",
    )
