"""Demo 职工医疗互助 for ``manage.py seed_demo``: the federation's plan for this year (30 元/人, 起付线 1,000 元,
60%, 20,000 元 a year), four unions' members enrolled through the real service, this year's funded 职工医疗互助
fund, the unions' payments of 互助金 (all but one union paid, one of them only half), and a few members' claims in different states (paid, waiting at the union, waiting at the federation,
refused)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.assistance import services as assistance
from lianxin.assistance.models import Purpose
from lianxin.members.models import Membership, MembershipStatus
from lianxin.orgs.models import OrgKind
from lianxin.workflow import services as workflow
from lianxin.workflow.demo import _backdate, _pdf, _run

from . import services
from .models import Enrolment

CLAIMS = [  # (hospital, days before today admitted, days in, self pay, plan, amount approved or "" / "reject")
    ("浙江大学医学院附属第一医院", 160, 9, "12680.40", ["approve", "approve"], "rule"),
    ("杭州市第一人民医院", 140, 5, "4300", ["approve", "approve"], "rule"),
    ("钱塘区人民医院", 30, 4, "2650", ["approve", "stop"], ""),
    ("杭州市中医院", 25, 3, "1800", ["stop"], ""),
    ("浙江省人民医院", 150, 6, "900", ["approve", "stop"], "reject"),
]


def seed(ctx) -> None:
    today = timezone.localdate()
    year = today.year
    plan = services.create_plan(actor=ctx.root, org=ctx.fed, year=year, contribution="30", deductible="1000",
                                ratio=60, cap="20000", enrol_opens=dt.date(year, 1, 1),
                                enrol_closes=dt.date(year, 12, 31))
    fund = assistance.create_fund(actor=ctx.root, org=ctx.fed, year=year, purpose=Purpose.MEDICAL)
    assistance.allocate(actor=ctx.root, fund=fund, amount="200000", memo=f"{year} 年度区总工会职工医疗互助补助经费")
    unions = [u for u in ctx.unions if u.kind == OrgKind.BASE
              and Membership.objects.filter(union=u, status=MembershipStatus.MEMBER).exists()][:4]
    enrolled = sum(services.enrol_union(actor=ctx.root, plan=plan, union=u)[0] for u in unions)
    # 互助金到账: the first unions paid in full, the next one half, the last nothing yet (欠缴 shows)
    for k, u in enumerate(unions[:-1]):
        owed = Enrolment.objects.filter(plan=plan, union=u).count() * plan.contribution_fen
        due = owed if k < len(unions) - 2 else owed // 200 * 100
        if due:
            services.record_contribution(actor=ctx.root, plan=plan, union=u, amount=assistance.yuan(due),
                                         received_on=min(today, dt.date(year, 3, 15)), memo=f"银行回单 {k + 1:04d}")
    people = list(Enrolment.objects.filter(plan=plan, person__user__isnull=True).select_related("person")
                  .order_by("id")[:len(CLAIMS)])
    paid = 0
    for k, (e, case) in enumerate(zip(people, CLAIMS, strict=False)):
        hospital, back, days, self_pay, walk, approved = case
        admitted = max(dt.date(year, 1, 1), today - dt.timedelta(days=back))
        discharged = min(today, admitted + dt.timedelta(days=days))
        user = User.objects.create(username=f"demo_medical{k + 1:02d}", display_name=e.person.name, person=e.person,
                                   password="!")
        app = workflow.create_application(actor=user, programme="medical_aid", data={
            "hospital": hospital, "admitted_on": admitted.isoformat(), "discharged_on": discharged.isoformat(),
            "self_pay": self_pay})
        workflow.add_attachment(actor=user, app=app, slot="invoice", upload=_pdf("住院发票"))
        workflow.add_attachment(actor=user, app=app, slot="discharge", upload=_pdf("出院小结"))
        workflow.submit_application(actor=user, app=app)
        approval = None
        if approved == "rule":
            amount = services.payable(plan, None, assistance.parse_yuan(self_pay))
            approval = {"amount": assistance.yuan(amount)}
        _run(ctx, app, walk, approval=approval)
        if approved == "reject":
            step = app.steps.get(decision__isnull=True)
            workflow.decide(actor=ctx.users["qt_reviewer"], step_id=step.pk, decision="rejected",
                            comment="政策范围内个人自付金额未超过起付线，按规则不予补助")
        _backdate(ctx, app)
        paid += approved == "rule"
    ctx.log(f"职工医疗互助：{plan.name}，{len(unions)} 家工会 {enrolled} 人参加，住院补助申请 {len(people)} 件"
            f"（已发放 {paid} 件）")
