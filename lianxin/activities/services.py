"""Every write to activities and sign-ups.

Sign-up and cancellation are built so the limits hold with many app processes on one PostgreSQL:

* a place is taken by ``UPDATE activity SET taken = taken + 1 WHERE id = %s AND taken < capacity`` — the
  row lock of that UPDATE serialises competitors only for the instant before commit, and a CHECK constraint
  backs it up;
* the sign-up row is inserted *before* that UPDATE, so the partial UNIQUE index refuses a second live sign-up
  by the same member and the activity row is locked for as short a time as possible;
* the monthly limit is one upsert on a (person, month) counter whose ``WHERE count < limit`` refuses the
  N+1-th sign-up, however the requests interleave;
* cancelling locks the activity row first (then sign-up rows), the same order everywhere, and promotes the
  earliest waitlisted member in the same transaction, so a freed place is never lost nor given twice. A member
  withdrawing and staff cancelling a member's sign-up share that one path (``_withdraw``).

Check-in at the door: the member's QR code is a signed sign-up id with its issue time, accepted for
``checkin_code_ttl()`` (LIANXIN_CHECKIN_CODE_MINUTES) and only inside the activity's check-in window
(``checkin_opens_before()``, LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE, before the start until the end); attendance is marked once by a conditional UPDATE (``checked_in_at IS NULL``).

Member sign-ups are not written to the audit log on purpose: they are the member's own act, not a staff
decision, and one global audit chain lock per sign-up would serialise a whole district's burst.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import require
from lianxin.members.models import Membership, MembershipStatus, Person
from lianxin.members.services import tell_person
from lianxin.orgs.models import Organization, OrgKind

from .models import Activity, MonthlyTally, Signup

CHECKIN_SALT = "lianxin.activities.checkin"
CHECKIN_EXPIRED = "签到码已过期，请会员刷新手机上的活动页面后重新出示"
EDITABLE = ("title", "summary", "venue", "starts_at", "ends_at", "signup_opens_at", "signup_closes_at",
            "capacity", "waitlist_size", "monthly_limit", *Activity.FLAG_FIELDS)
NO_LIMIT = 1_000_000
ACTIVITY_HOT_FIELDS = ("id", "title", "status", "starts_at", "signup_opens_at", "signup_closes_at", "capacity",
                       "taken", "waitlist_size", "waitlisted", "monthly_limit", *Activity.FLAG_FIELDS)
ORG_HOT_FIELDS = ("id", "name", "path", "kind", "parent_id")
_ACTIVITY_SQL: str | None = None


# ---------------------------------------------------------------- staff: publishing

def _clean(fields: dict, *, current: Activity | None = None) -> dict:
    fields = {k: v for k, v in fields.items() if k in EDITABLE}
    merged = {k: getattr(current, k) for k in EDITABLE} if current else {}
    merged.update(fields)
    title = (merged.get("title") or "").strip()
    if not title:
        raise ServiceError("活动名称不能为空", field="title")
    if len(title) > 100:
        raise ServiceError("活动名称不能超过100字", field="title")
    if not (merged.get("venue") or "").strip():
        raise ServiceError("请填写活动地点", field="venue")
    for f, label in (("starts_at", "开始时间"), ("ends_at", "结束时间"), ("signup_opens_at", "报名开始时间"),
                     ("signup_closes_at", "报名截止时间")):
        if not isinstance(merged.get(f), dt.datetime):
            raise ServiceError(f"请填写{label}", field=f)
    if merged["ends_at"] < merged["starts_at"]:
        raise ServiceError("结束时间不能早于开始时间", field="ends_at")
    if merged["signup_closes_at"] <= merged["signup_opens_at"]:
        raise ServiceError("报名截止时间必须晚于报名开始时间", field="signup_closes_at")
    if merged["signup_closes_at"] > merged["ends_at"]:
        raise ServiceError("报名截止时间不能晚于活动结束时间", field="signup_closes_at")
    cap = merged.get("capacity")
    if not isinstance(cap, int) or cap < 1 or cap > 100_000:
        raise ServiceError("名额须为 1–100000 的整数", field="capacity")
    wl = merged.get("waitlist_size") or 0
    if not isinstance(wl, int) or wl < 0 or wl > 100_000:
        raise ServiceError("候补名额须为 0–100000 的整数", field="waitlist_size")
    lim = merged.get("monthly_limit")
    if lim is not None and (not isinstance(lim, int) or lim < 1 or lim > 100):
        raise ServiceError("每月报名上限须为 1–100 的整数，或留空", field="monthly_limit")
    if current is not None:
        if cap < current.taken:
            raise ServiceError(f"名额不能少于已报名人数（{current.taken}）", field="capacity")
        if wl < current.waitlisted:
            raise ServiceError(f"候补名额不能少于候补人数（{current.waitlisted}）", field="waitlist_size")
    fields["title"] = title
    if "venue" in fields:
        fields["venue"] = fields["venue"].strip()
    fields["waitlist_size"] = wl
    return fields


@transaction.atomic
def create_activity(*, actor, org, publish: bool = False, **fields) -> Activity:
    require(actor, "change", org.path, "该组织不在您的管理范围内，不能以其名义发布活动")
    fields = _clean(fields)
    if SIDE_BODIES.get(org.kind):
        fields[SIDE_BODIES[org.kind]] = True
    a = Activity(org=org, created_by=actor if getattr(actor, "pk", None) else None, **fields)
    a.status = Activity.Status.PUBLISHED if publish else Activity.Status.DRAFT
    a.save()
    audit.record(actor=actor, action="activity.create", obj=a, org_path=org.path,
                 detail={"title": a.title, "capacity": a.capacity, "status": a.status})
    return a


@transaction.atomic
def update_activity(*, actor, activity: Activity, **fields) -> Activity:
    a = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    require(actor, "change", a.org.path)
    if a.status == Activity.Status.CANCELLED:
        raise ServiceError("活动已取消，不能修改")
    fields = _clean(fields, current=a)
    before = {k: str(getattr(a, k)) for k in fields}
    for k, v in fields.items():
        setattr(a, k, v)
    a.save()
    audit.record(actor=actor, action="activity.update", obj=a, org_path=a.org.path,
                 detail={"before": before, "after": {k: str(getattr(a, k)) for k in fields}})
    return a


@transaction.atomic
def publish_activity(*, actor, activity: Activity) -> Activity:
    a = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    require(actor, "change", a.org.path)
    if a.status != Activity.Status.DRAFT:
        raise ServiceError("只有草稿可以发布")
    a.status = Activity.Status.PUBLISHED
    a.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="activity.publish", obj=a, org_path=a.org.path)
    return a


@transaction.atomic
def cancel_activity(*, actor, activity: Activity, reason: str) -> Activity:
    """Call the whole activity off: every live sign-up is cancelled and the members are told in-app."""
    a = Activity.objects.select_for_update().select_related("org").get(pk=activity.pk)
    require(actor, "change", a.org.path)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写取消原因", field="reason")
    if a.status == Activity.Status.CANCELLED:
        raise ServiceError("活动已取消")
    now = timezone.now()
    live = list(Signup.objects.select_for_update(of=("self",)).filter(activity=a, status__in=Signup.LIVE)
                .select_related("person__user"))
    for s in live:
        _release_tally(s)
        _tell(s.person, a, template="activity_cancelled", title=f"活动取消：{a.title}",
              body=f"您报名的活动“{a.title}”已取消。原因：{reason}", key=f"activity-cancel:{s.pk}")
    Signup.objects.filter(pk__in=[s.pk for s in live]).update(status=Signup.Status.CANCELLED, cancelled_at=now)
    a.status, a.taken, a.waitlisted = Activity.Status.CANCELLED, 0, 0
    a.save(update_fields=["status", "taken", "waitlisted", "updated_at"])
    audit.record(actor=actor, action="activity.cancel", obj=a, org_path=a.org.path, reason=reason,
                 detail={"signups_cancelled": len(live)})
    return a


# ---------------------------------------------------------------- members: sign-up and cancel

def member_of(user) -> tuple[Person, Membership]:
    """The signed-in member's person and live membership, or a Chinese refusal."""
    cached = getattr(user, "_lianxin_member", None)  # set by the API's token check, which loads it in one join
    if cached is not None:
        return cached
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    if person is None:
        raise ServiceError("请先登录并绑定会员身份", code="not_member")
    m = (Membership.objects.select_related("union")
         .filter(person=person, status=MembershipStatus.MEMBER).first())
    if m is None:
        raise ServiceError("只有在册会员可以报名活动，请先申请入会", code="not_member")
    return person, m


def eligibility_problem(activity: Activity, person: Person, membership: Membership) -> str:
    """Why this member is outside the activity's audience ('' when inside)."""
    root = audience_root(activity.org)
    if not membership.union.path.startswith(root.path):
        return f"本活动仅面向{root.name}所属会员"
    checks = (("for_women", person.is_woman, "女职工"), ("for_youth", person.is_youth, "青年职工（35岁及以下）"),
              ("for_migrant", person.is_migrant, "农民工"), ("for_frontline", person.is_frontline, "一线职工"),
              ("for_model_workers", person.is_model_worker, "劳模"))
    for flag, holds, label in checks:
        if getattr(activity, flag) and not holds:
            return f"本活动仅限{label}报名"
    return ""


# A women's committee, youth league or party branch has no members of its own in the union tree: its
# activities are for the members of the union it sits in (narrowed by its flag, set on create).
SIDE_BODIES = {OrgKind.YOUTH: "for_youth", OrgKind.WOMEN: "for_women", OrgKind.PARTY: None}


def audience_root(org):
    return org.parent if org.kind in SIDE_BODIES and org.parent_id else org


def activity_month(activity: Activity) -> dt.date:
    return timezone.localtime(activity.starts_at).date().replace(day=1)


def _take_monthly_slot(person_id: int, month: dt.date, limit: int | None) -> bool:
    """One statement: create the (person, month) counter at 1, or raise it by one while below the limit.
    Returns False when the limit is reached. Works on PostgreSQL and SQLite (both have ON CONFLICT ... WHERE)."""
    table = MonthlyTally._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (person_id, month, count) VALUES (%s, %s, 1) "
            f"ON CONFLICT (person_id, month) DO UPDATE SET count = {table}.count + 1 "
            f"WHERE {table}.count < %s RETURNING count",
            [person_id, connection.ops.adapt_datefield_value(month), limit or NO_LIMIT],
        )
        return cur.fetchone() is not None


def _release_tally(s: Signup) -> None:
    MonthlyTally.objects.filter(person_id=s.person_id, month=s.month, count__gt=0).update(count=F("count") - 1)


def instance_from_row(model, values: dict):
    """A model instance from some of its columns (attname -> value), the others deferred — what the ORM's
    ``only()`` builds. ``from_db`` wants the values in the model's field order."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[n] for n in names])


def _aware(value):
    # PostgreSQL returns aware datetimes; SQLite's raw rows are naive UTC.
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return value.replace(tzinfo=dt.UTC)
    return value


def _activity_for_signup(activity_id, person_id: int) -> Activity | None:
    """The activity, its organiser and whether this member already holds a live sign-up, in one statement —
    the read every request of a sign-up burst makes. Hand-written once (compiling the ORM equivalent with its
    EXISTS costs more than running it); only the columns the checks use are loaded."""
    global _ACTIVITY_SQL
    try:
        activity_id = int(activity_id)
    except (TypeError, ValueError):
        return None
    if not 0 < activity_id < 2**63:  # no such row; and the driver would refuse a number past bigint
        return None
    if _ACTIVITY_SQL is None:
        a_t, o_t, s_t = Activity._meta.db_table, Organization._meta.db_table, Signup._meta.db_table
        _ACTIVITY_SQL = (
            "SELECT " + ", ".join(f"a.{Activity._meta.get_field(f).column}" for f in ACTIVITY_HOT_FIELDS) + ", "
            + ", ".join(f"o.{c}" for c in ORG_HOT_FIELDS)
            + f", EXISTS (SELECT 1 FROM {s_t} s WHERE s.activity_id = a.id AND s.person_id = %s "
            "AND s.status IN (%s, %s)) "
            f"FROM {a_t} a JOIN {o_t} o ON o.id = a.org_id WHERE a.id = %s")
    with connection.cursor() as cur:
        cur.execute(_ACTIVITY_SQL, [person_id, *[str(x) for x in Signup.LIVE], activity_id])
        row = cur.fetchone()
    if row is None:
        return None
    n = len(ACTIVITY_HOT_FIELDS)
    org = instance_from_row(Organization, dict(zip(ORG_HOT_FIELDS, row[n:n + len(ORG_HOT_FIELDS)])))
    a = instance_from_row(Activity, {**dict(zip(ACTIVITY_HOT_FIELDS, map(_aware, row[:n]))), "org_id": org.pk})
    a.org = org
    a.mine = bool(row[-1])
    return a


def sign_up(*, actor, activity_id) -> Signup:
    """Sign the member up: a confirmed place while any is left, else a waitlist place while any is left,
    else "名额已满". Concurrent requests never exceed capacity nor create a second live sign-up."""
    person, membership = member_of(actor)
    activity = _activity_for_signup(activity_id, person.pk)
    if activity is None or activity.status != Activity.Status.PUBLISHED:
        raise ServiceError("活动不存在或尚未发布", code="not_found")
    if activity.mine:
        raise ServiceError("您已报名该活动", code="duplicate")
    problem = eligibility_problem(activity, person, membership)
    if problem:
        raise ServiceError(problem, code="not_eligible")
    now = timezone.now()
    if now < activity.signup_opens_at:
        raise ServiceError(f"报名将于 {timezone.localtime(activity.signup_opens_at):%m月%d日 %H:%M} 开始",
                           code="not_open")
    if now >= activity.signup_closes_at:
        raise ServiceError("报名已截止", code="closed")
    # A cheap early "full" from the row just read; the conditional UPDATE below is what actually decides.
    if activity.taken >= activity.capacity and activity.waitlisted >= activity.waitlist_size:
        raise ServiceError("名额已满", code="full")
    month = activity_month(activity)
    try:
        with transaction.atomic():
            if not _take_monthly_slot(person.pk, month, activity.monthly_limit):
                raise ServiceError(f"本月报名已达上限（每人每月最多 {activity.monthly_limit} 项活动）",
                                   code="monthly_limit")
            s = Signup.objects.create(activity_id=activity.pk, person=person, union_id=membership.union_id,
                                      status=Signup.Status.CONFIRMED, month=month)
            if Activity.objects.filter(pk=activity.pk, taken__lt=F("capacity")).update(taken=F("taken") + 1):
                return s
            if activity.waitlist_size and Activity.objects.filter(
                    pk=activity.pk, waitlisted__lt=F("waitlist_size")).update(waitlisted=F("waitlisted") + 1):
                Signup.objects.filter(pk=s.pk).update(status=Signup.Status.WAITLISTED)
                s.status = Signup.Status.WAITLISTED
                return s
            raise ServiceError("名额已满", code="full")
    except IntegrityError as e:
        if "signup_one_live_per_member" in str(e) or "UNIQUE" in str(e):
            raise ServiceError("您已报名该活动", code="duplicate") from None
        raise


def _tell(person: Person, activity, *, template: str, title: str, body: str, key: str) -> None:
    """An in-app message about ``activity`` (named in the context, so the member's 我的消息 links to it); a
    member with no portal account (signed up by staff) gets it as a text instead, when a mobile is on file."""
    user = getattr(person, "user", None)
    tell_person(person, user_id=user.pk if user is not None and user.is_active else None, template=template,
                title=title, body=body, key=key, context={"activity": activity.pk}, sms="fallback")


def _lock_for_cancel(signup_id, **owner) -> tuple[Activity, Signup]:
    """The sign-up and its activity, locked for a cancellation. Lock order everywhere: the activity row, then
    sign-up rows (cancel_activity, sign-up's conditional UPDATE and both cancellations agree, so they queue
    instead of deadlocking). ``owner`` narrows the lookup (the member's own, or one activity's)."""
    found = Signup.objects.filter(pk=signup_id, **owner).values_list("activity_id", flat=True).first()
    if found is None:
        raise ServiceError("未找到该报名", code="not_found")
    a = Activity.objects.select_for_update(of=("self",)).select_related("org").get(pk=found)
    s = Signup.objects.select_for_update(of=("self",)).select_related("person__user").get(pk=signup_id)
    return a, s


def _withdraw(a: Activity, s: Signup) -> Signup | None:
    """Cancel a live sign-up whose activity and own row the caller holds locked, and pass its place on: a
    confirmed place goes to the earliest waitlisted member (told in-app), else back to the pool; a waitlist
    place is returned. The one path for a member's own cancellation and a staff cancellation, so the quota
    arithmetic lives in one place. Returns the promoted sign-up, if any."""
    if s.status not in Signup.LIVE:
        raise ServiceError("该报名已取消", code="cancelled")
    if s.checked_in_at is not None:
        raise ServiceError("该会员已签到，不能取消报名", code="checked_in")
    now = timezone.now()
    if now >= a.starts_at:
        raise ServiceError("活动已开始，不能取消报名", code="started")
    was = s.status
    s.status, s.cancelled_at = Signup.Status.CANCELLED, now
    s.save(update_fields=["status", "cancelled_at"])
    _release_tally(s)
    if was == Signup.Status.WAITLISTED:
        Activity.objects.filter(pk=a.pk).update(waitlisted=F("waitlisted") - 1)
        return None
    nxt = (Signup.objects.select_for_update(of=("self",)).select_related("person__user")
           .filter(activity=a, status=Signup.Status.WAITLISTED).order_by("id").first())
    if nxt is None:
        Activity.objects.filter(pk=a.pk).update(taken=F("taken") - 1)
        return None
    Signup.objects.filter(pk=nxt.pk).update(status=Signup.Status.CONFIRMED, promoted_at=now)
    nxt.status, nxt.promoted_at = Signup.Status.CONFIRMED, now
    Activity.objects.filter(pk=a.pk).update(waitlisted=F("waitlisted") - 1)
    _tell(nxt.person, a, template="activity_promoted", title=f"候补成功：{a.title}",
          body=f"有会员取消报名，您已从候补转为正式报名“{a.title}”。"
               f"时间：{timezone.localtime(a.starts_at):%m月%d日 %H:%M}，地点：{a.venue}",
          key=f"activity-promote:{nxt.pk}")
    return nxt


@transaction.atomic
def cancel_signup(*, actor, signup_id) -> Signup:
    """The member withdraws. A confirmed place goes to the earliest waitlisted member in the same transaction
    (who is told in-app); with nobody waiting the place is returned."""
    person = getattr(actor, "person", None)
    if person is None:
        raise ServiceError("请先登录", code="not_member")
    a, s = _lock_for_cancel(signup_id, person=person)
    _withdraw(a, s)
    return s


def _cancel_reason(reason) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写取消原因", field="reason", code="reason")
    if len(reason) > 200:
        raise ServiceError("取消原因不能超过200字", field="reason", code="reason")
    return reason


def _staff_cancel(actor, a: Activity, s: Signup, reason: str) -> Signup:
    """Cancel one sign-up whose activity and row the caller holds locked; tell the member, audit it."""
    was = s.status
    promoted = _withdraw(a, s)
    _tell(s.person, a, template="activity_signup_cancelled", title=f"报名已取消：{a.title}",
          body=f"工作人员取消了您对活动“{a.title}”的报名。原因：{reason}", key=f"activity-staff-cancel:{s.pk}")
    audit.record(actor=actor, action="activity.signup_cancel", obj=s, org_path=a.org.path, reason=reason,
                 detail={"activity": a.pk, "person": s.person_id, "union": s.union_id, "was": was,
                         "promoted_signup": promoted.pk if promoted else None})
    s.promoted = promoted
    return s


BULK_CANCEL_MAX = 200


@transaction.atomic
def staff_cancel_signups(*, actor, activity_id, signup_ids, reason: str) -> list[Signup]:
    """Staff cancel several sign-ups of one activity at once, with one reason — all or none: a sign-up already
    cancelled or checked in, or one not of this activity, refuses the whole batch naming the member, and nothing
    changes. Lock order as everywhere (the activity row, then the sign-up rows, by id). Waitlisted ones are
    cancelled first, so a confirmed place freed by the batch never passes to someone the same batch cancels (who
    would be told 候补成功 and then 已取消). Each cancellation is the single one's (``_withdraw``, the member told,
    one audit entry each)."""
    reason = _cancel_reason(reason)
    try:
        ids = sorted({int(i) for i in signup_ids})
    except (TypeError, ValueError):
        raise ServiceError("请选择要取消的报名", field="signups", code="none") from None
    if not ids:
        raise ServiceError("请选择要取消的报名", field="signups", code="none")
    if len(ids) > BULK_CANCEL_MAX:
        raise ServiceError(f"一次最多取消 {BULK_CANCEL_MAX} 条报名", field="signups", code="too_many")
    a = Activity.objects.select_for_update(of=("self",)).select_related("org").filter(pk=activity_id).first()
    if a is None:
        raise ServiceError("未找到该活动", code="not_found")
    require(actor, "change", a.org.path, "该活动不在您的管理范围内，不能取消其报名")
    rows = list(Signup.objects.select_for_update(of=("self",)).select_related("person__user")
                .filter(activity=a, pk__in=ids).order_by("id"))
    if len(rows) != len(ids):
        raise ServiceError("所选报名中有不属于本活动的记录，请刷新页面后重试", field="signups", code="not_found")
    for s in rows:
        if s.status not in Signup.LIVE:
            raise ServiceError(f"{s.person.name}的报名已取消，请取消勾选后重试", field="signups", code="cancelled")
        if s.checked_in_at is not None:
            raise ServiceError(f"{s.person.name}已签到，不能取消报名", field="signups", code="checked_in")
    rows.sort(key=lambda s: (s.status != Signup.Status.WAITLISTED, s.pk))
    return [_staff_cancel(actor, a, s, reason) for s in rows]


@transaction.atomic
def staff_cancel_signup(*, actor, signup_id, reason: str, activity_id=None) -> Signup:
    """Staff cancel a member's sign-up (a duplicate registration, a member who called to withdraw, someone
    outside the intended audience). Only administrators over the organising organisation may: the place
    belongs to the organiser's quota, whoever the member's union is. The place is freed and the waitlist
    promoted exactly as when the member cancels (``_withdraw``); the member is told why in-app and the act
    is audited with the reason. ``.promoted`` on the result is the sign-up that took the place, if any."""
    reason = _cancel_reason(reason)
    owner = {"activity_id": activity_id} if activity_id is not None else {}
    a, s = _lock_for_cancel(signup_id, **owner)
    require(actor, "change", a.org.path, "该活动不在您的管理范围内，不能取消其报名")
    return _staff_cancel(actor, a, s, reason)


# ---------------------------------------------------------------- check-in at the door

def checkin_code_ttl() -> int:
    """Seconds a check-in QR code is accepted after it was shown: settings.LIANXIN_CHECKIN_CODE_MINUTES
    (default 30), read at each scan so a deployment (or a test) sets it without a code change."""
    return int(settings.LIANXIN_CHECKIN_CODE_MINUTES) * 60


def checkin_opens_before() -> dt.timedelta:
    """How long before the start the door opens: settings.LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE (default 120),
    read at each use like :func:`checkin_code_ttl`."""
    return dt.timedelta(minutes=int(settings.LIANXIN_CHECKIN_OPENS_MINUTES_BEFORE))


def checkin_window(activity: Activity) -> tuple[dt.datetime, dt.datetime]:
    """When the door accepts check-ins: from :func:`checkin_opens_before` before the start (people queue
    early) until the activity ends. Read from the activity as it is at scan time, so a rescheduled activity
    moves its window too."""
    return activity.starts_at - checkin_opens_before(), activity.ends_at


def checkin_open(activity: Activity, now: dt.datetime | None = None) -> bool:
    opens, closes = checkin_window(activity)
    return opens <= (now or timezone.now()) <= closes


def checkin_token(signup: Signup) -> str:
    """What the member's QR code holds: the sign-up id and the time it was issued, signed (TimestampSigner).
    The door accepts it for :func:`checkin_code_ttl` only, so a screenshot taken earlier or forwarded to someone
    else soon stops working; the member's page shows the code only while the check-in window is open and
    reloads itself well within the TTL, so the code on the phone is always fresh."""
    return signing.TimestampSigner(salt=CHECKIN_SALT).sign(str(signup.pk))


def _read_checkin_token(token: str) -> tuple[int | None, str]:
    """(sign-up id, "") for a valid fresh token, else (None, the refusal)."""
    token = (token or "").strip()
    try:
        return int(signing.TimestampSigner(salt=CHECKIN_SALT).unsign(token, max_age=checkin_code_ttl())), ""
    except signing.SignatureExpired:
        return None, CHECKIN_EXPIRED
    except (signing.BadSignature, ValueError):
        pass
    try:  # a code from before codes carried their issue time (an old screenshot): expired, not forged
        int(signing.Signer(salt=CHECKIN_SALT).unsign(token))
        return None, CHECKIN_EXPIRED
    except (signing.BadSignature, ValueError):
        return None, "无效的签到码"


@dataclass
class CheckIn:
    ok: bool
    message: str
    name: str = ""
    union: str = ""
    activity: str = ""


@transaction.atomic
def check_in(*, actor, token: str, activity_id=None) -> CheckIn:
    """Verify a scanned sign-up token and mark attendance once. Shows only name and union. Refuses, with the
    reason in Chinese: a forged or expired code, a code for another activity, a scan outside the check-in
    window, a waitlisted or cancelled sign-up, and a second check-in (the conditional UPDATE decides that)."""
    pk, problem = _read_checkin_token(token)
    if pk is None:
        return CheckIn(False, problem)
    s = Signup.objects.select_related("activity__org", "person", "union").filter(pk=pk).first()
    if s is None:
        return CheckIn(False, "无效的签到码")
    require(actor, "review", s.activity.org.path, "该活动不在您的管理范围内")
    a = s.activity
    base = dict(name=s.person.name, union=s.union.name, activity=a.title)
    if activity_id and str(s.activity_id) != str(activity_id):
        return CheckIn(False, f"该签到码属于其他活动（{a.title}）", **base)
    now = timezone.now()
    opens, closes = checkin_window(a)
    if now < opens:
        return CheckIn(False, f"签到尚未开始，{timezone.localtime(opens):%m月%d日 %H:%M} 起可签到", **base)
    if now > closes:
        return CheckIn(False, "活动已结束，签到已关闭", **base)
    if s.status == Signup.Status.WAITLISTED:
        return CheckIn(False, "该会员仍在候补，未获得名额", **base)
    if s.status != Signup.Status.CONFIRMED:
        return CheckIn(False, "该报名已取消", **base)
    done = Signup.objects.filter(pk=s.pk, status=Signup.Status.CONFIRMED, checked_in_at__isnull=True).update(
        checked_in_at=now, checked_in_by=actor if getattr(actor, "pk", None) else None)
    if not done:
        # Either checked in already, or cancelled by staff between our read and the UPDATE.
        if Signup.objects.filter(pk=s.pk, status=Signup.Status.CONFIRMED).exists():
            return CheckIn(False, "已签到过，请勿重复签到", **base)
        return CheckIn(False, "该报名已取消", **base)
    return CheckIn(True, "签到成功", **base)
