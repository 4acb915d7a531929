"""ISO weeks (``2026-W48``) in Shanghai time: the unit of 周周有报道 and of the recommended book list."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils import timezone

from lianxin.core.errors import ServiceError

SHANGHAI = ZoneInfo("Asia/Shanghai")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(value: str, *, field: str = "week") -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week string."""
    m = _WEEK.match((value or "").strip())
    if not m:
        raise ServiceError("周次格式应为 2026-W48", field=field)
    try:
        monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ServiceError("没有这一周", field=field) from None
    return monday, monday + dt.timedelta(days=6)


def week_of(day: dt.date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def current_week() -> str:
    return week_of(timezone.localdate(timezone=SHANGHAI))


def week_range_utc(value: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the week as aware datetimes (Shanghai midnights)."""
    monday, _ = parse_week(value)
    start = dt.datetime.combine(monday, dt.time(0), tzinfo=SHANGHAI)
    return start, start + dt.timedelta(days=7)


def shift(value: str, weeks: int) -> str:
    monday, _ = parse_week(value)
    return week_of(monday + dt.timedelta(weeks=weeks))
