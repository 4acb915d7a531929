"""Activities JSON API (/api/v1/activities/), used by the WeChat front end and the load benchmark.

Authentication: the browser session (with CSRF, as everywhere) or a short-lived signed member token
(``Authorization: Bearer …``) obtained from ``POST /api/v1/activities/token`` by a signed-in member. The token is
a TimestampSigner value over the user id, so verifying it costs one primary-key lookup and no session row.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from ninja import Router, Schema
from ninja.security import HttpBearer, django_auth

from lianxin.accounts.models import User
from lianxin.members.models import Membership, MembershipStatus

from . import selectors, services

TOKEN_SALT = "lianxin.activities.api-token"
TOKEN_TTL = 2 * 3600


def member_token(user) -> str:
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(str(user.pk))


class MemberToken(HttpBearer):
    def authenticate(self, request, token):
        try:
            pk = int(signing.TimestampSigner(salt=TOKEN_SALT).unsign(token, max_age=TOKEN_TTL))
        except (signing.BadSignature, ValueError):
            return None
        # Members (the hot path of a sign-up burst): user, person and live membership in one join, handed
        # to the services so they need not fetch them again.
        m = next(iter(Membership.objects.select_related("union", "person", "person__user")
                      .filter(person__user__pk=pk, person__user__is_active=True, status=MembershipStatus.MEMBER)
                      .only(*HOT_FIELDS).order_by()[:1]), None)
        if m is not None:
            user = m.person.user
            user._lianxin_member = (m.person, m)
        else:
            user = User.objects.select_related("person").filter(pk=pk, is_active=True).first()
        if user is not None:
            request.user = user
        return user


# What the sign-up path reads of the member (eligibility needs the flags, gender and birth date); fewer
# columns make the one join cheaper to build and to load. Anything else is loaded on first use.
HOT_FIELDS = ("id", "status", "member_no", "union__id", "union__name", "union__path",
              "person__id", "person__name", "person__gender", "person__birth_date", "person__is_migrant",
              "person__is_frontline", "person__is_model_worker", "person__org_id",
              "person__user__id", "person__user__username", "person__user__is_active",
              "person__user__is_superuser", "person__user__person_id", "person__user__display_name")

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


class Error(Schema):
    detail: str
    field: str | None = None
    code: str = "invalid"


@router.post("/token", response=TokenOut, auth=django_auth)
def issue_token(request):
    return {"token": member_token(request.user), "expires_in": TOKEN_TTL}


@router.get("/", response=list[ActivityOut])
def list_activities(request, month: str = ""):
    person, membership = services.member_of(request.user)
    if month:  # one calendar month, else everything not yet over
        qs = selectors.member_activities(person, membership, month=selectors.parse_month(month))
    else:
        qs = selectors.member_activities(person, membership, upcoming=True)
    return [{"id": a.pk, "title": a.title, "venue": a.venue, "org": a.org.name, "starts_at": a.starts_at,
             "ends_at": a.ends_at, "capacity": a.capacity, "places_left": a.places_left,
             "waitlist_size": a.waitlist_size, "waitlisted": a.waitlisted} for a in qs[:200]]


@router.post("/{int:activity_id}/signup", response={200: SignupOut, 400: Error})
def signup(request, activity_id: int):
    s = services.sign_up(actor=request.user, activity_id=activity_id)
    return {"id": s.pk, "activity_id": s.activity_id, "status": s.status}


@router.post("/signups/{int:signup_id}/cancel", response={200: SignupOut, 400: Error})
def cancel(request, signup_id: int):
    s = services.cancel_signup(actor=request.user, signup_id=signup_id)
    return {"id": s.pk, "activity_id": s.activity_id, "status": s.status}
