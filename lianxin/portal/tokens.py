"""Member API tokens: ``Authorization: Bearer …`` for the WeChat front end, issued to a member signed in by
session (``POST /api/v1/portal/token``) and valid TTL seconds (2 h).

A token is a TimestampSigner value over ``"<user id>.<generation>.<password mark>"``. It is refused when:
* its signature or age is wrong (no database work at all);
* the user signed out since it was issued: sign-out raises the user's generation
  (``MemberTokenGeneration``, ``services.revoke_member_tokens``), which refuses *all* of that user's earlier
  tokens, on every device — a token does not name a device, and the H5 client signed in by session simply
  asks for a new one;
* the user's password changed since (the mark is an HMAC of the stored password hash, as Django's session
  auth hash is; members sign in by SMS and have an unusable password, so this bites when staff set one);
* the account was deactivated, or has become a staff account (staff need their second factor, which a
  bearer token would bypass, so staff never hold member tokens).

Nothing lives in a process: every app server reads the same row. The check is one indexed query — the user by
primary key joined to its generation row (and the person, which every member endpoint needs) — the same
query that loads ``request.user``, so revocation costs no extra query. An app with its own hand-written
user query (activities' sign-up hot path) can call :func:`parse` and :func:`accepts` and add
``u.password`` and the generation (LEFT JOIN on ``MemberTokenGeneration``) to its statement instead.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import F
from django.utils.crypto import salted_hmac
from ninja.errors import HttpError
from ninja.security import HttpBearer

from lianxin.accounts.models import User

from .models import MemberTokenGeneration

SALT = "lianxin.portal.member-token"
TTL = 2 * 3600
REFUSED = "登录已失效，请重新登录"


@dataclass(frozen=True)
class Claims:
    user_id: int
    generation: int
    mark: str


def password_mark(password_hash: str, secret=None) -> str:
    """A short HMAC of the stored password hash: changes whenever the password does, reveals nothing of it."""
    mac = salted_hmac(f"{SALT}.password", password_hash or "", secret=secret, algorithm="sha256")
    return mac.hexdigest()[:16]


def current_generation(user) -> int:
    return (MemberTokenGeneration.objects.filter(user_id=user.pk).values_list("generation", flat=True).first()
            or 0)


def issue(user) -> str:
    claims = f"{user.pk}.{current_generation(user)}.{password_mark(user.password)}"
    return signing.TimestampSigner(salt=SALT).sign(claims)


def parse(token: str) -> Claims | None:
    """The token's claims if its signature and age are good (no database work), else None."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign((token or "").strip(), max_age=TTL)
        uid, gen, mark = value.split(".")
        return Claims(int(uid), int(gen), mark)
    except (signing.BadSignature, ValueError):
        return None


def accepts(claims: Claims, *, password: str, generation: int | None) -> bool:
    """Whether the user's current state (password hash, token generation; None = no row = 0) still matches the
    token. The mark is checked under the current secret key and its fallbacks, like signed values are."""
    if claims.generation != (generation or 0):
        return False
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(claims.mark, password_mark(password, secret=s)) for s in secrets)


def authenticate(token: str) -> User | None:
    """The member a token stands for (with ``person`` loaded), or None when it is refused. One query."""
    claims = parse(token)
    if claims is None:
        return None
    user = (User.objects.select_related("person")
            .annotate(token_generation=F("member_token_generation__generation"))
            .filter(pk=claims.user_id, is_active=True, is_staff=False, is_superuser=False).first())
    if user is None or not accepts(claims, password=user.password, generation=user.token_generation):
        return None
    return user


class MemberBearer(HttpBearer):
    """django-ninja auth for ``Authorization: Bearer <member token>``. A token that is sent but refused
    (forged, expired, revoked) is answered 401 with a Chinese message at once, not passed on to the session
    check, so the client learns to drop it and sign in again."""

    def authenticate(self, request, token):
        user = authenticate(token)
        if user is None:
            raise HttpError(401, REFUSED)
        request.user = user
        return user
