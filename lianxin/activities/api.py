"""Activities JSON API (/api/v1/activities/), used by the WeChat front end and the load benchmark.

Authentication: the browser session (with CSRF, as everywhere) or a short-lived signed member token
(``Authorization: Bearer …``) obtained from ``POST /api/v1/activities/token`` by a signed-in member. The token is
a TimestampSigner value over the user id, so verifying it costs one primary-key lookup and no session row.

Staff endpoints (``/{activity_id}/signups/{signup_id}/cancel``) take the staff session only, like the rest of
the staff API (the second factor is enforced for it by accounts.otp.StaffOTPMiddleware); a member token is
not accepted there (401) and a member's session is refused (403).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from lianxin.accounts.models import User
from lianxin.core.api_errors import WRITE, answers
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import scope_for
from lianxin.members.models import Membership, MembershipStatus, Person
from lianxin.orgs.models import Organization
from lianxin.portal import tokens as member_tokens
from lianxin.portal.models import MemberTokenGeneration

from . import selectors, services
from .services import instance_from_row

TOKEN_TTL = member_tokens.TTL


def member_token(user) -> str:
    return member_tokens.issue(user)


class MemberToken(HttpBearer):
    def authenticate(self, request, token):
        claims = member_tokens.parse(token)
        if claims is None:
            raise HttpError(401, member_tokens.REFUSED)
        m, password, generation = load_member(claims.user_id)
        if m is not None:
            if not member_tokens.accepts(claims, password=password, generation=generation):
                raise HttpError(401, member_tokens.REFUSED)
            user = m.person.user
            user._lianxin_member = (m.person, m)
        else:
            user = member_tokens.authenticate(token)
            if user is None:
                raise HttpError(401, member_tokens.REFUSED)
        request.user = user
        return user


_PERSON_COLS = ("id", "name", "gender", "birth_date", "is_migrant", "is_frontline", "is_model_worker", "org_id")
_MEMBER_SQL: str | None = None


def load_member(user_pk: int) -> tuple[Membership | None, str, int | None]:
    """The hot path of a sign-up burst: the user, their person and live membership (with its union) in one
    statement, as model instances wired together, so the services need not fetch them again. Written as SQL
    once because compiling the equivalent four-table ORM query costs more than running it; it reads only the
    columns eligibility needs (the rest load on first use, like ``only()``)."""
    global _MEMBER_SQL
    if _MEMBER_SQL is None:
        t = {m: m._meta.db_table for m in (Membership, Person, User, Organization)}
        _MEMBER_SQL = (
            "SELECT m.id, m.member_no, o.id, o.name, o.path, "
            + ", ".join(f"p.{c}" for c in _PERSON_COLS)
            + ", u.id, u.username, u.display_name, u.is_superuser, u.password, g.generation "
            f"FROM {t[Membership]} m JOIN {t[Person]} p ON p.id = m.person_id "
            f"JOIN {t[User]} u ON u.person_id = p.id JOIN {t[Organization]} o ON o.id = m.union_id "
            f"LEFT JOIN {MemberTokenGeneration._meta.db_table} g ON g.user_id = u.id "
            "WHERE u.id = %s AND u.is_active AND NOT u.is_staff AND NOT u.is_superuser AND m.status = %s LIMIT 1")
    with connection.cursor() as cur:
        cur.execute(_MEMBER_SQL, [user_pk, MembershipStatus.MEMBER.value])
        row = cur.fetchone()
    if row is None:
        return None, "", None
    union = instance_from_row(Organization, dict(zip(("id", "name", "path"), row[2:5])))
    person = instance_from_row(Person, dict(zip(_PERSON_COLS, row[5:13])))
    user = instance_from_row(User, {**dict(zip(("id", "username", "display_name", "is_superuser"), row[13:17])),
                                    "is_active": True, "person_id": person.pk})
    m = instance_from_row(Membership, {"id": row[0], "status": MembershipStatus.MEMBER.value, "member_no": row[1],
                                       "union_id": union.pk, "person_id": person.pk})
    m.union, m.person, user.person = union, person, person
    return m, row[17], row[18]


router = Router(auth=[MemberToken(), django_auth], tags=["activities"])


class TokenOut(Schema):
    token: str
    expires_in: int


class ActivityOut(Schema):
    id: int
    title: str
    venue: str
    org: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    places_left: int
    waitlist_size: int
    waitlisted: int


class SignupOut(Schema):
    id: int
    activity_id: int
    status: str


@router.post("/token", response=answers(TokenOut, *WRITE), auth=django_auth)
def issue_token(request):
    return {"token": member_token(request.user), "expires_in": TOKEN_TTL}


@router.get("/", response=answers(list[ActivityOut], 400))
def list_activities(request, month: str = ""):
    person, membership = services.member_of(request.user)
    if month:  # one calendar month, else everything not yet over
        qs = selectors.member_activities(person, membership, month=selectors.parse_month(month))
    else:
        qs = selectors.member_activities(person, membership, upcoming=True)
    return [{"id": a.pk, "title": a.title, "venue": a.venue, "org": a.org.name, "starts_at": a.starts_at,
             "ends_at": a.ends_at, "capacity": a.capacity, "places_left": a.places_left,
             "waitlist_size": a.waitlist_size, "waitlisted": a.waitlisted} for a in qs[:200]]


@router.post("/{int:activity_id}/signup", response=answers(SignupOut, *WRITE, 404))
def signup(request, activity_id: int):
    s = services.sign_up(actor=request.user, activity_id=activity_id)
    return {"id": s.pk, "activity_id": s.activity_id, "status": s.status}


@router.post("/signups/{int:signup_id}/cancel", response=answers(SignupOut, *WRITE, 404))
def cancel(request, signup_id: int):
    s = services.cancel_signup(actor=request.user, signup_id=signup_id)
    return {"id": s.pk, "activity_id": s.activity_id, "status": s.status}


# ---------------------------------------------------------------- staff


class StaffCancelIn(Schema):
    reason: str = ""


class StaffCancelOut(Schema):
    id: int
    activity_id: int
    person_name: str
    status: str
    cancelled_at: dt.datetime
    promoted_signup_id: int | None = None
    promoted_person_name: str | None = None


@router.post("/{int:activity_id}/signups/{int:signup_id}/cancel", auth=django_auth,
             response=answers(StaffCancelOut, *WRITE, 404, 422))
def staff_cancel(request, activity_id: int, signup_id: int, payload: StaffCancelIn | None = None):
    """Cancel a member's sign-up with a reason (2–200 characters), as the console's 取消报名 does and through
    the same service (``services.staff_cancel_signup``): administrators over the organising organisation
    only; the place goes to the first waitlisted member; the member is told the reason in-app; audited.
    404 for an activity outside the caller's subtree or a sign-up not of this activity, 403 for a role that
    may not change it (viewers, reviewers, auditors) and for a member's session, 400 for the rule refusals
    (no reason, already cancelled or checked in, activity started)."""
    if not scope_for(request.user).is_staff:
        raise PermissionDenied("仅限工作人员操作")
    a = selectors.staff_activity(actor=request.user, pk=activity_id, action="change")
    try:
        s = services.staff_cancel_signup(actor=request.user, signup_id=signup_id, activity_id=a.pk,
                                         reason=payload.reason if payload else "")
    except ServiceError as e:
        if e.code == "not_found":
            return Status(404, e.as_dict())
        raise
    promoted = s.promoted
    return {"id": s.pk, "activity_id": s.activity_id, "person_name": s.person.name, "status": s.status,
            "cancelled_at": s.cancelled_at, "promoted_signup_id": promoted.pk if promoted else None,
            "promoted_person_name": promoted.person.name if promoted else None}
