"""The console's pager for lists that may hold a whole district: see :class:`ScalablePaginator`
(``core.views.paginate`` is how views use it; the template is ``console/_pager.html``)."""

from __future__ import annotations

import json
from functools import cached_property
from typing import NamedTuple

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import OperationalError, connections, transaction
from django.db.models import QuerySet
from django.db.models.query import ModelIterable

COUNT_LIMIT = 10_000  # rows a list counts exactly; beyond it the total is the planner's estimate ("约")
COUNT_BUDGET_MS = 150  # an exact count the estimate cannot replace may take this long, else "超过 COUNT_LIMIT 条"


def _totally_ordered(qs) -> bool:
    """Whether the queryset's ordering ends in a unique, non-null column, so that reading it backwards gives
    exactly the same rows in the opposite order (needed to read the back pages from the end)."""
    query = qs.query
    if query.extra_order_by or query.combinator:
        return False
    ordering = list(query.order_by) if query.order_by else (
        list(qs.model._meta.ordering) if query.default_ordering else [])
    if not ordering or not isinstance(ordering[-1], str):
        return False
    name = ordering[-1].lstrip("-")
    if name in ("pk", qs.model._meta.pk.name, qs.model._meta.pk.attname):
        return True
    try:
        field = qs.model._meta.get_field(name)
    except Exception:  # noqa: BLE001 — a lookup across relations or an annotation: not provably unique
        return False
    return bool(getattr(field, "unique", False)) and not getattr(field, "null", True)


class Total(NamedTuple):
    """A list's total as :func:`bounded_count` knows it. ``approximate``: ``count`` is not exact — PostgreSQL's
    row estimate, or with ``at_least`` only a lower bound (``limit`` + 1: "超过 limit 条"), or with ``unknown``
    not even counted to the limit in time (a guess no smaller than ``limit`` + 1: "条数较多")."""

    count: int
    approximate: bool = False
    at_least: bool = False
    unknown: bool = False


def estimate(qs) -> int:
    """PostgreSQL's row estimate for the list (EXPLAIN: planning only, no scan); elsewhere the exact count."""
    if connections[qs.db].vendor != "postgresql":
        return qs.count()
    try:
        plan = json.loads(qs.order_by().explain(format="json"))
        return int(plan[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        return qs.count()


def count_within(ms: int, qs) -> int | None:
    """The exact count, or None when PostgreSQL needs more than ``ms`` for it (statement_timeout inside a
    savepoint: the cancelled count leaves the request's transaction usable and its settings unchanged)."""
    db = qs.db
    conn = connections[db]
    if conn.vendor != "postgresql":
        return qs.count()
    nested = conn.in_atomic_block  # SET LOCAL outlives a savepoint: restore it for the outer transaction
    try:
        with transaction.atomic(using=db):
            with conn.cursor() as c:
                if nested:
                    c.execute("SHOW statement_timeout")
                    before = c.fetchone()[0]
                c.execute(f"SET LOCAL statement_timeout = {int(ms)}")
            n = qs.count()
            if nested:
                with conn.cursor() as c:
                    c.execute("SELECT set_config('statement_timeout', %s, true)", [before])
            return n
    except OperationalError:
        return None


def countable(qs) -> bool:
    """Whether :func:`bounded_count` applies: a plain model queryset (not a list, ``values()``, a union or a
    slice), which can be counted up to a limit and estimated."""
    return (isinstance(qs, QuerySet) and qs._iterable_class is ModelIterable and not qs.query.combinator
            and not qs.query.is_sliced)


def bounded_count(qs, *, limit: int | None = None) -> Total:
    """The total of a model queryset without a ``COUNT(*)`` over a whole district: exact up to ``limit``
    (default :data:`COUNT_LIMIT`), PostgreSQL's estimate beyond it (see :class:`ScalablePaginator` for the
    cases). The console's pager and the API's pages (``orgs.api.Pages``) both count through this."""
    limit = COUNT_LIMIT if limit is None else limit
    n = count_within(COUNT_BUDGET_MS, qs.order_by()[: limit + 1])
    if n is None:  # even counting to the limit is slow: a filter that visits most of a big subtree
        return Total(max(estimate(qs), limit + 1), approximate=True, unknown=True)
    if n <= limit:
        return Total(n)
    guess = estimate(qs)
    if guess > limit:
        return Total(guess, approximate=True)
    # The planner is wrong about this list (a union twenty times the average size, a filter it misjudges):
    # count it exactly if that is quick, else say only that there are more than ``limit``.
    exact = count_within(COUNT_BUDGET_MS, qs)
    if exact is not None:
        return Total(exact)
    return Total(n, approximate=True, at_least=True)


class ScalablePaginator(Paginator):
    """Django's paginator for lists that may hold a whole district (a million people): the same Page objects,
    page numbers and 首页/末页/跳页, without a ``COUNT(*)`` over the whole scoped subtree on every page view.

    - The total is counted up to ``limit`` + 1 rows only (``SELECT count(*) FROM (... LIMIT n)``, unordered,
      so PostgreSQL may stop its cheapest scan there). A list no longer than ``limit`` shows its exact count.
      A filter that has to visit most of a big subtree to find that many (non-members of a street whose
      records lie all over the table) may not finish within ``COUNT_BUDGET_MS``: the count is then given up
      and the pager says only "条数较多" (the pages themselves are cheap: they stop at the page's rows).
    - A longer list shows "共约 N 条": N is PostgreSQL's row estimate (EXPLAIN: planning only, no scan). Its
      pages are read with OFFSET as before, one row more than shown, so 下一页 is offered only when there is
      one (and the real last page, reached page by page, knows the exact total); a page number past the real
      end (the estimate was too high) counts exactly and shows the last page. An estimate the bounded count has already proved too low (a
      union twenty times the average size) is not shown: the list is counted exactly if PostgreSQL can within
      ``COUNT_BUDGET_MS``, else shown as "超过 10000 条".
    - The last page (``page=last``, the 末页 link, or any number past the end) counts exactly, once, and when
      the ordering is total reads the back half of the list from its end (reversed order, short OFFSET), so
      末页 of a million rows costs one count and a short index walk, not an OFFSET of a million.

    With ``single_scan`` (a search that no index serves, such as part of a name) the ids of the whole list, in
    its order and up to ``limit``, are read in ONE query: that is the count and every page's rows (then read
    by primary key), so the table is scanned once rather than once for the count and again for the page.

    Anything that is not a plain model queryset (lists, ``values()``, unions) is paginated as Django does."""

    def __init__(self, object_list, per_page, *, limit: int | None = None, single_scan: bool = False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = COUNT_LIMIT if limit is None else limit
        self.approximate = False
        self.at_least = False  # approximate, and ``count`` is only a lower bound (limit + 1): "超过 N 条"
        self.unknown = False  # approximate, and not even counted to the limit in time: "条数较多"
        self.single_scan = single_scan
        self._ids: list | None = None  # single_scan: the ids of the whole list, in order (when <= limit)
        self.fast = countable(object_list)

    @cached_property
    def count(self):
        if not self.fast:
            return super().count
        if self.single_scan:
            ids = list(dict.fromkeys(self.object_list.values_list("pk", flat=True)[: self.limit + 1]))
            if len(ids) <= self.limit:
                self._ids = ids
                return len(ids)
        total = bounded_count(self.object_list, limit=self.limit)
        self.approximate, self.at_least, self.unknown = total.approximate, total.at_least, total.unknown
        return total.count

    def _exact(self) -> None:
        """Replace an estimated total by the real one (the last page needs it)."""
        if self.approximate:
            self.approximate = self.at_least = self.unknown = False
            self.__dict__["count"] = self.object_list.count()
            self.__dict__.pop("num_pages", None)

    def get_page(self, number):
        if not self.fast:
            return super().get_page(number)
        if number == "last":
            self.count  # noqa: B018 — decides whether the total is estimated
            self._exact()
            return self.page(self.num_pages)
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            self._exact()
            number = self.num_pages
        return self.page(number)

    def page(self, number):
        if not self.fast:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.approximate:
            objects = list(self.object_list[bottom:bottom + self.per_page + 1])  # one more: is there a next page?
            if len(objects) > self.per_page:
                return self._get_page(objects[:self.per_page], number, self)
            if objects or number == 1:  # the real last page, whatever the estimate said: now the total is known
                self.approximate = self.at_least = self.unknown = False
                self.__dict__["count"] = bottom + len(objects)
                self.__dict__.pop("num_pages", None)
                return self._get_page(objects, number, self)
            self._exact()  # the estimate promised more pages than there are: show the real last one
            return self.page(self.num_pages)
        count = self.count
        top = count if bottom + self.per_page + self.orphans >= count else bottom + self.per_page
        if self._ids is not None:
            rows = {o.pk: o for o in self.object_list.filter(pk__in=self._ids[bottom:top]).order_by()}
            return self._get_page([rows[pk] for pk in self._ids[bottom:top] if pk in rows], number, self)
        if bottom > count // 2 and _totally_ordered(self.object_list):
            back = list(self.object_list.reverse()[count - top:count - bottom])
            back.reverse()
            return self._get_page(back, number, self)
        return self._get_page(list(self.object_list[bottom:top]), number, self)
