"""Every write of the member portal: SMS sign-in, WeChat binding, member cards, revoking member API tokens, marking
one's messages read. (Correcting one's own data is the workflow programme ``profile_correction``.)

SMS sign-in rules (all state in database rows, so they hold across app processes and servers):
* a code lives CODE_TTL, is stored only as an HMAC, and dies at first use or after MAX_GUESSES wrong tries;
* sending is limited per number (one per RESEND_SECONDS, SENDS_PER_NUMBER_HOUR an hour) and per client
  address (SENDS_PER_IP_HOUR), each a sliding limit (:func:`take`): it holds over every period of that length,
  so a burst around a clock boundary cannot double it;
* wrong codes are counted per number and per address; once FAILURES_PER_NUMBER (FAILURES_PER_IP) fall within
  the last LOCK_WINDOW the number (address) is locked, even with a fresh code, until enough of them age out.
The reply to "send me a code" never says whether the number belongs to a member.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core import audit, crypto, notify
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.idnumbers import parse_mobile
from lianxin.core.models import Notification
from lianxin.core.scoping import require, scope_for
from lianxin.members.models import ACTIVE_STATUSES, Membership, MembershipStatus, Person
from lianxin.members.services import mobile_bidx

from .models import MemberCard, MemberTokenGeneration, RateEvent, SmsCode, WeChatIdentity

CODE_TTL = dt.timedelta(minutes=5)
RESEND_SECONDS = 60
SENDS_PER_NUMBER_HOUR = 5
SENDS_PER_IP_HOUR = 20
MAX_GUESSES = 5
LOCK_WINDOW = dt.timedelta(minutes=30)
FAILURES_PER_NUMBER = 10
FAILURES_PER_IP = 30
LONGEST_LIMIT = max(dt.timedelta(hours=1), LOCK_WINDOW)  # rate events older than this count for nothing
CARD_SALT = "lianxin.portal.card"
CARD_TTL = 600  # seconds a card QR stays valid; the card page refreshes itself well before


# ---------------------------------------------------------------- rate limits (sliding log)

def _serialise(key: str) -> None:
    """Make the takers of one key wait for each other until the current transaction ends, so the count and
    the insert of :func:`take` agree across processes and servers. PostgreSQL: a transaction-level advisory
    lock on a 64-bit hash of the key (a collision only makes two keys queue together; nothing is held in a
    process). SQLite has one writer at a time and runs take's conditional insert as a single write, so a
    second taker either sees the first one's row or fails with "database is locked"; it never counts past
    the limit."""
    if connection.vendor == "postgresql":
        digest = hashlib.blake2b(f"lianxin.rate:{key}".encode(), digest_size=8).digest()
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])


def take(key: str, *, limit: int, per: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Count one event under ``key`` unless ``limit`` events already fall within the last ``per``; False, and
    nothing counted, once the limit is reached. Sliding, so "5 an hour" holds for every hour, including one
    that straddles a clock hour (a fixed window let 5 at 12:59 and 5 more at 13:00 through). Runs inside the
    caller's transaction (or its own): a refused or rolled-back request counts nothing."""
    now = now or timezone.now()
    table = RateEvent._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic():
        _serialise(key)
        with connection.cursor() as cur:
            cur.execute(
                f'INSERT INTO {table} ("key", at) SELECT %s, %s '
                f'WHERE (SELECT count(*) FROM {table} WHERE "key" = %s AND at > %s) < %s RETURNING id',
                [key, adapt(now), key, adapt(now - per), limit],
            )
            return cur.fetchone() is not None


def record(key: str, *, now: dt.datetime | None = None) -> None:
    """Count an event with no limit of its own (a wrong code); :func:`wait_seconds` decides what it locks."""
    RateEvent.objects.create(key=key, at=now or timezone.now())


def count(key: str, *, per: dt.timedelta, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return RateEvent.objects.filter(key=key, at__gt=now - per).count()


def wait_seconds(key: str, *, limit: int, per: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Seconds until ``key`` is under ``limit`` again (0 when it already is): the moment the ``limit``-th most
    recent event leaves the last ``per``. One indexed query, reading at most ``limit`` rows."""
    now = now or timezone.now()
    recent = list(RateEvent.objects.filter(key=key, at__gt=now - per).order_by("-at")
                  .values_list("at", flat=True)[:limit])
    if len(recent) < limit:
        return 0
    return max(1, math.ceil((recent[-1] + per - now).total_seconds()))


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def prune_events(older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete events older than ``older_than`` (never less than the longest limit's period)."""
    older_than = max(older_than, LONGEST_LIMIT)
    return RateEvent.objects.filter(at__lt=timezone.now() - older_than).delete()[0]


def cleanup_sign_in(older_than: dt.timedelta = dt.timedelta(days=1)) -> dict:
    """Housekeeping (manage.py portal_cleanup, from cron): blank the outbox text of codes that expired unused,
    delete code rows and rate events older than ``older_than``. Locks still in force are kept."""
    now = timezone.now()
    expired = list(SmsCode.objects.filter(expires_at__lte=now).values_list("pk", flat=True))
    _scrub_messages(expired)
    codes = SmsCode.objects.filter(created_at__lt=now - older_than).delete()[0]
    return {"scrubbed": len(expired), "codes_deleted": codes, "events_deleted": prune_events(older_than)}


def _ip_hash(ip: str) -> str:
    return crypto.blind_index(ip or "-", context="portal.ip")[:32]


def _code_hash(bidx: str, code: str) -> str:
    key = hashlib.sha256(("lianxin.sms:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, f"{bidx}:{code}".encode(), hashlib.sha256).hexdigest()


def take_number_send(bidx: str, *, now: dt.datetime) -> None:
    """Count one code SMS to the number with blind index ``bidx`` against its limits (one per RESEND_SECONDS,
    SENDS_PER_NUMBER_HOUR an hour), or refuse in Chinese. Shared by every code sent to a mobile (member sign-in,
    a staff member's reminder number), so a number cannot be flooded by switching between them. Call inside the
    sending transaction."""
    gap, hour = dt.timedelta(seconds=RESEND_SECONDS), dt.timedelta(hours=1)
    if not take(f"sms:gap:{bidx}", limit=1, per=gap, now=now):
        wait = wait_seconds(f"sms:gap:{bidx}", limit=1, per=gap, now=now)
        raise ServiceError(f"发送过于频繁，请 {wait or 1} 秒后再试", field="mobile", code="throttled")
    if not take(f"sms:hour:{bidx}", limit=SENDS_PER_NUMBER_HOUR, per=hour, now=now):
        wait = wait_seconds(f"sms:hour:{bidx}", limit=SENDS_PER_NUMBER_HOUR, per=hour, now=now)
        raise ServiceError(f"该号码一小时内获取验证码次数已达上限，请 {_minutes(wait)} 分钟后再试",
                           field="mobile", code="throttled")


def spend_guess(code_row, *, max_guesses: int, now: dt.datetime) -> str:
    """Record a wrong guess at a one-time code (a locked row with ``attempts`` and ``used_at``): the code dies at
    ``max_guesses``. Returns the Chinese message for the person."""
    code_row.attempts += 1
    if code_row.attempts >= max_guesses:
        code_row.used_at = now
        problem = "验证码错误次数过多，请重新获取"
    else:
        problem = f"验证码不正确（还可尝试 {max_guesses - code_row.attempts} 次）"
    code_row.save(update_fields=["attempts", "used_at"])
    return problem


# ---------------------------------------------------------------- SMS sign-in

def request_sms_code(*, mobile: str, ip: str) -> None:
    """Send a fresh sign-in code through the outbox (console adapter by default)."""
    phone = parse_mobile(mobile, field="手机号码")
    bidx, iph = mobile_bidx(phone), _ip_hash(ip)
    now = timezone.now()
    if wait := _locked(bidx, iph, now):
        raise ServiceError(f"验证失败次数过多，请 {_minutes(wait)} 分钟后再试", field="mobile", code="locked")
    with transaction.atomic():
        take_number_send(bidx, now=now)
        if not take(f"sms:ip:{iph}", limit=SENDS_PER_IP_HOUR, per=dt.timedelta(hours=1), now=now):
            raise ServiceError("本网络获取验证码过于频繁，请稍后再试", field="mobile", code="throttled")
        code = f"{secrets.randbelow(1_000_000):06d}"
        # Older unused codes die: only the latest one works.
        old = list(SmsCode.objects.filter(mobile_bidx=bidx, used_at__isnull=True).values_list("pk", flat=True))
        SmsCode.objects.filter(pk__in=old).update(used_at=now)
        _scrub_messages(old)
        c = SmsCode.objects.create(mobile_bidx=bidx, code_hash=_code_hash(bidx, code), ip_hash=iph,
                                   expires_at=now + CODE_TTL)
        notify.enqueue(channel="sms", recipient=phone, template="login_code", title="登录验证码",
                       body=f"【连心】您的登录验证码是 {code}，5分钟内有效。如非本人操作请忽略。",
                       dedupe_key=f"sms-login:{c.pk}")


def _scrub_messages(code_ids) -> None:
    """The outbox keeps an SMS's text until the provider has it; once a code is dead (used, superseded or
    guessed out) its text is blanked, so the plain code does not stay at rest beside its hash."""
    if code_ids:
        Notification.objects.filter(dedupe_key__in=[f"sms-login:{pk}" for pk in code_ids]).update(
            body="【连心】登录验证码（已失效）")


def _locked(bidx: str, iph: str, now) -> int:
    """Seconds the number or the address stays locked (0: not locked). Two indexed queries."""
    return max(wait_seconds(f"smsfail:n:{bidx}", limit=FAILURES_PER_NUMBER, per=LOCK_WINDOW, now=now),
               wait_seconds(f"smsfail:ip:{iph}", limit=FAILURES_PER_IP, per=LOCK_WINDOW, now=now))


def _fail(bidx: str, iph: str, now) -> None:
    """Count a wrong code. Not itself limited: a locked number or address is refused before it guesses, so
    each key gathers at most its limit (plus guesses already in flight) per LOCK_WINDOW. Guesses at one code are
    serialised by its row lock and capped at MAX_GUESSES, so requests in flight add little."""
    record(f"smsfail:n:{bidx}", now=now)
    record(f"smsfail:ip:{iph}", now=now)


def verify_sms_code(*, mobile: str, code: str, ip: str) -> User:
    """Check the code; on success return the member's user (created on first sign-in)."""
    phone = parse_mobile(mobile, field="手机号码")
    bidx, iph = mobile_bidx(phone), _ip_hash(ip)
    now = timezone.now()
    if wait := _locked(bidx, iph, now):
        raise ServiceError(f"验证失败次数过多，已暂时锁定，请 {_minutes(wait)} 分钟后再试", field="code", code="locked")
    code = (code or "").strip()
    problem = ""
    with transaction.atomic():
        c = (SmsCode.objects.select_for_update()
             .filter(mobile_bidx=bidx, used_at__isnull=True, expires_at__gt=now).order_by("-id").first())
        if c is None:
            problem = "验证码已失效，请重新获取"
        elif not (len(code) == 6 and code.isdigit() and hmac.compare_digest(_code_hash(bidx, code), c.code_hash)):
            problem = spend_guess(c, max_guesses=MAX_GUESSES, now=now)
        else:
            c.used_at = now
            c.save(update_fields=["used_at"])
        if c is not None and c.used_at is not None:
            _scrub_messages([c.pk])
        if problem:
            _fail(bidx, iph, now)
    if problem:
        raise ServiceError(problem, field="code", code="bad_code")
    return user_for_mobile(phone)


def find_person(bidx: str) -> Person | None:
    """The person holding this mobile: a current member first, else the newest record."""
    people = list(Person.objects.filter(mobile_bidx=bidx).order_by("-id")[:5])
    if not people:
        return None
    members = set(Membership.objects.filter(person__in=people, status__in=ACTIVE_STATUSES)
                  .values_list("person_id", flat=True))
    return next((p for p in people if p.pk in members), people[0])


@transaction.atomic
def user_for_mobile(phone: str) -> User:
    """The portal user for a proven mobile. Linked to the Person with that mobile when there is one; a worker
    not yet on any roster still gets a user (person None) so they can apply to join."""
    bidx = mobile_bidx(phone)
    person = find_person(bidx)
    username = f"m_{bidx[:32]}"
    if person is not None:
        linked = User.objects.filter(person=person).first()
        if linked is not None:
            return linked
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=person.name if person else "",
                    person=person)
        user.set_unusable_password()
        user.save()
    elif user.person_id is None and person is not None:
        user.person, user.display_name = person, person.name
        user.save(update_fields=["person", "display_name"])
    return user


# ---------------------------------------------------------------- WeChat binding

@transaction.atomic
def bind_wechat(*, user: User, openid: str) -> WeChatIdentity:
    ident, created = WeChatIdentity.objects.get_or_create(openid=openid, defaults={"user": user})
    if not created and ident.user_id != user.pk:
        ident.user = user
        ident.save(update_fields=["user"])
    return ident


def user_for_openid(openid: str) -> User | None:
    ident = WeChatIdentity.objects.select_related("user").filter(openid=openid).first()
    return ident.user if ident and ident.user.is_active else None


# ---------------------------------------------------------------- member card

def current_membership(person: Person | None) -> Membership | None:
    if person is None:
        return None
    return (Membership.objects.select_related("union").filter(person=person, status=MembershipStatus.MEMBER)
            .first())


def card_version(membership: Membership) -> int:
    return MemberCard.objects.filter(membership=membership).values_list("version", flat=True).first() or 1


def card_token(membership: Membership) -> str:
    """Signed (membership id, card version) with a timestamp; valid CARD_TTL seconds."""
    return signing.TimestampSigner(salt=CARD_SALT).sign(f"{membership.pk}.{card_version(membership)}")


@transaction.atomic
def reissue_card(*, actor, membership: Membership) -> int:
    """Void every card QR issued so far (lost phone, leaked screenshot). The member may do it for their own
    card; staff with change rights in the union may do it for any of theirs."""
    own = getattr(actor, "person_id", None) == membership.person_id
    if not own:
        require(actor, "change", membership.union.path)
    MemberCard.objects.get_or_create(membership=membership)
    MemberCard.objects.filter(membership=membership).update(version=F("version") + 1, reissued_at=timezone.now())
    if not own:
        audit.record(actor=actor, action="card.reissue", obj=membership, org_path=membership.union.path)
    return card_version(membership)


@dataclass
class CardCheck:
    status: str  # valid / expired / revoked / not_member / invalid
    message: str
    name: str = ""
    union: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "valid"


def verify_card(*, actor, token: str) -> CardCheck:
    """What a staff scanner learns from a card QR: the verdict, and for a genuine card only name and union."""
    if not scope_for(actor).is_staff:
        raise ServiceError("仅工作人员可以核验会员卡", code="forbidden")
    token = (token or "").strip()
    signer = signing.TimestampSigner(salt=CARD_SALT)
    try:
        value = signer.unsign(token, max_age=CARD_TTL)
        expired = False
    except signing.SignatureExpired:
        value, expired = signer.unsign(token), True
    except signing.BadSignature:
        return CardCheck("invalid", "无效的会员卡二维码")
    try:
        mid, version = (int(x) for x in value.split("."))
    except ValueError:
        return CardCheck("invalid", "无效的会员卡二维码")
    m = Membership.objects.select_related("person", "union").filter(pk=mid).first()
    if m is None:
        return CardCheck("invalid", "无效的会员卡二维码")
    who = dict(name=m.person.name, union=m.union.name)
    if m.status == MembershipStatus.LEFT:
        return CardCheck("not_member", "非在册会员（已退会）", **who)
    if m.status == MembershipStatus.TRANSFERRED:
        return CardCheck("revoked", "会员卡已作废（会籍已转移，请出示新卡）", **who)
    if m.status != MembershipStatus.MEMBER:
        return CardCheck("not_member", "非在册会员", **who)
    if version != card_version(m):
        return CardCheck("revoked", "会员卡已作废（已重新生成），请刷新后重新出示", **who)
    if expired:
        return CardCheck("expired", "二维码已过期，请会员刷新会员卡页面", **who)
    return CardCheck("valid", "有效会员", **who)


# ---------------------------------------------------------------- member API tokens

def revoke_member_tokens(*, actor, user) -> int:
    """Sign-out: refuse every member API token of ``user`` issued so far (see ``lianxin.portal.tokens``). It
    raises the user's token generation in one upsert, so all of the user's tokens die together, on every
    device and every app server; a device still signed in by session simply fetches a new token. Password
    changes and deactivation need no call here: the token check reads them from the same row. Returns the new
    generation."""
    if getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied("只能注销本人的登录令牌")
    table = MemberTokenGeneration._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (user_id, generation, revoked_at) VALUES (%s, 1, %s) "
            f"ON CONFLICT (user_id) DO UPDATE SET generation = {table}.generation + 1, "
            f"revoked_at = EXCLUDED.revoked_at RETURNING generation",
            [user.pk, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return cur.fetchone()[0]


# ---------------------------------------------------------------- 我的消息

def mark_read(user, notification: Notification) -> bool:
    """Mark one of the member's own in-app messages read (opening it). Only ``read_at`` changes, once."""
    if notification.user_id != user.pk or notification.channel != Notification.Channel.INAPP:
        raise PermissionDenied("只能查看自己的消息")
    return bool(Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now()))


def mark_all_read(user) -> int:
    """全部标为已读: the member's unread in-app messages; returns how many."""
    return notify.unread(user).update(read_at=timezone.now())
