"""/api/v1/core/: the staff member's 工作台 as JSON — the same 待办事项 the console's home page shows (each app's
``todos.py``), for a WeChat work front end or a desk widget. Staff only."""

from __future__ import annotations

from ninja import Router, Schema

from . import todos
from .api_errors import answers
from .errors import PermissionDenied
from .scoping import scope_for

router = Router(tags=["工作台"])


class TodoOut(Schema):
    section: str
    label: str
    count: int
    url: str
    overdue: int
    overdue_url: str


@router.get("/todos", response=answers(list[TodoOut]))
def my_todos(request):
    """What waits for the signed-in staff member to act, in the top menu's order, each with the console page that
    lists exactly those items (``url``, relative) and, where the app knows deadlines, how many are overdue. Items
    with nothing waiting are left out. 403 for a member's session."""
    if not scope_for(request.user).is_staff:
        raise PermissionDenied("仅限工作人员查看")
    return [t.__dict__ for t in todos.for_user(request.user)]
