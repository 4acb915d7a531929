"""Demo applications for ``manage.py seed_demo``: a few dozen joins, transfers, legal-person registrations and
members' corrections of their own data in every state, filed and decided through the real services (so audit entries, steps, certificates and outbox rows
are genuine), then back-dated over the last four months so the 最多跑一次 report shows real figures.

Deterministic: everything random comes from ``ctx.rng``. Applicant identity numbers use region 330127 (淳安),
which the district seed never uses, so no demo applicant collides with a seeded person.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum.cn import uscc

from lianxin.accounts.models import User
from lianxin.core.idnumbers import make_id_number
from lianxin.members.models import Membership, MembershipStatus
from lianxin.orgs.models import Organization, OrgKind

from . import services
from .models import Application, Certificate, Decision, State, Step

NAMES = ["陈志强", "林晓燕", "黄建平", "吴丽娟", "周海涛", "徐敏", "孙立新", "马秀英", "朱俊杰", "胡佳琪", "郭鹏飞",
         "何雨萱", "高子涵", "罗欣怡", "郑浩然", "梁晨", "谢国强", "宋丹丹", "唐一鸣", "许亚楠", "韩建华", "冯思远",
         "邓梓轩", "曹慧敏", "彭小红", "曾春梅", "肖文博", "田晓东"]
JOBS = ["装配工", "快递员", "网约车司机", "护工", "数控车工", "仓储管理员", "外卖骑手", "质检员", "厨师", "保洁员"]


def _reviewer(ctx, org: Organization):
    """The demo reviewer whose grant reaches ``org``: the federation's for the federation, else its street's."""
    if org.depth == 0:
        return ctx.users["qt_reviewer"]
    return ctx.users["by_reviewer"] if org.path.startswith(ctx.streets[0].path) else ctx.users["xs_reviewer"]


def _admin(ctx, org: Organization):
    return ctx.users["by_admin"] if org.path.startswith(ctx.streets[0].path) else ctx.users["xs_admin"]


def _union_code(n: int) -> str:
    body = f"81330114MC{n:07d}"
    return body + uscc.calc_check_digit(body)


def _pdf(title: str) -> SimpleUploadedFile:
    """A genuine one-page PDF standing in for a scanned document."""
    from reportlab.pdfgen import canvas

    from .certificates import _font

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(_font(), 16)
    c.drawString(72, 760, f"演示材料：{title}")
    c.showPage()
    c.save()
    return SimpleUploadedFile(f"{title}.pdf", buf.getvalue(), content_type="application/pdf")


def _run(ctx, app: Application, plan: list[str], approval: dict | None = None) -> None:
    """Walk ``plan`` (approve / return / reject / stop) through the real services; a return is followed by the
    applicant's correction and resubmission unless it is the last action."""
    rng = ctx.rng
    prog = app.programme_def
    for k, action in enumerate(plan):
        step = app.steps.filter(decision__isnull=True).select_related("org").first()
        if step is None or action == "stop":
            return
        who = _reviewer(ctx, step.org)
        in_person = rng.random() < (0.1 if prog.code == "legal" else 0.18)
        if action == "approve":
            services.decide(actor=who, step_id=step.pk, decision=Decision.APPROVED, in_person=in_person,
                            approval=approval)
        elif action == "reject":
            services.decide(actor=who, step_id=step.pk, decision=Decision.REJECTED, in_person=in_person,
                            comment=rng.choice(["申请人已在其他工会登记", "单位信息与营业执照不符", "材料不齐且逾期未补"]))
        elif action == "return":
            field = rng.choice(["job", "mobile"] if prog.code == "join" else
                               ["reason"] if prog.code == "transfer" else
                               ["job"] if prog.code == "profile_correction" else ["approval_no", "att:approval_doc"])
            services.decide(actor=who, step_id=step.pk, decision=Decision.RETURNED, fields=[field],
                            in_person=in_person or field.startswith("att:"),
                            comment={"job": "请写明具体岗位", "mobile": "手机号无法接通，请核对",
                                     "reason": "请补充转会原因", "approval_no": "批准文号与文件不一致",
                                     "att:approval_doc": "批准文件扫描件不清晰，请重新上传或带原件来核对"}[field])
            app.refresh_from_db()
            if k == len(plan) - 1:
                return
            fixer = app.applicant or app.entered_by
            if field == "att:approval_doc":
                services.add_attachment(actor=fixer, app=app, slot="approval_doc", upload=_pdf("批准文件（重新扫描）"))
            fix = {"job": rng.choice(JOBS), "mobile": f"139{rng.randint(10_000_000, 99_999_999)}",
                   "reason": "更换工作单位，新单位已建会", "approval_no": "钱工〔2026〕21号", "att:approval_doc": None}
            if prog.code == "profile_correction":  # a correction must differ from the record and the request
                fix["job"] = next(j for j in JOBS if j not in (app.person.job, app.form.get("job")))
            if fix[field] is not None:
                services.update_application(actor=fixer, app=app, data={field: fix[field]})
            services.submit_application(actor=fixer, app=app)
        app.refresh_from_db()


def _backdate(ctx, app: Application) -> None:
    """Spread the application's history over the last ~120 days with realistic review times."""
    rng = ctx.rng
    now = timezone.now()
    back = rng.randint(1, 12) if app.state in (State.SUBMITTED, State.IN_REVIEW, State.RETURNED) else \
        rng.randint(14, 120)
    t = now - dt.timedelta(days=back, hours=rng.randint(0, 8))
    first = t
    for step in app.steps.order_by("id"):
        created = t
        due = created + dt.timedelta(days=7)
        if step.decision:
            t = min(created + dt.timedelta(hours=rng.choice([3, 6, 20, 26, 48, 70, 96, 150])), now)
            Step.objects.filter(pk=step.pk).update(created_at=created, due_at=due, decided_at=t)
            if step.decision == Decision.RETURNED:
                t = min(t + dt.timedelta(hours=rng.choice([5, 20, 44, 70])), now)
        else:  # waiting since t: those filed over five days ago are overdue for the daily sweep
            Step.objects.filter(pk=step.pk).update(created_at=created, due_at=created + dt.timedelta(days=5))
    Application.objects.filter(pk=app.pk).update(
        submitted_at=first if app.submitted_at else None, created_at=first - dt.timedelta(minutes=20),
        decided_at=t if app.state in (State.APPROVED, State.REJECTED) else None)


# (weight, plan) per number of levels; the last action leaves the application in that state
PLANS = {
    1: [(30, ["approve"]), (10, ["return", "approve"]), (6, ["reject"]), (5, ["return"]), (8, ["stop"])],
    2: [(30, ["approve", "approve"]), (10, ["approve", "return", "approve"]), (5, ["reject"]),
        (5, ["approve", "return"]), (6, ["stop"]), (6, ["approve", "stop"])],
}


def _plan(ctx, levels: int) -> list[str]:
    plans = PLANS[levels]
    return list(ctx.rng.choices([p for _, p in plans], [w for w, _ in plans])[0])


def seed(ctx) -> None:
    rng = ctx.rng
    made = {"join": 0, "transfer": 0, "legal": 0, "profile_correction": 0}
    workers = []
    for i in range(24):
        u = User(username=f"demo_worker{i + 1:02d}", display_name=NAMES[i % len(NAMES)])
        if i == 0:
            from lianxin.orgs.management.commands.seed_demo import DEMO_PASSWORD

            u.set_password(DEMO_PASSWORD)
        else:
            u.set_unusable_password()
        workers.append(u)
    User.objects.bulk_create(workers)
    workers = list(User.objects.filter(username__startswith="demo_worker").order_by("username"))

    # 入会: 24 workers through the member portal, 6 entered by their union at the counter
    ents = sorted(ctx.enterprises, key=lambda e: e.pk)
    for i in range(30):
        ent = ents[rng.randrange(len(ents))]
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randint(0, 9000))
        data = {"name": NAMES[i % len(NAMES)], "id_number": make_id_number("330127", birth, i + 7, rng.choice("MF")),
                "mobile": f"13{rng.choice('5789')}{rng.randint(10_000_000, 99_999_999)}", "employer_id": ent.pk,
                "job": rng.choice(JOBS)}
        if i < 24:
            app = services.create_application(actor=workers[i], programme="join", data=data, submit=i != 23)
        else:
            union, _ = services_route_union(ent)
            app = services.create_application(actor=_admin(ctx, union), programme="join", data=data,
                                              on_behalf=True, in_person=True, submit=True)
        if app.state != State.DRAFT:
            _run(ctx, app, _plan(ctx, 1))
        _backdate(ctx, app)
        made["join"] += 1

    # 转会: members of the seeded district who changed employer
    ms = list(Membership.objects.filter(status=MembershipStatus.MEMBER, union__kind=OrgKind.BASE,
                                        person__user__isnull=True).select_related("person", "union")
              .order_by("id")[:400])
    rng.shuffle(ms)
    covered = [e for e in ents if e.covering_union_id]
    for m in ms[:10]:
        target = next(e for e in (covered[rng.randrange(len(covered))] for _ in range(50))
                      if e.covering_union_id != m.union_id)
        u = User.objects.create(username=f"demo_member{made['transfer'] + 1:02d}", display_name=m.person.name,
                                person=m.person, password="!")
        app = services.create_application(actor=u, programme="transfer", submit=True,
                                          data={"employer_id": target.pk, "reason": "更换工作单位"})
        _run(ctx, app, _plan(ctx, 2))
        _backdate(ctx, app)
        made["transfer"] += 1

    # 工会法人资格登记: base unions apply; street pre-review, federation registers
    bases = sorted((u for u in ctx.unions if u.kind == OrgKind.BASE), key=lambda u: u.pk)
    today = timezone.localdate()
    for i, union in enumerate(bases[:10]):
        start = today - dt.timedelta(days=rng.randint(30, 900))
        end = start.replace(year=start.year + rng.choice([3, 5]))
        if i == 0:  # one certificate close to expiry, to show the 30-day reminder
            start, end = today - dt.timedelta(days=5 * 365 - 20), today + dt.timedelta(days=20)
        data = {"union_id": union.pk, "kind": "apply", "union_name": union.name,
                "address": union.address or f"{union.name}办公室", "chairman": union.chair_name or "王主席",
                "funding": "会员会费、行政拨缴经费", "approval_no": f"钱工〔{start.year}〕{10 + i}号",
                "term_start": start.isoformat(), "term_end": end.isoformat()}
        admin = _admin(ctx, union)
        app = services.create_application(actor=admin, programme="legal", data=data)
        for slot in app.programme_def.attachments:
            services.add_attachment(actor=admin, app=app, slot=slot.code, upload=_pdf(slot.label))
        services.submit_application(actor=admin, app=app)
        plan = [["approve", "approve"]] * 5 + [["approve", "stop"], ["approve", "return"], ["stop"],
                                              ["approve", "return", "approve"], ["reject"]]
        plan = plan[i]
        _run(ctx, app, plan, approval={"credit_code": _union_code(1000 + i)})
        _backdate(ctx, app)
        made["legal"] += 1
    # 建会批复: streets report the founding of unions in enterprises still uncovered — one approved (the union
    # enters the tree), one waiting for the federation, one at the street
    made["founding"] = 0
    uncovered = [e for e in ents if e.covering_union_id is None and not hasattr(e, "own_union")]
    for i, ent in enumerate(uncovered[:3]):
        street = ent.street
        admin = _admin(ctx, street)
        headcount = max(ent.headcount, 12)
        data = {"parent_id": street.pk, "enterprise_id": ent.pk, "union_name": f"{ent.name}工会委员会",
                "employees": headcount, "women": min(9, headcount // 3), "members": max(3, headcount * 4 // 5),
                "meeting_on": (today - dt.timedelta(days=rng.randint(3, 20))).isoformat(),
                "chairman": NAMES[(i + 5) % len(NAMES)], "committee_size": 3, "women_committee": "no",
                "contact_phone": f"0571-8{rng.randint(1_000_000, 9_999_999)}"}
        app = services.create_application(actor=admin, programme="founding", data=data)
        for slot in app.programme_def.attachments:
            if slot.required:
                services.add_attachment(actor=admin, app=app, slot=slot.code, upload=_pdf(slot.label))
        services.submit_application(actor=admin, app=app)
        _run(ctx, app, [["approve", "approve"], ["approve", "stop"], ["stop"]][i])
        _backdate(ctx, app)
        made["founding"] += 1
    # 个人信息更正: members (not those moving union above) ask their union to correct their record
    titles = ["班组长", "车间主任", "技术员", "工程师"]
    for k, m in enumerate([m for m in ms[10:] if m.person.gender == "M"][:6]):
        u = User.objects.create(username=f"demo_corr{k + 1:02d}", display_name=m.person.name, person=m.person,
                                password="!")
        data = {"job": next(t for t in titles if t != m.person.job), "reason": "岗位已调整，请更新"}
        if k % 3 == 1:
            data.update(mobile=f"139{rng.randint(10_000_000, 99_999_999)}", reason="已更换手机号码，岗位也有调整")
        elif k % 3 == 2:
            data.update(education="master" if m.person.education == "bachelor" else "bachelor",
                        reason="已取得新学历，岗位也有调整")
        app = services.create_application(actor=u, programme="profile_correction", data=data, submit=True)
        _run(ctx, app, _plan(ctx, 1))
        _backdate(ctx, app)
        made["profile_correction"] += 1
    # yesterday's daily sweep: overdue steps reminded and escalated, the expiring certificate's union reminded
    swept = services.run_daily()
    ctx.log(f"申请审批：入会 {made['join']} 件、转会 {made['transfer']} 件、法人资格登记 {made['legal']} 件、"
            f"个人信息更正 {made['profile_correction']} 件、建会批复 {made['founding']} 件；"
            f"证书 {Certificate.objects.count()} 张；超期上报 {swept['escalated']} 件")


def services_route_union(enterprise):
    from .programmes import union_for_employer

    return union_for_employer(enterprise, None)
