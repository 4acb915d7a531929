"""Member portal JSON API (/api/v1/portal/) for the WeChat front end: member API tokens and the member's own
summary. Signing in itself stays on the H5 page (SMS code or WeChat, ``/m/login/``); a member signed in there
asks ``POST /token`` for a 2-hour bearer token (see :mod:`lianxin.portal.tokens`), and ``POST /logout``
refuses every token of that member from then on (and ends the session the request carries, if any).

Auth: a member token (``Authorization: Bearer …``) or the session (with CSRF). A refused token is a 401 with a
Chinese message; a request with neither is a 401 too.
"""

from __future__ import annotations

from django.contrib.auth import logout as end_session
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from lianxin.core.api_errors import WRITE, answers
from lianxin.core.errors import PermissionDenied

from . import services, tokens


def _sign_in_first(request):
    """Last in the auth chain: neither a token nor a session. A Chinese 401 instead of ninja's English one."""
    raise HttpError(401, "请先登录")


router = Router(auth=[tokens.MemberBearer(), django_auth, _sign_in_first], tags=["会员门户"])


class MemberTokenOut(Schema):
    token: str
    expires_in: int


class LogoutOut(Schema):
    detail: str


class MeOut(Schema):
    name: str
    mobile: str
    member: bool
    union: str | None = None
    member_no: str | None = None


@router.post("/token", response=answers(MemberTokenOut, *WRITE), auth=[django_auth, _sign_in_first])
def issue_token(request):
    """A bearer token for the signed-in member. Only from a session: a token cannot renew itself, so a stolen
    one dies within TTL even if never revoked. Staff accounts get none (it would bypass their second
    factor)."""
    user = request.user
    if user.is_staff or user.is_superuser:
        raise PermissionDenied("工作人员账号不能获取会员令牌")
    return {"token": tokens.issue(user), "expires_in": tokens.TTL}


@router.post("/logout", response=answers(LogoutOut, *WRITE))
def logout(request):
    """Sign out: every member token of this user is refused from now on (all devices), and the session this
    request came with, if any, ends."""
    services.revoke_member_tokens(actor=request.user, user=request.user)
    end_session(request)
    return {"detail": "已退出登录，此前获取的令牌均已失效"}


@router.get("/me", response=answers(MeOut))
def me(request):
    """Who the token (or session) stands for, masked, and their current membership if any."""
    person = getattr(request.user, "person", None)
    membership = services.current_membership(person)
    return {"name": person.name if person else request.user.display_name,
            "mobile": person.mobile_masked if person else "", "member": membership is not None,
            "union": membership.union.name if membership else None,
            "member_no": membership.member_no if membership else None}
