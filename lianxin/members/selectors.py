"""Reads of people and memberships, always for an actor and always scoped (DESIGN rule 1)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import normalise
from lianxin.core.scoping import get_scoped_or_404, require, scoped

from .models import ACTIVE_STATUSES, Membership, MembershipStatus, Person
from .services import id_bidx, mobile_bidx


def _search_kind(q: str) -> str:
    """How ``q`` is searched: "id", "mobile" or "member_no" (exact, indexed), "name" (part of a name), or ""."""
    if not q:
        return ""
    n = normalise(q)
    if len(n) == 18 and n[:17].isdigit():
        return "id"
    if len(n) == 11 and n.isdigit():
        return "mobile"
    if n.startswith("LX") and n[2:].isdigit():
        return "member_no"
    return "name"


def is_name_search(q: str) -> bool:
    """Whether ``q`` is matched as part of a name: a scan no index serves (the list pages it in one scan)."""
    return _search_kind((q or "").strip()) == "name"


def person_search_filter(q: str) -> Q:
    """Name (contains), member number (exact), full ID number or mobile (exact, through the blind index)."""
    q = (q or "").strip()
    kind, n = _search_kind(q), normalise(q)
    if kind == "id":
        return Q(id_bidx=id_bidx(n))
    if kind == "mobile":
        return Q(mobile_bidx=mobile_bidx(n))
    if kind == "member_no":
        return Q(memberships__member_no=n, memberships__status__in=ACTIVE_STATUSES)
    if kind == "name":
        # Chinese names have no case: a plain LIKE spares PostgreSQL an UPPER() of every name it scans
        return Q(name__icontains=q) if any(c.isascii() and c.isalpha() for c in q) else Q(name__contains=q)
    return Q()


def person_list(*, actor, q: str = "", org=None, status: str = "", action: str = "view") -> QuerySet[Person]:
    qs = scoped(Person.objects.select_related("org", "employer"), actor, action)
    if q:
        qs = qs.filter(person_search_filter(q))
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if status == "member":
        qs = qs.filter(memberships__status=MembershipStatus.MEMBER)
    elif status == "none":
        qs = qs.exclude(memberships__status__in=ACTIVE_STATUSES)
    elif status:
        raise ServiceError("状态筛选无效", field="status")
    return qs.distinct() if q.startswith("LX") else qs


def person_detail(*, actor, pk, action: str = "view") -> Person:
    return get_scoped_or_404(Person.objects.select_related("org", "employer"), actor, pk, action)


def membership_list(*, actor, union=None, status: str = "") -> QuerySet[Membership]:
    qs = scoped(Membership.objects.select_related("person", "union"), actor)
    if union is not None:
        qs = qs.filter(union__path__startswith=union.path)
    if status:
        qs = qs.filter(status=status)
    return qs


def memberships_of(*, actor, person: Person) -> QuerySet[Membership]:
    """A person's full membership history, as far as the actor's scope reaches."""
    return scoped(Membership.objects.select_related("union", "transferred_from__union"), actor).filter(
        person=person).order_by("created_at", "id")


def current_membership(person: Person) -> Membership | None:
    return person.memberships.filter(status__in=ACTIVE_STATUSES).select_related("union").first()


def live_member_for(actor, person: Person, *, refused: str = "", field: str = "person") -> Membership:
    """The live membership of ``person``, whom staff put forward or act for (an enrolment, a nomination, an
    application filed on their behalf), refused unless the actor may change that union. Scope comes first: of
    someone outside the actor's unions nothing is said, not even that they are not a member (``refused`` ends
    the "not a member" message: "，不能报名")."""
    m = Membership.objects.select_related("union").filter(person=person, status=MembershipStatus.MEMBER).first()
    refusal = f"{person.name}不在您的管理范围内"  # the same words either way: they tell nothing
    if m is None:
        require(actor, "change", person.org.path, refusal)
        raise ServiceError(f"{person.name}不是在册会员{refused}", field=field, code="not_member")
    require(actor, "change", m.union.path, refusal)
    return m


def current_memberships(people) -> dict[int, Membership]:
    """Live memberships of people already read through a scoped selector (one query for a page of them)."""
    return {m.person_id: m for m in Membership.objects.filter(
        person__in=list(people), status__in=ACTIVE_STATUSES).select_related("union")}


def person_to_change(*, actor, who: str) -> Person:
    """The one person a full ID number, mobile or member number names, among those the actor may change — how a
    console form takes "which member" (a name alone is never enough: two people share it). Refused in Chinese
    at the field ``who`` otherwise."""
    who = (who or "").strip()
    person = None if not who or is_name_search(who) else person_list(actor=actor, q=who, action="change").first()
    if person is None:
        raise ServiceError("在您管理的范围内没有找到此人，请输入完整的身份证号、手机号或会员证号", field="who")
    return person
