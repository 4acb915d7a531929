"""JSON API for people and memberships (/api/v1/members/).

Thin over :mod:`lianxin.members.selectors` (scoped reads; an id outside the caller's subtree is a 404) and
:mod:`lianxin.members.services` (writes, re-checked and audited). Personal data leaves only masked
(``3301**********123X``, ``139****5678``); the one exception is ``POST /people/{id}/reveal``, which needs a
role that may reveal and a reason, and is written to the audit chain by the service.
"""


import datetime as dt
from typing import Literal

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from lianxin.core.api_errors import WRITE, answers
from lianxin.core.scoping import get_scoped_or_404
from lianxin.orgs.api import Pages, Query, present, text
from lianxin.orgs.models import Enterprise, Organization

from . import selectors, services
from .admin import PII_COLUMNS
from .models import Education, Membership, Political

router = Router(tags=["人员与会籍"])

# choice fields are checked here, at the edge, so a bad code is a 422 naming the field
EducationCode = Literal[tuple(["", *Education.values])]
PoliticalCode = Literal[tuple(["", *Political.values])]

PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


class MembershipOut(Schema):
    id: int
    person_id: int
    person_name: str
    union_id: int
    union_name: str
    status: str
    status_label: str
    member_no: str | None
    joined_on: dt.date | None
    left_on: dt.date | None
    transferred_from_id: int | None
    note: str

    @staticmethod
    def resolve_person_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_union_name(obj):
        return obj.union.name

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class PersonOut(Schema):
    """Masked fields only: there is no attribute here that could carry a ciphertext or a blind index."""

    id: int
    name: str
    id_number: str
    mobile: str
    gender: str
    birth_date: dt.date
    org_id: int
    org_name: str
    employer_id: int | None
    employer_name: str

    @staticmethod
    def resolve_id_number(obj):
        return obj.id_masked

    @staticmethod
    def resolve_mobile(obj):
        return obj.mobile_masked

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name


class PersonDetailOut(PersonOut):
    region_code: str
    job: str
    education: str
    ethnicity: str
    political_status: str
    is_migrant: bool
    is_frontline: bool
    is_model_worker: bool
    is_party_member: bool
    is_woman: bool
    is_youth: bool
    current_membership: MembershipOut | None

    @staticmethod
    def resolve_current_membership(obj):
        return selectors.current_membership(obj)


class PersonIn(Schema):
    org_id: int
    name: text(50)
    id_number: text(40)
    mobile: text(30) | None = None
    gender: Literal["M", "F"] | None = None
    birth_date: dt.date | None = None
    employer_id: int | None = None
    employer_name: text(150) = ""
    job: text(60) = ""
    education: EducationCode = ""
    ethnicity: text(20) = "汉族"
    political_status: PoliticalCode = ""
    is_migrant: bool = False
    is_frontline: bool = False
    is_model_worker: bool = False


class PersonPatch(Schema):
    name: text(50) | None = None
    mobile: text(30) | None = None  # "" clears it, null leaves it
    employer_id: int | None = None
    employer_name: text(150) | None = None
    job: text(60) | None = None
    education: EducationCode | None = None
    ethnicity: text(20) | None = None
    political_status: PoliticalCode | None = None
    is_migrant: bool | None = None
    is_frontline: bool | None = None
    is_model_worker: bool | None = None


class RevealIn(Schema):
    field: Literal["id_number", "mobile"]
    reason: text(500)


class RevealOut(Schema):
    field: str
    value: str


def _employer(request, employer_id):
    """An employer the caller cannot see is "not found", exactly like one that does not exist."""
    if employer_id is None:
        return None
    return get_scoped_or_404(Enterprise.objects.all(), request.user, employer_id)


@router.get("/people", response=answers(list[PersonOut], 404, 422), summary="人员列表（姓名、会员编号或完整身份证号检索）")
@paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_people(request, q: Query = "", org_id: int | None = None, status: Literal["", "member", "none"] = ""):
    org = get_scoped_or_404(Organization.objects.all(), request.user, org_id) if org_id is not None else None
    # lists never need the ciphertext or blind indexes: do not even load them
    return selectors.person_list(actor=request.user, q=q, org=org, status=status).defer(*PII_COLUMNS)


@router.post("/people", response=answers(PersonDetailOut, *WRITE, 404, 422, status=201), summary="登记人员")
def create_person(request, payload: PersonIn):
    data = payload.model_dump()
    org = get_scoped_or_404(Organization.objects.all(), request.user, data.pop("org_id"))
    data["employer"] = _employer(request, data.pop("employer_id"))
    person = services.create_person(actor=request.user, org=org, **data)
    return Status(201, selectors.person_detail(actor=request.user, pk=person.pk))


@router.get("/people/{person_id}", response=answers(PersonDetailOut, 404, 422), summary="人员详情（脱敏）")
def get_person(request, person_id: int):
    return selectors.person_detail(actor=request.user, pk=person_id)


@router.patch("/people/{person_id}", response=answers(PersonDetailOut, *WRITE, 404, 422), summary="修改人员信息")
def patch_person(request, person_id: int, payload: PersonPatch):
    person = selectors.person_detail(actor=request.user, pk=person_id)  # 404 outside the subtree
    changes = present(payload, nullable=("employer_id",))
    if "employer_id" in changes:
        changes["employer"] = _employer(request, changes.pop("employer_id"))
    services.update_person(actor=request.user, person=person, **changes)
    return selectors.person_detail(actor=request.user, pk=person.pk)


@router.post("/people/{person_id}/reveal", response=answers(RevealOut, *WRITE, 404, 422), summary="查看完整身份证号或手机号（需事由，留痕）")
def reveal(request, person_id: int, payload: RevealIn):
    person = selectors.person_detail(actor=request.user, pk=person_id)
    value = services.reveal_person_field(actor=request.user, person=person, field=payload.field,
                                         reason=payload.reason)
    return {"field": payload.field, "value": value}


@router.get("/people/{person_id}/memberships", response=answers(list[MembershipOut], 404, 422), summary="个人会籍及转会历史")
def person_memberships(request, person_id: int):
    person = selectors.person_detail(actor=request.user, pk=person_id)
    return list(selectors.memberships_of(actor=request.user, person=person))


@router.get("/memberships", response=answers(list[MembershipOut], 404, 422), summary="会籍列表")
@paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)
def list_memberships(request, union_id: int | None = None,
                     status: Literal["", "applying", "member", "transferred", "left"] = ""):
    union = get_scoped_or_404(Organization.objects.all(), request.user, union_id) if union_id is not None else None
    return selectors.membership_list(actor=request.user, union=union, status=status)


@router.get("/memberships/{membership_id}", response=answers(MembershipOut, 404, 422), summary="会籍详情")
def get_membership(request, membership_id: int):
    return get_scoped_or_404(Membership.objects.select_related("person", "union"), request.user, membership_id)
