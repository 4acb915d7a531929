"""待办事项 on the console's 工作台: what is waiting for this staff member to act, counted across the apps.

Core knows nothing of the apps' models. Each app that has work waiting for staff puts a ``todos.py`` module next
to its models with functions decorated by :func:`todo`; :func:`for_user` imports those modules once
(``autodiscover_modules``, as the admin does) and asks each function for its items. A function takes the staff
user and returns an iterable of :class:`Todo` — normally at most one or two, each one COUNT query on the app's
own scoped selector, so that the number shown is exactly what the linked page lists for this person (who may
act, not who may only look). Items with a zero count are dropped. A function that raises is a bug and fails
the page like any other (the crawl tests open 工作台 for every demo role).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils.module_loading import autodiscover_modules

Provider = Callable[[object], Iterable["Todo"]]
_PROVIDERS: list[tuple[int, Provider]] = []
_discovered = False


@dataclass(frozen=True)
class Todo:
    section: str  # the console section, as the top menu names it: 审批, 新闻与书屋, 党建 …
    label: str  # what is waiting, e.g. 待我审核的申请
    count: int
    url: str  # the console page that lists exactly these items
    overdue: int = 0  # of ``count``, how many are past their deadline (shown in red), where the app knows
    overdue_url: str = ""  # the page listing just those


def grouped(qs, key: str) -> tuple[int, list]:
    """One grouped COUNT: how many rows ``qs`` has in all, and the distinct ``key`` values they fall under (a
    provider links to the one parent's page when there is one, else to the list of parents)."""
    rows = list(qs.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n"))
    return sum(n for _, n in rows), [k for k, _ in rows]


def link(keys: list, one: str, many: str) -> str:
    """The page for these items: ``one`` (a format string taking the parent's key) when they all fall under one
    parent, else ``many``, the list of parents."""
    return one.format(keys[0]) if len(keys) == 1 else many


def todo(order: int = 100) -> Callable[[Provider], Provider]:
    """Register ``fn(user) -> Iterable[Todo]``; lower ``order`` lists first (the menu's order)."""

    def register(fn: Provider) -> Provider:
        _PROVIDERS.append((order, fn))
        return fn

    return register


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("todos")
        _discovered = True


def providers() -> list[Provider]:
    _discover()
    return [fn for _, fn in sorted(_PROVIDERS, key=lambda p: p[0])]


def for_user(user) -> list[Todo]:
    """Every non-empty item for ``user``, in menu order."""
    out: list[Todo] = []
    for fn in providers():
        out.extend(t for t in fn(user) or () if t.count > 0)
    return out
