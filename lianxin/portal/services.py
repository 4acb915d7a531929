"""Every write of the member portal: SMS sign-in, WeChat binding, member cards. (Correcting one's own data
is the workflow programme ``profile_correction``.)

SMS sign-in rules (all state in database rows, so they hold across app processes and servers):
* a code lives CODE_TTL, is stored only as an HMAC, and dies at first use or after MAX_GUESSES wrong tries;
* sending is limited per number (one per RESEND_SECONDS, SENDS_PER_NUMBER_HOUR an hour) and per client
  address (SENDS_PER_IP_HOUR), each by an atomic bucket upsert that refuses once the limit is reached;
* wrong codes are counted per number and per address in LOCK_WINDOW buckets; past the limit the number (or
  address) is locked until the window ends, even with a fresh code.
The reply to "send me a code" never says whether the number belongs to a member.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core import audit, crypto, notify
from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import parse_mobile
from lianxin.core.models import Notification
from lianxin.core.scoping import require, scope_for
from lianxin.members.models import ACTIVE_STATUSES, Membership, MembershipStatus, Person
from lianxin.members.services import mobile_bidx

from .models import MemberCard, RateBucket, SmsCode, WeChatIdentity

CODE_TTL = dt.timedelta(minutes=5)
RESEND_SECONDS = 60
SENDS_PER_NUMBER_HOUR = 5
SENDS_PER_IP_HOUR = 20
MAX_GUESSES = 5
LOCK_WINDOW = dt.timedelta(minutes=30)
FAILURES_PER_NUMBER = 10
FAILURES_PER_IP = 30
CARD_SALT = "lianxin.portal.card"
CARD_TTL = 600  # seconds a card QR stays valid; the card page refreshes itself well before


# ---------------------------------------------------------------- rate buckets

def _window(now: dt.datetime, size: dt.timedelta) -> dt.datetime:
    secs = int(size.total_seconds())
    return dt.datetime.fromtimestamp(int(now.timestamp()) // secs * secs, tz=dt.UTC)


def take(key: str, *, limit: int, per: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Count one event in the current window of ``per``; False (and nothing counted) once ``limit`` is reached.
    One atomic upsert: correct with any number of processes."""
    table = RateBucket._meta.db_table
    win = _window(now or timezone.now(), per)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (\"key\", \"window\", count) VALUES (%s, %s, 1) "
            f"ON CONFLICT (\"key\", \"window\") DO UPDATE SET count = {table}.count + 1 "
            f"WHERE {table}.count < %s RETURNING count",
            [key, connection.ops.adapt_datetimefield_value(win), limit],
        )
        return cur.fetchone() is not None


def count(key: str, *, per: dt.timedelta, now: dt.datetime | None = None) -> int:
    win = _window(now or timezone.now(), per)
    return RateBucket.objects.filter(key=key, window=win).values_list("count", flat=True).first() or 0


def prune_buckets(older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    return RateBucket.objects.filter(window__lt=timezone.now() - older_than).delete()[0]


def cleanup_sign_in(older_than: dt.timedelta = dt.timedelta(days=1)) -> dict:
    """Housekeeping (manage.py portal_cleanup, from cron): blank the outbox text of codes that expired unused,
    delete code rows and rate windows older than ``older_than``. Locks still in force are kept."""
    now = timezone.now()
    expired = list(SmsCode.objects.filter(expires_at__lte=now).values_list("pk", flat=True))
    _scrub_messages(expired)
    codes = SmsCode.objects.filter(created_at__lt=now - older_than).delete()[0]
    return {"scrubbed": len(expired), "codes_deleted": codes,
            "buckets_deleted": prune_buckets(max(older_than, LOCK_WINDOW))}


def _ip_hash(ip: str) -> str:
    return crypto.blind_index(ip or "-", context="portal.ip")[:32]


def _code_hash(bidx: str, code: str) -> str:
    key = hashlib.sha256(("lianxin.sms:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, f"{bidx}:{code}".encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- SMS sign-in

def request_sms_code(*, mobile: str, ip: str) -> None:
    """Send a fresh sign-in code through the outbox (console adapter by default)."""
    phone = parse_mobile(mobile, field="手机号码")
    bidx, iph = mobile_bidx(phone), _ip_hash(ip)
    now = timezone.now()
    if _locked(bidx, iph, now):
        raise ServiceError("验证失败次数过多，请稍后再试", field="mobile", code="locked")
    with transaction.atomic():
        if not take(f"sms:gap:{bidx}", limit=1, per=dt.timedelta(seconds=RESEND_SECONDS), now=now):
            raise ServiceError(f"发送过于频繁，请 {RESEND_SECONDS} 秒后再试", field="mobile", code="throttled")
        if not take(f"sms:hour:{bidx}", limit=SENDS_PER_NUMBER_HOUR, per=dt.timedelta(hours=1), now=now):
            raise ServiceError("该号码本小时获取验证码次数已达上限", field="mobile", code="throttled")
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


def _locked(bidx: str, iph: str, now) -> bool:
    return (count(f"smsfail:n:{bidx}", per=LOCK_WINDOW, now=now) >= FAILURES_PER_NUMBER
            or count(f"smsfail:ip:{iph}", per=LOCK_WINDOW, now=now) >= FAILURES_PER_IP)


def _fail(bidx: str, iph: str, now) -> None:
    take(f"smsfail:n:{bidx}", limit=10**6, per=LOCK_WINDOW, now=now)
    take(f"smsfail:ip:{iph}", limit=10**6, per=LOCK_WINDOW, now=now)


def verify_sms_code(*, mobile: str, code: str, ip: str) -> User:
    """Check the code; on success return the member's user (created on first sign-in)."""
    phone = parse_mobile(mobile, field="手机号码")
    bidx, iph = mobile_bidx(phone), _ip_hash(ip)
    now = timezone.now()
    if _locked(bidx, iph, now):
        raise ServiceError("验证失败次数过多，已暂时锁定，请30分钟后再试", field="code", code="locked")
    code = (code or "").strip()
    problem = ""
    with transaction.atomic():
        c = (SmsCode.objects.select_for_update()
             .filter(mobile_bidx=bidx, used_at__isnull=True, expires_at__gt=now).order_by("-id").first())
        if c is None:
            problem = "验证码已失效，请重新获取"
        elif not (len(code) == 6 and code.isdigit() and hmac.compare_digest(_code_hash(bidx, code), c.code_hash)):
            c.attempts += 1
            if c.attempts >= MAX_GUESSES:
                c.used_at = now
                problem = "验证码错误次数过多，请重新获取"
            else:
                problem = f"验证码不正确（还可尝试 {MAX_GUESSES - c.attempts} 次）"
            c.save(update_fields=["attempts", "used_at"])
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
