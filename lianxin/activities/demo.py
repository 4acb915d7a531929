"""Demo activities for ``manage.py seed_demo``: a dozen this month and next from the federation, both streets
and a joint union — some for women, youth or model workers only, one nearly full with a waitlist, one under
way now with check-ins — and sign-ups by a few dozen members. Deterministic and fast (a few hundred rows)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.members.models import Membership, MembershipStatus

from . import services

# (organiser: "fed" / "street0" / "street1" / "joint0", title, venue, day offset from today, hour, capacity,
#  waitlist, flags, monthly limit)
ACTIVITIES = [
    ("fed", "“劳动创造幸福”职工摄影展开幕", "开发区职工文化中心一楼展厅", 2, 14, 120, 20, (), None),
    ("fed", "劳模工匠进企业宣讲会", "开发区总工会三楼报告厅", 5, 9, 200, 0, (), None),
    ("fed", "女职工“两癌”免费筛查", "钱塘区第一人民医院体检中心", 8, 8, 60, 30, ("for_women",), 2),
    ("fed", "青年职工联谊会", "金沙湖公园草坪", 12, 15, 80, 40, ("for_youth",), 1),
    ("fed", "劳模疗休养（千岛湖三日）", "千岛湖职工疗休养基地", 35, 8, 30, 10, ("for_model_workers",), None),
    ("street0", "白杨街道职工羽毛球赛", "浙江理工大学下沙校区体育馆", 6, 9, 32, 8, (), 3),
    ("street0", "快递小哥爱心午餐", "学源街工会驿站", 3, 11, 50, 0, ("for_frontline",), None),
    ("street0", "职工书屋读书分享会", "白杨街道职工之家阅览室", 20, 19, 25, 5, (), None),
    ("street1", "下沙街道职工趣味运动会", "浙江工商大学体育馆", 15, 9, 150, 30, (), 3),
    ("street1", "农民工子女暑期托管报名说明会", "下沙街道职工之家亲子活动室", 40, 10, 40, 20, ("for_migrant",), None),
    ("joint0", "联合工会职工插花沙龙", "白杨街道职工之家舞蹈室", 9, 19, 4, 6, (), None),
    ("street0", "职工心理健康讲座", "白杨街道职工心理疏导室", 28, 14, 30, 0, (), None),
]


def _member_users(ctx, rng, n: int) -> list[User]:
    """Portal users for some members (as if they had signed in once), so they can sign up."""
    ms = list(Membership.objects.filter(status=MembershipStatus.MEMBER, union__path__startswith=ctx.fed.path)
              .select_related("person").order_by("id")[:2000])
    picked = rng.sample(ms, min(n, len(ms)))
    users = []
    for m in picked:
        u = User.objects.filter(person=m.person).first()
        if u is None:
            u = User(username=f"m_demo{m.person_id}", display_name=m.person.name, person=m.person)
            u.set_unusable_password()
            u.save()
        users.append(u)
    return users


def seed(ctx) -> None:
    tz = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    staff = ctx.users.get("qt_admin")
    orgs = {"fed": ctx.fed, "street0": ctx.streets[0], "street1": ctx.streets[1], "joint0": ctx.joints[0]}
    made = []
    for key, title, venue, offset, hour, cap, wl, flags, limit in ACTIVITIES:
        day = ctx.today + dt.timedelta(days=offset)
        starts = dt.datetime.combine(day, dt.time(hour), tz)
        a = services.create_activity(
            actor=staff, org=orgs[key], publish=True, title=title, venue=venue, starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2 if offset < 30 else 50), signup_opens_at=now - dt.timedelta(days=1),
            signup_closes_at=starts - dt.timedelta(hours=2), capacity=cap, waitlist_size=wl, monthly_limit=limit,
            summary=f"{orgs[key].name}主办。{title}，欢迎广大会员报名参加。", **{f: True for f in flags})
        made.append(a)
    # One under way right now, with check-ins at the door.
    ongoing = services.create_activity(
        actor=staff, org=ctx.fed, publish=True, title="工间操大家练（进行中）", venue="开发区职工文化中心广场",
        starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(hours=2),
        signup_opens_at=now - dt.timedelta(days=3), signup_closes_at=now + dt.timedelta(hours=1), capacity=40,
        summary="每天上午十点，跟着教练一起做工间操。")
    users = _member_users(ctx, ctx.rng, 60)
    signed = 0
    for u in users:
        for a in [*ctx.rng.sample(made, 3), ongoing]:
            try:
                s = services.sign_up(actor=u, activity_id=a.pk)
                signed += 1
                if a.pk == ongoing.pk and s.status == "confirmed" and ctx.rng.random() < 0.7:
                    services.check_in(actor=staff, token=services.checkin_token(s), activity_id=a.pk)
            except services.ServiceError:
                pass  # outside the audience, full, or the monthly limit: as in real life
    ctx.log(f"活动：{len(made) + 1} 项（本月与下月），报名 {signed} 人次")
