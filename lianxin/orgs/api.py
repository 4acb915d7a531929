"""JSON API for the organisation tree, the enterprise register and union coverage (/api/v1/orgs/).

Thin: reads go through :mod:`lianxin.orgs.selectors` (always scoped, 404 outside the caller's subtree), writes
through :mod:`lianxin.orgs.services` (which check the role again and audit). Member counts are derived from
memberships on every read (one grouped query per page), never stored.
"""


import datetime as dt
import unicodedata
from typing import Annotated, Literal

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import AfterValidator, Field

from lianxin.core.api_errors import WRITE, answers
from lianxin.core.pagination import bounded_count, countable
from lianxin.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import Industry, Organization, Ownership, Size

router = Router(tags=["组织与企业"])

PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


def _printable(value: str) -> str:
    # NUL and other control characters are refused here: PostgreSQL rejects NUL in text (a 500 otherwise),
    # and nothing a union office types needs them
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("不能包含控制字符")
    return value


def text(max_length: int):
    """A string input as the column can hold it: printable and no longer than the column, so the database
    never sees a value it would reject with an error (→ 422 naming the field instead)."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_printable)]


Query = text(100)  # search boxes


def present(payload: Schema, nullable: tuple[str, ...] = ()) -> dict:
    """The fields a PATCH sent, without explicit nulls for columns that cannot be empty (null = unchanged)."""
    return {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None or k in nullable}


MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    """Page numbers as ninja has them, bounded in two ways; every paginated list of the API uses this class.

    - ``page``: a page past the last is simply empty, but one so large that its OFFSET overflows the
      database's 64-bit integer was a 500 (found by the API fuzzer); now it is a 422 naming ``page``.
    - ``count``: not a ``COUNT(*)`` of the whole scoped list (a district administrator's people are a
      million rows) but the console pager's :func:`lianxin.core.pagination.bounded_count`: exact up to
      ``COUNT_LIMIT`` rows, beyond that PostgreSQL's estimate, and ``approximate`` says so. A page shorter
      than ``page_size`` (the real last page) gives the exact total whatever the estimate said."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)

    class Output(Schema):
        items: list
        count: int = Field(description="条目总数；approximate 为 true 时是估计值（或“超过 count−1 条”的下界）")
        approximate: bool = Field(False, description="count 不是精确总数：列表超过 10000 条时给出数据库的估计值")

    def paginate_queryset(self, queryset, pagination, request, **params):
        if not countable(queryset):
            return {**super().paginate_queryset(queryset, pagination, request, **params), "approximate": False}
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        items = list(queryset[offset:offset + page_size])
        total = bounded_count(queryset)
        if total.approximate and 0 < len(items) < page_size:  # the real last page: now the total is known
            return {"items": items, "count": offset + len(items), "approximate": False}
        return {"items": items, "count": total.count, "approximate": total.approximate}


class OrgPagination(Pages):
    """Page numbers, plus each organisation's subtree member count for the page's rows, from the same
    grouped query the console uses (:func:`selectors.member_counts`), never a per-row count."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page["items"])
        counts = selectors.member_counts(items)
        for org in items:
            org.member_count = counts.get(org.pk, 0)
        page["items"] = items
        return page


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    depth: int
    member_count: int

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


class OrgDetailOut(OrgOut):
    parent_name: str | None
    code: str
    chair_name: str
    vice_chair_names: str
    contact_name: str
    contact_phone: str
    address: str
    founded_on: dt.date | None
    term_ends_on: dt.date | None
    enterprise_id: int | None

    @staticmethod
    def resolve_parent_name(obj):
        return obj.parent.name if obj.parent_id else None


class OrgPatch(Schema):
    name: text(100) | None = None
    code: text(32) | None = None
    chair_name: text(50) | None = None
    vice_chair_names: text(200) | None = None
    contact_name: text(50) | None = None
    contact_phone: text(30) | None = None
    address: text(200) | None = None
    founded_on: dt.date | None = None
    term_ends_on: dt.date | None = None


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    industry: str
    industry_label: str
    size: str
    ownership: str
    street_id: int
    street_name: str
    covering_union_id: int | None
    covering_union_name: str | None
    headcount: int
    needs_union_founding: bool

    @staticmethod
    def resolve_industry_label(obj):
        return obj.get_industry_display()

    @staticmethod
    def resolve_street_name(obj):
        return obj.street.name

    @staticmethod
    def resolve_covering_union_name(obj):
        return obj.covering_union.name if obj.covering_union_id else None


class EnterpriseDetailOut(EnterpriseOut):
    address: str
    size_label: str
    ownership_label: str

    @staticmethod
    def resolve_size_label(obj):
        return obj.get_size_display()

    @staticmethod
    def resolve_ownership_label(obj):
        return obj.get_ownership_display()


class EnterprisePatch(Schema):
    name: text(150) | None = None
    address: text(200) | None = None
    headcount: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    industry: Literal[tuple(Industry.values)] | None = None
    size: Literal[tuple(Size.values)] | None = None
    ownership: Literal[tuple(Ownership.values)] | None = None
    needs_union_founding: bool | None = None
    covering_union_id: int | None = None


class CoverageRow(Schema):
    label: str
    enterprises: int
    enterprises_covered: int
    enterprise_rate: float
    workers: int
    workers_covered: int
    worker_rate: float


@router.get("/organizations", response=answers(list[OrgOut], 422), summary="组织列表（含下属会员数）")
@paginate(OrgPagination, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_organizations(request, kind: text(16) = "", q: Query = ""):
    return selectors.org_list(actor=request.user, kind=kind, q=q).select_related("parent")


@router.get("/organizations/{org_id}", response=answers(OrgDetailOut, 404, 422), summary="组织详情")
def get_organization(request, org_id: int):
    org = selectors.org_detail(actor=request.user, pk=org_id)
    org.member_count = selectors.member_count(org)
    return org


@router.patch("/organizations/{org_id}", response=answers(OrgDetailOut, *WRITE, 404, 422), summary="修改组织信息")
def patch_organization(request, org_id: int, payload: OrgPatch):
    org = selectors.org_detail(actor=request.user, pk=org_id)  # 404 outside the subtree
    org = services.update_organization(actor=request.user, org=org,
                                       **present(payload, nullable=("founded_on", "term_ends_on")))
    org = selectors.org_detail(actor=request.user, pk=org.pk)
    org.member_count = selectors.member_count(org)
    return org


@router.get("/enterprises", response=answers(list[EnterpriseOut], 404, 422), summary="企业列表")
@paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_enterprises(request, q: Query = "", street_id: int | None = None,
                     covered: Literal["", "yes", "no"] = ""):
    street = None
    if street_id is not None:
        street = get_scoped_or_404(Organization.objects.all(), request.user, street_id)
    return selectors.enterprise_list(actor=request.user, q=q, street=street, covered=covered)


@router.get("/enterprises/{enterprise_id}", response=answers(EnterpriseDetailOut, 404, 422), summary="企业详情")
def get_enterprise(request, enterprise_id: int):
    return selectors.enterprise_detail(actor=request.user, pk=enterprise_id)


@router.patch("/enterprises/{enterprise_id}", response=answers(EnterpriseDetailOut, *WRITE, 404, 422), summary="修改企业信息")
def patch_enterprise(request, enterprise_id: int, payload: EnterprisePatch):
    ent = selectors.enterprise_detail(actor=request.user, pk=enterprise_id)
    changes = present(payload, nullable=("covering_union_id",))
    if "covering_union_id" in changes:
        cu = changes.pop("covering_union_id")
        # a union the caller cannot see is "not found", exactly like an id that does not exist
        changes["covering_union"] = (get_scoped_or_404(Organization.objects.all(), request.user, cu, "change")
                                     if cu is not None else None)
    services.update_enterprise(actor=request.user, enterprise=ent, **changes)
    return selectors.enterprise_detail(actor=request.user, pk=ent.pk)


@router.get("/coverage", response=answers(list[CoverageRow], 422), summary="建会覆盖率（按街道或行业）")
def get_coverage(request, by: Literal["street", "industry"] = "street"):
    return selectors.coverage(actor=request.user, by=by)



