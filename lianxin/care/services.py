"""Every write of 女职工与留守关爱 (see :mod:`lianxin.care.models` for the rules the database holds).

=========================  ==========================  ===================================================
who                        service                     held by
=========================  ==========================  ===================================================
organiser (管理员)          :func:`create_campaign`     CHECKs on places/remaining/ages/times
organiser (管理员)          :func:`set_share`           campaign row lock; UNIQUE(campaign, union); CHECK
                                                       ``taken <= places``
woman member               :func:`sign_up`             partial UNIQUE(campaign, person); conditional UPDATE
                                                       of the campaign's ``remaining``, then of the share's
                                                       ``taken``, under their CHECKs
member                     :func:`withdraw`            campaign row lock, then the sign-up's
organiser (管理员)          :func:`mark_signup`         sign-up row lock
organiser (管理员)          :func:`cancel_campaign`     campaign row lock
organiser (管理员)          :func:`create_class`        CHECKs
organiser (管理员)          :func:`update_campaign`,    the campaign's (class's) row lock; remaining =
                           :func:`update_class`        places − taken; CHECKs
member (guardian)          :func:`enrol_child`         partial UNIQUE(class, child's blind index);
                                                       conditional UPDATE of the class's ``remaining``
guardian                   :func:`cancel_enrolment`    class row lock, then the enrolment's
organiser (管理员)          :func:`mark_attendance`     UNIQUE(enrolment, day), enrolment row lock
base union (管理员)         :func:`register_room`,      ``Room.union`` unique (one room per base union);
                           :func:`update_room`         CHECK on the area
street (审核员)             :func:`review_room`         room row lock
federation (审核员)         :func:`rate_room`           room row lock; ratings append-only, CHECK 1–3 stars
                                                       and a reason; stars only on an approved room (CHECK)
=========================  ==========================  ===================================================

Lock order, whoever writes: the campaign (or class) row, then a share row, then a sign-up (or enrolment) row.
``sign_up`` takes no lock up front: its conditional UPDATEs touch the campaign row and then the share row, last
in its transaction, in that same order, so it cannot deadlock with a withdrawal.

Staff steps are audited (``care.*``); the member's own acts (signing up, withdrawing, enrolling, cancelling) are
not, as with activity sign-ups. Who may sign up for a women's campaign is decided from the ID number as stored on
``Person`` (``gender``, ``birth_date``), never from what the member types.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from lianxin.core import audit, crypto, notify
from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import age_on, mask_id, mask_mobile, parse_id_number, parse_mobile
from lianxin.core.scoping import require
from lianxin.core.validation import check_schedule
from lianxin.members.models import Gender, Membership, MembershipStatus
from lianxin.members.services import id_bidx as member_id_bidx
from lianxin.orgs.models import STEP, Organization, OrgKind

from .models import (
    Attendance,
    Campaign,
    CampaignKind,
    CampaignShare,
    CampaignSignup,
    CareClass,
    Enrolment,
    Facility,
    Room,
    RoomRating,
)

C, S = Campaign.Status, CampaignSignup.Status
K, E = CareClass.Status, Enrolment.Status
ORGANISER_KINDS = (OrgKind.FEDERATION, OrgKind.STREET, OrgKind.JOINT, OrgKind.INDUSTRY, OrgKind.BASE)
CHILD_ID_CTX, GUARDIAN_MOBILE_CTX = "care.child_id", "care.guardian_mobile"


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def _person_of(actor):
    person = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    if person is None:
        raise ServiceError("请先登录并完成会员认证", code="not_member")
    return person


def _live_membership(person) -> Membership:
    m = (
        Membership.objects.select_related("union")
        .filter(person=person, status=MembershipStatus.MEMBER)
        .first()
    )
    if m is None:
        raise ServiceError("关爱服务面向在册会员，请先入会", code="not_member")
    return m


def _int(value, *, field: str, label: str, lo: int, hi: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(f"{label}应为整数", field=field) from None
    if not lo <= n <= hi:
        raise ServiceError(f"{label}应在 {lo} 至 {hi} 之间", field=field)
    return n


def _text(value, *, field: str, label: str, lo: int, hi: int, required: bool = True) -> str:
    s = (value or "").strip()
    if not s and not required:
        return ""
    if not lo <= len(s) <= hi:
        raise ServiceError(f"请填写{label}（{lo} 至 {hi} 个字）", field=field)
    return s


def _organiser(actor, org):
    require(actor, "change", org.path, "只能以您管理的工会发布")
    if org.kind not in ORGANISER_KINDS:
        raise ServiceError("由工会发布（总工会、街道、联合、行业或基层工会）", field="org")


# ---------------------------------------------------------------- 女职工关爱行动


@transaction.atomic
def create_campaign(
    *,
    actor,
    org,
    title,
    place,
    starts_at,
    ends_at,
    signup_deadline,
    places,
    kind=CampaignKind.SCREENING,
    min_age=18,
    max_age=65,
    description: str = "",
) -> Campaign:
    """A union in the actor's change scope publishes a campaign for the women members of its subtree (open for
    sign-up at once)."""
    _organiser(actor, org)
    if kind not in CampaignKind.values:
        raise ServiceError("请选择活动类别", field="kind")
    title = _text(title, field="title", label="活动名称", lo=4, hi=100)
    place = _text(place, field="place", label="地点", lo=2, hi=100)
    description = (description or "").strip()
    if len(description) > 2000:
        raise ServiceError("活动说明最多 2000 个字", field="description")
    now = timezone.now()
    check_schedule(
        starts_at=starts_at,
        ends_at=ends_at,
        signup_deadline=signup_deadline,
        now=now,
        longest=dt.timedelta(days=60),
        too_long="一次关爱行动最长 60 天",
    )
    n = _int(places, field="places", label="名额", lo=1, hi=100000)
    lo = _int(min_age, field="min_age", label="最低年龄", lo=16, hi=100)
    hi = _int(max_age, field="max_age", label="最高年龄", lo=16, hi=100)
    if lo > hi:
        raise ServiceError("最低年龄不能大于最高年龄", field="max_age")
    c = Campaign.objects.create(
        org=org,
        kind=kind,
        title=title,
        place=place,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        signup_deadline=signup_deadline,
        places=n,
        remaining=n,
        min_age=lo,
        max_age=hi,
        created_by=_uid(actor),
    )
    audit.record(
        actor=actor,
        action="care.campaign_create",
        obj=c,
        org_path=org.path,
        detail={"title": title, "places": n, "min_age": lo, "max_age": hi},
    )
    return c


def _lock_campaign(campaign) -> Campaign:
    return Campaign.objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)


CAMPAIGN_EDITABLE = (
    "title",
    "place",
    "description",
    "starts_at",
    "ends_at",
    "signup_deadline",
    "places",
    "min_age",
    "max_age",
)
CLASS_EDITABLE = (
    "title",
    "place",
    "description",
    "daily_hours",
    "starts_on",
    "ends_on",
    "signup_deadline",
    "places",
    "min_age",
    "max_age",
)


def _stamp(*values) -> str:
    return hashlib.sha256("|".join(str(v) for v in values).encode()).hexdigest()[:16]


def _ages(obj, min_age, max_age, *, lo, hi, labels, live: int) -> tuple[int, int]:
    a = _int(min_age, field="min_age", label=labels[0], lo=lo, hi=hi)
    b = _int(max_age, field="max_age", label=labels[1], lo=lo, hi=hi)
    if a > b:
        raise ServiceError(f"{labels[0]}不能大于{labels[1]}", field="max_age")
    if live and (a, b) != (obj.min_age, obj.max_age):
        raise ServiceError(f"已有 {live} 人报名，不能再调整年龄范围", field="min_age", code="ages_locked")
    return a, b


@transaction.atomic
def update_campaign(
    *,
    actor,
    campaign: Campaign,
    title,
    place,
    starts_at,
    ends_at,
    signup_deadline,
    places,
    min_age,
    max_age,
    description: str = "",
) -> Campaign:
    """修改关爱行动 (the organiser's 管理员, until it has ended; never once cancelled): text, times (checked by
    ``core.validation.check_schedule`` exactly as when publishing, and fixed once it has started), places (never
    below what is taken nor below the shares' total), the age range (only while nobody has signed up). Under the
    campaign row lock — a sign-up's conditional UPDATE holds the same row — ``remaining`` is recomputed as
    places − taken. The women signed up are told in-app of new times or place; audited before → after."""
    c = _lock_campaign(campaign)
    require(actor, "change", c.org.path, "只有活动组织单位的管理员可以修改活动")
    now = timezone.now()
    if c.status != C.OPEN:
        raise ServiceError("活动已取消，不能再修改", code="cancelled")
    if c.ends_at <= now:
        raise ServiceError("活动已结束，不能再修改", code="finished")
    data = dict(
        title=_text(title, field="title", label="活动名称", lo=4, hi=100),
        place=_text(place, field="place", label="地点", lo=2, hi=100),
        description=(description or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        signup_deadline=signup_deadline,
    )
    if len(data["description"]) > 2000:
        raise ServiceError("活动说明最多 2000 个字", field="description")
    times = ("starts_at", "ends_at", "signup_deadline")
    if any(data[f] != getattr(c, f) for f in times):
        if c.starts_at <= now:
            raise ServiceError("活动已开始，不能再调整时间", field="starts_at", code="started")
        check_schedule(
            starts_at=starts_at,
            ends_at=ends_at,
            signup_deadline=signup_deadline,
            now=now,
            longest=dt.timedelta(days=60),
            too_long="一次关爱行动最长 60 天",
        )
    taken = c.places - c.remaining
    n = _int(places, field="places", label="名额", lo=1, hi=100000)
    if n < taken:
        raise ServiceError(f"已报名 {taken} 人，名额不能少于已报名人数", field="places", code="below_taken")
    shared = shares_total(c)
    if n < shared:
        raise ServiceError(
            f"已给下级工会分配 {shared} 个名额，名额不能少于分配总数", field="places", code="below_shares"
        )
    data["places"] = n
    data["min_age"], data["max_age"] = _ages(
        c, min_age, max_age, lo=16, hi=100, labels=("最低年龄", "最高年龄"), live=taken
    )
    changes = {f: [getattr(c, f), data[f]] for f in CAMPAIGN_EDITABLE if getattr(c, f) != data[f]}
    if not changes:
        return c
    for f, (_, after) in changes.items():
        setattr(c, f, after)
    c.remaining = n - taken
    c.save(update_fields=[*changes, "remaining"])
    if {"starts_at", "ends_at", "place"} & changes.keys():
        when = f"{timezone.localtime(c.starts_at):%Y-%m-%d %H:%M} 至 {timezone.localtime(c.ends_at):%Y-%m-%d %H:%M}"
        notify.tell_members(
            CampaignSignup.objects.filter(campaign=c, status=S.SIGNED).select_related("person__user"),
            person_of=lambda s: s.person,
            template="care_campaign_change",
            title="关爱行动时间或地点有变动",
            body=f"您报名的“{c.title}”有变动：时间 {when}，地点 {c.place}。",
            key=f"care-campaign-change:{_stamp(c.starts_at, c.ends_at, c.place)}",
        )
    audit.record(
        actor=actor,
        action="care.campaign_update",
        obj=c,
        org_path=c.org.path,
        detail={
            "title": c.title,
            **{f: f"{_shown(b)} → {_shown(a)}" for f, (b, a) in changes.items()},
            "taken": taken,
        },
    )
    return c


def _shown(v) -> str:
    return f"{timezone.localtime(v):%Y-%m-%d %H:%M}" if isinstance(v, dt.datetime) else str(v)


@transaction.atomic
def set_share(*, actor, campaign: Campaign, union, places) -> CampaignShare:
    """分配名额: set (or change) the places a union of the organiser's subtree may take. Under the campaign's row
    lock: shares add up to at most the campaign's places, a share never below what its union has taken, and no
    share nested in another (each member's place comes from exactly one). Once anyone has signed up no union
    can be added, since sign-ups already made were not counted against it."""
    c = _lock_campaign(campaign)
    require(actor, "change", c.org.path, "只有活动组织单位的管理员可以分配名额")
    if c.status != C.OPEN or c.signup_deadline <= timezone.now():
        raise ServiceError("报名已截止或活动已取消，不能再分配名额", code="closed")
    if union is None or not union.path.startswith(c.org.path) or union.pk == c.org_id:
        raise ServiceError("只能把名额分配给组织单位的下级工会", field="union")
    n = _int(places, field="places", label="分配名额", lo=1, hi=c.places)
    shares = list(CampaignShare.objects.select_for_update().filter(campaign=c).select_related("union"))
    mine = next((s for s in shares if s.union_id == union.pk), None)
    if mine is None:
        if c.remaining != c.places:
            raise ServiceError("已有会员报名，不能再新增分配单位，可调整已分配单位的名额", code="started")
        for s in shares:
            if s.union.path.startswith(union.path) or union.path.startswith(s.union.path):
                raise ServiceError(
                    f"{union.name}与已分配名额的{s.union.name}是上下级，不能重复分配", field="union"
                )
    elif n < mine.taken:
        raise ServiceError(
            f"{union.name}已有 {mine.taken} 人报名，分配名额不能少于已报名人数", field="places"
        )
    total = sum(s.places for s in shares if s.pk != getattr(mine, "pk", None)) + n
    if total > c.places:
        raise ServiceError(f"各单位分配名额合计 {total} 个，超过活动总名额 {c.places} 个", field="places")
    before = mine.places if mine else 0
    if mine is None:
        mine = CampaignShare.objects.create(campaign=c, union=union, places=n)
    else:
        mine.places = n
        mine.save(update_fields=["places"])
    audit.record(
        actor=actor,
        action="care.share_set",
        obj=mine,
        org_path=c.org.path,
        detail={"campaign": c.pk, "union": union.name, "before": before, "after": n},
    )
    return mine


@transaction.atomic
def cancel_campaign(*, actor, campaign: Campaign, reason: str) -> Campaign:
    """取消 before the start: every live sign-up is withdrawn and the member told."""
    c = _lock_campaign(campaign)
    require(actor, "change", c.org.path, "只有活动组织单位的管理员可以取消")
    if c.status != C.OPEN:
        raise ServiceError("活动已取消", code="cancelled")
    if c.starts_at <= timezone.now():
        raise ServiceError("活动已开始，不能取消", code="started")
    reason = _text(reason, field="reason", label="取消原因", lo=2, hi=200)
    now = timezone.now()
    live = list(
        CampaignSignup.objects.select_for_update(of=("self",))
        .select_related("person__user")
        .filter(campaign=c, status=S.SIGNED)
    )
    CampaignSignup.objects.filter(pk__in=[s.pk for s in live]).update(status=S.WITHDRAWN, withdrawn_at=now)
    CampaignShare.objects.filter(campaign=c).update(taken=0)
    c.status, c.remaining = C.CANCELLED, c.places
    c.save(update_fields=["status", "remaining"])
    notify.tell_members(
        live,
        person_of=lambda s: s.person,
        template="care_campaign_cancelled",
        title="关爱行动已取消",
        body=f"您报名的“{c.title}”已取消：{reason}",
        key=f"care-campaign-cancel:{c.pk}",
    )
    audit.record(
        actor=actor,
        action="care.campaign_cancel",
        obj=c,
        org_path=c.org.path,
        reason=reason,
        detail={"title": c.title, "count": len(live)},
    )
    return c


def _ancestors_or_self(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def campaign_local_day(c: Campaign) -> dt.date:
    return timezone.localtime(c.starts_at).date()


def eligibility(person, campaign: Campaign) -> tuple[Membership, CampaignShare | None, int]:
    """Whether ``person`` may sign up for ``campaign`` (raises the Chinese reason): a live member whose union is
    in the organiser's subtree (and, when places are shared out, in a union that has a share), a woman by her ID
    number, of an age within the range on the day of the campaign. Returns the membership, the share her place
    comes from, and her age."""
    m = _live_membership(person)
    if not m.union.path.startswith(campaign.org.path):
        raise ServiceError(f"该活动面向{campaign.org.name}的会员", code="out_of_audience")
    if person.gender != Gender.FEMALE:
        raise ServiceError("该活动面向女职工（按身份证号登记的性别）", code="not_woman")
    age = age_on(person.birth_date, campaign_local_day(campaign))
    if not campaign.min_age <= age <= campaign.max_age:
        raise ServiceError(
            f"该活动面向 {campaign.min_age} 至 {campaign.max_age} 岁的女职工，您在活动当日 {age} 岁",
            code="age",
        )
    shares = list(
        CampaignShare.objects.filter(campaign=campaign, union__path__in=_ancestors_or_self(m.union.path))
    )
    if not shares and CampaignShare.objects.filter(campaign=campaign).exists():
        raise ServiceError("该活动的名额已分配到各单位，您所在工会未分到名额", code="no_share")
    return m, (shares[0] if shares else None), age


def _campaign_for_member(campaign_id) -> Campaign:
    try:
        pk = int(campaign_id)
    except (TypeError, ValueError):
        pk = 0
    c = Campaign.objects.select_related("org").filter(pk=pk).first() if 0 < pk < 2**63 else None
    if c is None:
        raise ServiceError("活动不存在", code="not_found")
    return c


def sign_up(*, actor, campaign_id) -> CampaignSignup:
    """A woman member of the organiser's subtree takes one place (and one of her union's share, if shared)."""
    person = _person_of(actor)
    c = _campaign_for_member(campaign_id)
    m, share, age = eligibility(person, c)
    now = timezone.now()
    try:
        with transaction.atomic():
            s = CampaignSignup.objects.create(campaign=c, person=person, union=m.union, share=share, age=age)
            # the place: taken only while one is left, the campaign is open and sign-up has not closed
            if not Campaign.objects.filter(
                pk=c.pk, remaining__gt=0, status=C.OPEN, signup_deadline__gt=now
            ).update(remaining=F("remaining") - 1):
                c.refresh_from_db(fields=["remaining", "status", "signup_deadline"])
                if c.status != C.OPEN:
                    raise ServiceError("该活动已取消", code="cancelled")
                if c.signup_deadline <= now:
                    raise ServiceError("报名已截止", code="closed")
                raise ServiceError(f"{c.places} 个名额已满", code="full")
            # the union's share, after the campaign's row (the lock order withdrawals also follow)
            if share is not None and not CampaignShare.objects.filter(
                pk=share.pk, taken__lt=F("places")
            ).update(taken=F("taken") + 1):
                raise ServiceError(f"分配给{share.union.name}的 {share.places} 个名额已满", code="share_full")
            return s
    except IntegrityError:
        raise ServiceError("您已报名该活动", code="duplicate") from None


@transaction.atomic
def withdraw(*, actor, campaign_id) -> CampaignSignup:
    """The member withdraws before the sign-up deadline; the place (and her union's share) goes back."""
    person = _person_of(actor)
    c = (
        Campaign.objects.select_for_update(of=("self",))
        .filter(pk=_campaign_for_member(campaign_id).pk)
        .first()
    )
    s = (
        CampaignSignup.objects.select_for_update(of=("self",))
        .filter(campaign=c, person=person, status=S.SIGNED)
        .first()
    )
    if s is None:
        raise ServiceError("您没有报名该活动", code="not_signed")
    if timezone.now() >= c.signup_deadline:
        raise ServiceError("报名已截止，不能在线退出，请联系组织单位", code="closed")
    s.status, s.withdrawn_at = S.WITHDRAWN, timezone.now()
    s.save(update_fields=["status", "withdrawn_at"])
    Campaign.objects.filter(pk=c.pk, remaining__lt=F("places")).update(remaining=F("remaining") + 1)
    if s.share_id:
        CampaignShare.objects.filter(pk=s.share_id, taken__gt=0).update(taken=F("taken") - 1)
    return s


@transaction.atomic
def mark_signup(*, actor, signup: CampaignSignup, attended: bool) -> CampaignSignup:
    """After the campaign has started the organiser records 已参加 or 未到 (a mark may be corrected; each is
    audited)."""
    s = (
        CampaignSignup.objects.select_for_update(of=("self",))
        .select_related("campaign__org", "person")
        .get(pk=signup.pk)
    )
    c = s.campaign
    require(actor, "change", c.org.path, "只有活动组织单位的管理员可以登记参加情况")
    if c.status != C.OPEN:
        raise ServiceError("活动已取消", code="cancelled")
    if timezone.now() < c.starts_at:
        raise ServiceError("活动开始后才能登记参加情况", code="not_started")
    if s.status == S.WITHDRAWN:
        raise ServiceError(f"{s.person.name}已退出该活动", code="withdrawn")
    new = S.ATTENDED if attended else S.ABSENT
    if s.status == new:
        raise ServiceError(f"{s.person.name}已登记为{s.get_status_display()}", code="marked")
    before = s.status
    s.status, s.marked_at, s.marked_by = new, timezone.now(), _uid(actor)
    s.save(update_fields=["status", "marked_at", "marked_by"])
    audit.record(
        actor=actor,
        action="care.signup_attended" if attended else "care.signup_absent",
        obj=s,
        org_path=c.org.path,
        detail={"campaign": c.pk, "person": s.person_id, "before": before, "after": new},
    )
    return s


def export_signups(*, actor, campaign: Campaign, rows):
    """报名名单 (xlsx, streamed): ID numbers and mobiles masked (DESIGN rule 2), cells defused (rule 8). Audited."""
    from lianxin.core.excel import XlsxStreamWriter

    header = ["序号", "姓名", "身份证号", "手机号码", "活动当日年龄", "所在工会", "报名时间", "状态"]
    with XlsxStreamWriter(header, sheet="报名名单", widths=[6, 10, 20, 14, 12, 28, 18, 8]) as w:
        for n, s in enumerate(rows.iterator(chunk_size=1000), start=1):
            w.row(
                [
                    n,
                    s.person.name,
                    s.person.id_masked,
                    s.person.mobile_masked,
                    s.age,
                    s.union.name,
                    timezone.localtime(s.signed_at).strftime("%Y-%m-%d %H:%M"),
                    s.get_status_display(),
                ]
            )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="care.signup_export",
            obj=campaign,
            org_path=campaign.org.path,
            detail={"title": campaign.title, "count": w.n - 1},
        )
    return w


# ---------------------------------------------------------------- 暑期爱心托管班


def _check_class_dates(*, starts_on, ends_on, signup_deadline) -> None:
    """A care class's days and sign-up deadline, when publishing and when editing."""
    for value, field, label in ((starts_on, "starts_on", "开班日期"), (ends_on, "ends_on", "结班日期")):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ServiceError(f"请填写{label}", field=field)
    if not isinstance(signup_deadline, dt.datetime):
        raise ServiceError("请填写报名截止", field="signup_deadline")
    today = timezone.localdate()
    if starts_on <= today:
        raise ServiceError("开班日期应晚于今天", field="starts_on")
    if ends_on < starts_on:
        raise ServiceError("结班日期不能早于开班日期", field="ends_on")
    if (ends_on - starts_on).days > 92:
        raise ServiceError("一期托管班最长 3 个月", field="ends_on")
    now = timezone.now()
    if not now < signup_deadline or timezone.localtime(signup_deadline).date() >= starts_on:
        raise ServiceError("报名截止应晚于现在、早于开班日期", field="signup_deadline")


@transaction.atomic
def create_class(
    *,
    actor,
    org,
    title,
    place,
    starts_on,
    ends_on,
    signup_deadline,
    places,
    min_age=6,
    max_age=12,
    daily_hours: str = "08:30-17:00",
    description: str = "",
) -> CareClass:
    _organiser(actor, org)
    title = _text(title, field="title", label="托管班名称", lo=4, hi=100)
    place = _text(place, field="place", label="托管地点", lo=2, hi=100)
    daily_hours = _text(daily_hours, field="daily_hours", label="每日托管时间", lo=2, hi=40)
    description = (description or "").strip()
    if len(description) > 2000:
        raise ServiceError("托管内容最多 2000 个字", field="description")
    _check_class_dates(starts_on=starts_on, ends_on=ends_on, signup_deadline=signup_deadline)
    n = _int(places, field="places", label="名额", lo=1, hi=2000)
    lo = _int(min_age, field="min_age", label="最小年龄", lo=3, hi=16)
    hi = _int(max_age, field="max_age", label="最大年龄", lo=3, hi=16)
    if lo > hi:
        raise ServiceError("最小年龄不能大于最大年龄", field="max_age")
    k = CareClass.objects.create(
        org=org,
        title=title,
        place=place,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        daily_hours=daily_hours,
        signup_deadline=signup_deadline,
        places=n,
        remaining=n,
        min_age=lo,
        max_age=hi,
        created_by=_uid(actor),
    )
    audit.record(
        actor=actor,
        action="care.class_create",
        obj=k,
        org_path=org.path,
        detail={"title": title, "places": n, "min_age": lo, "max_age": hi},
    )
    return k


def _lock_class(care_class) -> CareClass:
    return CareClass.objects.select_for_update(of=("self",)).select_related("org").get(pk=care_class.pk)


@transaction.atomic
def update_class(
    *,
    actor,
    care_class: CareClass,
    title,
    place,
    starts_on,
    ends_on,
    signup_deadline,
    places,
    min_age,
    max_age,
    daily_hours: str = "08:30-17:00",
    description: str = "",
) -> CareClass:
    """修改托管班 (the organiser's 管理员, until its last day; never once cancelled): text, days and deadline
    (validated as when publishing, fixed from the first day), places (never below the children enrolled), the
    age range (only while no child is enrolled). Under the class row lock — an enrolment's conditional UPDATE
    holds the same row — ``remaining`` is recomputed as places − taken. Guardians are told in-app of changed days
    or place; audited before → after."""
    k = _lock_class(care_class)
    require(actor, "change", k.org.path, "只有托管班组织单位的管理员可以修改托管班")
    today = timezone.localdate()
    if k.status != K.OPEN:
        raise ServiceError("托管班已取消，不能再修改", code="cancelled")
    if today > k.ends_on:
        raise ServiceError("托管班已结束，不能再修改", code="finished")
    data = dict(
        title=_text(title, field="title", label="托管班名称", lo=4, hi=100),
        place=_text(place, field="place", label="托管地点", lo=2, hi=100),
        daily_hours=_text(daily_hours, field="daily_hours", label="每日托管时间", lo=2, hi=40),
        description=(description or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        signup_deadline=signup_deadline,
    )
    if len(data["description"]) > 2000:
        raise ServiceError("托管内容最多 2000 个字", field="description")
    if any(data[f] != getattr(k, f) for f in ("starts_on", "ends_on", "signup_deadline")):
        if today >= k.starts_on:
            raise ServiceError("托管班已开班，不能再调整日期", field="starts_on", code="started")
        _check_class_dates(starts_on=starts_on, ends_on=ends_on, signup_deadline=signup_deadline)
    taken = k.places - k.remaining
    n = _int(places, field="places", label="名额", lo=1, hi=2000)
    if n < taken:
        raise ServiceError(f"已报名 {taken} 人，名额不能少于已报名人数", field="places", code="below_taken")
    data["places"] = n
    data["min_age"], data["max_age"] = _ages(
        k, min_age, max_age, lo=3, hi=16, labels=("最小年龄", "最大年龄"), live=taken
    )
    changes = {f: [getattr(k, f), data[f]] for f in CLASS_EDITABLE if getattr(k, f) != data[f]}
    if not changes:
        return k
    for f, (_, after) in changes.items():
        setattr(k, f, after)
    k.remaining = n - taken
    k.save(update_fields=[*changes, "remaining"])
    if {"starts_on", "ends_on", "place", "daily_hours"} & changes.keys():
        notify.tell_members(
            Enrolment.objects.filter(care_class=k, status=E.ENROLLED).select_related("guardian__user"),
            person_of=lambda e: e.guardian,
            template="care_class_change",
            title="托管班时间或地点有变动",
            body=f"“{k.title}”有变动：{k.starts_on:%Y-%m-%d} 至 {k.ends_on:%Y-%m-%d}，每日 {k.daily_hours}，"
            f"地点 {k.place}。",
            key=f"care-class-change:{_stamp(k.starts_on, k.ends_on, k.place, k.daily_hours)}",
        )
    audit.record(
        actor=actor,
        action="care.class_update",
        obj=k,
        org_path=k.org.path,
        detail={
            "title": k.title,
            **{f: f"{_shown(b)} → {_shown(a)}" for f, (b, a) in changes.items()},
            "taken": taken,
        },
    )
    return k


@transaction.atomic
def cancel_class(*, actor, care_class: CareClass, reason: str) -> CareClass:
    k = _lock_class(care_class)
    require(actor, "change", k.org.path, "只有托管班组织单位的管理员可以取消")
    if k.status != K.OPEN:
        raise ServiceError("托管班已取消", code="cancelled")
    if timezone.localdate() >= k.starts_on:
        raise ServiceError("托管班已开班，不能取消", code="started")
    reason = _text(reason, field="reason", label="取消原因", lo=2, hi=200)
    live = list(
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("guardian__user")
        .filter(care_class=k, status=E.ENROLLED)
    )
    Enrolment.objects.filter(pk__in=[e.pk for e in live]).update(
        status=E.CANCELLED, cancelled_at=timezone.now()
    )
    k.status, k.remaining = K.CANCELLED, k.places
    k.save(update_fields=["status", "remaining"])
    notify.tell_members(
        live,
        person_of=lambda e: e.guardian,
        template="care_class_cancelled",
        title="托管班已取消",
        body=lambda e: f"{e.child_name}报名的“{k.title}”已取消：{reason}",
        key=f"care-class-cancel:{k.pk}",
    )
    audit.record(
        actor=actor,
        action="care.class_cancel",
        obj=k,
        org_path=k.org.path,
        reason=reason,
        detail={"title": k.title, "count": len(live)},
    )
    return k


def child_bidx(number: str) -> str:
    return crypto.blind_index(number, context=CHILD_ID_CTX)


def _class_for_member(class_id) -> CareClass:
    try:
        pk = int(class_id)
    except (TypeError, ValueError):
        pk = 0
    k = CareClass.objects.select_related("org").filter(pk=pk).first() if 0 < pk < 2**63 else None
    if k is None:
        raise ServiceError("托管班不存在", code="not_found")
    return k


def enrol_child(*, actor, class_id, child_name, child_id, guardian_mobile) -> Enrolment:
    """A live member of the organiser's subtree enrols a child: the ID number validated as the workflow's
    子女身份证号 is (``core.idnumbers.parse_id_number``), the child's age on the first day within the class's range,
    one enrolment per child per class (the blind index's partial UNIQUE), one place (conditional UPDATE)."""
    person = _person_of(actor)
    k = _class_for_member(class_id)
    name = _text(child_name, field="child_name", label="孩子姓名", lo=2, hi=50)
    info = parse_id_number(child_id, field="子女身份证号")
    mobile = parse_mobile(guardian_mobile, field="监护人手机号码")
    m = _live_membership(person)
    if not m.union.path.startswith(k.org.path):
        raise ServiceError(f"该托管班面向{k.org.name}的会员子女", code="out_of_audience")
    age = age_on(info.birth_date, k.starts_on)
    if not k.min_age <= age <= k.max_age:
        raise ServiceError(
            f"该托管班招收 {k.min_age} 至 {k.max_age} 岁的孩子，按子女身份证号孩子开班时 {age} 岁",
            field="子女身份证号",
        )
    if person.id_bidx == member_id_bidx(info.number):
        raise ServiceError("子女身份证号不能是您本人的身份证号", field="子女身份证号")
    now = timezone.now()
    try:
        with transaction.atomic():
            e = Enrolment.objects.create(
                care_class=k,
                guardian=person,
                union=m.union,
                child_name=name,
                child_id_cipher=crypto.encrypt(info.number, context=CHILD_ID_CTX),
                child_id_bidx=child_bidx(info.number),
                child_id_masked=mask_id(info.number),
                child_birth_date=info.birth_date,
                child_gender=info.gender,
                guardian_mobile_cipher=crypto.encrypt(mobile, context=GUARDIAN_MOBILE_CTX),
                guardian_mobile_masked=mask_mobile(mobile),
            )
            if not CareClass.objects.filter(
                pk=k.pk, remaining__gt=0, status=K.OPEN, signup_deadline__gt=now
            ).update(remaining=F("remaining") - 1):
                k.refresh_from_db(fields=["remaining", "status", "signup_deadline"])
                if k.status != K.OPEN:
                    raise ServiceError("该托管班已取消", code="cancelled")
                if k.signup_deadline <= now:
                    raise ServiceError("报名已截止", code="closed")
                raise ServiceError(f"{k.places} 个名额已满", code="full")
            return e
    except IntegrityError:
        raise ServiceError(f"{name}已报名该托管班", code="duplicate", field="子女身份证号") from None


@transaction.atomic
def cancel_enrolment(*, actor, enrolment_id) -> Enrolment:
    """The guardian cancels before the first day; the place goes back."""
    person = _person_of(actor)
    try:
        pk = int(enrolment_id)
    except (TypeError, ValueError):
        pk = 0
    row = Enrolment.objects.filter(pk=pk, guardian=person).values_list("care_class_id", flat=True).first()
    if row is None:
        raise ServiceError("没有这条报名记录", code="not_found")
    k = CareClass.objects.select_for_update(of=("self",)).get(pk=row)
    e = Enrolment.objects.select_for_update(of=("self",)).get(pk=pk)
    if e.status != E.ENROLLED:
        raise ServiceError("该报名已取消", code="cancelled")
    if timezone.localdate() >= k.starts_on:
        raise ServiceError("托管班已开班，不能在线取消，请联系组织单位", code="started")
    e.status, e.cancelled_at = E.CANCELLED, timezone.now()
    e.save(update_fields=["status", "cancelled_at"])
    CareClass.objects.filter(pk=k.pk, remaining__lt=F("places")).update(remaining=F("remaining") + 1)
    return e


@transaction.atomic
def mark_attendance(*, actor, enrolment: Enrolment, day: dt.date, present: bool) -> Attendance:
    """点名: on a day of the class (not in the future) the organiser marks a child 到 or 缺; a mark may be corrected
    (the one row per child and day is updated, and each mark audited)."""
    e = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("care_class__org")
        .get(pk=enrolment.pk)
    )
    k = e.care_class
    require(actor, "change", k.org.path, "只有托管班组织单位的管理员可以点名")
    if e.status != E.ENROLLED or k.status != K.OPEN:
        raise ServiceError("该报名已取消", code="cancelled")
    if not isinstance(day, dt.date) or not k.starts_on <= day <= k.ends_on:
        raise ServiceError("请选择托管班期间的日期", field="day")
    if day > timezone.localdate():
        raise ServiceError("不能登记今天以后的考勤", field="day")
    a, _ = Attendance.objects.update_or_create(
        enrolment=e, day=day, defaults={"present": bool(present), "marked_by": _uid(actor)}
    )
    audit.record(
        actor=actor,
        action="care.attendance_mark",
        obj=a,
        org_path=k.org.path,
        detail={"class": k.pk, "child": e.child_name, "day": day.isoformat(), "present": bool(present)},
    )
    return a


def shares_total(campaign: Campaign) -> int:
    return CampaignShare.objects.filter(campaign=campaign).aggregate(n=Sum("places"))["n"] or 0


def share_unions(campaign: Campaign):
    """Unions that may receive a share: below the organiser, members-holding or intermediate."""
    return (
        Organization.objects.filter(path__startswith=campaign.org.path)
        .exclude(pk=campaign.org_id)
        .order_by("path")
    )


def rotate_care_keys(*, batch: int = 2000) -> int:
    """Re-seal children's ID numbers and guardians' mobiles under the active field key (for
    ``manage.py rotate_field_keys``)."""
    rows = Enrolment.objects.all()
    return crypto.rotate_column(
        rows, "child_id_cipher", context=CHILD_ID_CTX, batch=batch
    ) + crypto.rotate_column(rows, "guardian_mobile_cipher", context=GUARDIAN_MOBILE_CTX, batch=batch)


# ---------------------------------------------------------------- 爱心妈咪小屋


def _parse_area(value) -> Decimal:
    try:
        a = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError("面积应为数字，如 12 或 12.5", field="area_m2") from None
    if not a.is_finite() or not Decimal(5) <= a <= Decimal(500):
        raise ServiceError("面积应在 5 至 500 平方米之间（国家标准建议不少于 10 平方米）", field="area_m2")
    if a != a.quantize(Decimal("0.1")):
        raise ServiceError("面积最多保留一位小数", field="area_m2")
    return a


def _room_fields(*, enterprise_name, location, area_m2, facilities, opening_hours, contact) -> dict:
    picked = [v for v in dict.fromkeys(facilities or []) if v]
    if any(v not in Facility.values for v in picked):
        raise ServiceError("设施中有无效的选项", field="facilities")
    if len(picked) < 3:
        raise ServiceError("请至少勾选三项设施（如冰箱、座椅、洗手池）", field="facilities")
    return dict(
        enterprise_name=_text(enterprise_name, field="enterprise_name", label="所在单位", lo=2, hi=150),
        location=_text(location, field="location", label="具体位置", lo=2, hi=100),
        area_m2=_parse_area(area_m2),
        facilities=sorted(picked, key=list(Facility.values).index),
        opening_hours=_text(opening_hours, field="opening_hours", label="开放时间", lo=2, hi=60),
        contact=_text(contact, field="contact", label="联系人", lo=2, hi=30, required=False),
    )


@transaction.atomic
def register_room(*, actor, union, **fields) -> Room:
    """A base union (its 管理员, or one above it) registers its 爱心妈咪小屋; it waits for the street's review. One
    room per base union (``Room.union`` is unique)."""
    require(actor, "change", union.path, "只能为您管理的基层工会登记")
    if union.kind != OrgKind.BASE:
        raise ServiceError("爱心妈咪小屋由基层工会登记", field="union")
    data = _room_fields(**fields)
    if Room.objects.filter(union=union).exists():
        raise ServiceError(f"{union.name}已登记爱心妈咪小屋，请修改原登记", field="union", code="duplicate")
    try:
        with transaction.atomic():
            room = Room.objects.create(union=union, **data)
    except IntegrityError:
        raise ServiceError(
            f"{union.name}已登记爱心妈咪小屋，请修改原登记", field="union", code="duplicate"
        ) from None
    audit.record(
        actor=actor,
        action="care.room_register",
        obj=room,
        org_path=union.path,
        detail={"union": union.name, "area_m2": str(room.area_m2), "facilities": len(room.facilities)},
    )
    return room


def _lock_room(room) -> Room:
    return Room.objects.select_for_update(of=("self",)).select_related("union").get(pk=room.pk)


@transaction.atomic
def update_room(*, actor, room: Room, **fields) -> Room:
    """The union corrects its registration while it waits or after it was returned; it goes back to the street. A
    room the street has approved is changed only after the street returns it (its rating stays in the history)."""
    r = _lock_room(room)
    require(actor, "change", r.union.path, "只能修改您管理的基层工会的登记")
    if r.status == Room.Status.APPROVED:
        raise ServiceError("街道已审核的小屋不能直接修改，请联系街道工会退回后修改", code="approved")
    data = _room_fields(**fields)
    before = {"area_m2": str(r.area_m2), "facilities": r.facilities, "location": r.location}
    for k, v in data.items():
        setattr(r, k, v)
    r.status = Room.Status.SUBMITTED
    r.save()
    audit.record(
        actor=actor,
        action="care.room_update",
        obj=r,
        org_path=r.union.path,
        detail={
            "before": before,
            "after": {"area_m2": str(r.area_m2), "facilities": r.facilities, "location": r.location},
        },
    )
    return r


def _ancestor(union, kind) -> Organization | None:
    return (
        Organization.objects.filter(path__in=_ancestors_or_self(union.path), kind=kind)
        .order_by("-path")
        .first()
    )


@transaction.atomic
def review_room(*, actor, room: Room, approve: bool, note: str = "") -> Room:
    """The street (its 审核员 or 管理员, or the federation's) approves the registration or returns it with what to
    correct. Returning an approved room clears its stars (the ratings stay in the history)."""
    r = _lock_room(room)
    street = _ancestor(r.union, OrgKind.STREET)
    require(actor, "review", (street or r.union).path, "由小屋所在街道工会审核")
    note = (note or "").strip()
    if len(note) > 200:
        raise ServiceError("审核意见最多 200 个字", field="note")
    if approve:
        if r.status == Room.Status.APPROVED:
            raise ServiceError("该小屋已审核通过", code="approved")
        if r.status == Room.Status.RETURNED:
            raise ServiceError("已退回修改，请等待基层工会修改后重新提交", code="returned")
        r.status = Room.Status.APPROVED
    else:
        if len(note) < 2:
            raise ServiceError("退回时请写明需要修改的地方", field="note")
        r.status, r.stars = Room.Status.RETURNED, None
    r.review_note, r.reviewed_at = note, timezone.now()
    r.save(update_fields=["status", "stars", "review_note", "reviewed_at", "updated_at"])
    audit.record(
        actor=actor,
        action="care.room_approve" if approve else "care.room_return",
        obj=r,
        org_path=r.union.path,
        reason=note,
        detail={"union": r.union.name},
    )
    return r


@transaction.atomic
def rate_room(*, actor, room: Room, stars, reason: str) -> RoomRating:
    """The federation (its 审核员 or 管理员) rates an approved room 1–3 stars with a reason. Each rating is a new
    row of the history (never an edit), the room's current stars set with it under the room's lock, audited."""
    r = _lock_room(room)
    fed = _ancestor(r.union, OrgKind.FEDERATION)
    require(actor, "review", (fed or r.union).path, "星级由总工会评定")
    if r.status != Room.Status.APPROVED:
        raise ServiceError("街道审核通过后才能评定星级", code="not_approved")
    n = _int(stars, field="stars", label="星级", lo=1, hi=3)
    reason = _text(reason, field="reason", label="评定理由", lo=2, hi=200)
    if n == r.stars:
        raise ServiceError(f"该小屋已是 {n} 星", field="stars", code="same")
    rating = RoomRating.objects.create(room=r, stars=n, previous=r.stars, reason=reason, rated_by=_uid(actor))
    before = r.stars
    r.stars = n
    r.save(update_fields=["stars", "updated_at"])
    audit.record(
        actor=actor,
        action="care.room_rate",
        obj=r,
        org_path=r.union.path,
        reason=reason,
        detail={"union": r.union.name, "before": before, "after": n},
    )
    return rating
