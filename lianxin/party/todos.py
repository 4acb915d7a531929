"""工作台 待办 (党建): 组织关系介绍信 waiting to be received — the 组织关系转接 page's 待本支部接收 list (``change`` on
the receiving branch, which its administrator or any administrator above it holds), those waiting 30 days or
more named as overdue."""

import datetime as dt

from django.utils import timezone

from lianxin.core.todos import Todo, todo

from . import selectors
from .models import LETTER_OVERDUE_DAYS


def overdue_since() -> dt.datetime:
    """Letters sent before this instant have waited ``LETTER_OVERDUE_DAYS`` local days or more (``overdue``)."""
    day = timezone.localdate() - dt.timedelta(days=LETTER_OVERDUE_DAYS - 1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@todo(order=70)
def letters(user):
    qs = selectors.incoming_letters(actor=user)
    n = qs.count()
    if n:
        yield Todo(
            "党建",
            "待接收的组织关系介绍信",
            n,
            "/console/party/letters/",
            overdue=qs.filter(sent_at__lt=overdue_since()).count(),
        )
