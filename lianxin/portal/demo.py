"""Demo member portal data for ``manage.py seed_demo``: one demo member who signs in by SMS (the code is
printed on the console by the SMS adapter), already signed up for an activity and with one data correction
waiting for review (a ``profile_correction`` application filed through the workflow services), so /m/,
/m/card/, /m/me/, /m/my/applications/ and the console's applications queue all have something to show."""

from __future__ import annotations

from lianxin.activities import services as activity_services
from lianxin.activities.selectors import member_activities
from lianxin.core import crypto
from lianxin.core.errors import ServiceError
from lianxin.members.models import Membership, MembershipStatus
from lianxin.members.services import MOBILE_CTX
from lianxin.workflow import services as workflow

from . import services


def demo_membership(ctx) -> Membership | None:
    """The demo member's membership: the first woman with a mobile among the first street's members. Other apps'
    demos (talent, party) call this to give her something to see; it is the same whichever demo runs first."""
    return (Membership.objects.select_related("person", "union")
            .filter(status=MembershipStatus.MEMBER, union__path__startswith=ctx.streets[0].path, person__gender="F")
            .exclude(person__mobile_cipher="").order_by("id").first())


def seed(ctx) -> None:
    m = demo_membership(ctx)
    if m is None:
        ctx.log("会员门户：无可用演示会员")
        return
    mobile = crypto.decrypt(m.person.mobile_cipher, context=MOBILE_CTX)
    user = services.user_for_mobile(mobile)
    for a in member_activities(m.person, m, upcoming=True)[:2]:
        try:
            activity_services.sign_up(actor=user, activity_id=a.pk)
        except ServiceError:
            pass
    try:
        workflow.create_application(actor=user, programme="profile_correction", submit=True,
                                    data={"job": "班组长", "reason": "已晋升，请更新岗位"})
    except ServiceError as e:  # already has one open (the workflow demo may have picked the same member)
        ctx.log(f"会员门户：演示更正申请未提交（{e.message}）")
    ctx.log(f"会员门户：演示会员 {m.person.name}（{m.union.name}），手机号 {mobile}，"
            f"在 /m/login/ 获取验证码（验证码打印在服务器控制台）")
