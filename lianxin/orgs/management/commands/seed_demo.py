"""manage.py seed_demo — the deterministic demo district.

1 federation, 2 streets, ~10 joint/industry unions, ~300 enterprises (valid credit codes, mixed sizes and
industries, ~30% without a union), ~20,000 people with valid unique ID numbers and mobiles and their
memberships, youth-league, women's and party bodies, and staff users of every role at several levels.
Organisations and enterprises go through the services (audited); people and memberships are bulk-written
with the same validation and encryption helpers the services use, in one transaction, for speed.
Then every app with a ``demo.py`` adds its own demo data through ``seed(ctx)``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from importlib import import_module
from importlib.util import find_spec
from types import SimpleNamespace

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from lianxin.accounts.models import StaffRole, User
from lianxin.core import audit
from lianxin.core.idnumbers import make_id_number
from lianxin.members.models import Education, Membership, MembershipStatus, Person, Political
from lianxin.members.services import check_identity, reserve_member_numbers, seal_identity
from lianxin.orgs import services as org_services
from lianxin.orgs.models import Enterprise, Industry, Organization, OrgKind, Ownership, Size

DEMO_PASSWORD = "Lianxin@2026"
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志明海燕红梅婷雪晨宇浩然子涵欣怡俊杰佳琪"
         "思远文博晓东雨萱梓轩一鸣嘉怡鹏飞丹丹亚楠慧敏国强建华小红春梅立新")
FIRMS = ("恒达 华信 鼎盛 新锐 博远 金桥 瑞丰 天成 宏图 星辰 海纳 正泰 明德 汇通 安信 联创 东方 永盛 启航 卓越 "
         "钱江 白杨 下沙 江东 之江 云帆 智造 绿源 康宁 中科").split()
TRADES = [("科技", "I"), ("电子", "C"), ("制造", "C"), ("物流", "G"), ("建设", "E"), ("商贸", "F"), ("餐饮", "H"),
          ("医药", "C"), ("环境", "N"), ("教育", "P"), ("物业", "K"), ("汽车零部件", "C"), ("纺织", "C"),
          ("软件", "I"), ("健康管理", "Q"), ("文化传媒", "R")]
JOBS = ["操作工", "技术员", "工程师", "质检员", "仓管员", "快递员", "司机", "销售", "会计", "行政", "班组长", "车间主任",
        "厨师", "保安", "保洁", "护士", "教师", "程序员"]
REGIONS = ["330114", "330104", "330106", "330103", "330122", "341125", "412722", "511324", "360121", "330782"]
ETHNIC = ["汉族"] * 30 + ["回族", "土家族", "苗族", "壮族", "畲族"]


class Command(BaseCommand):
    help = "载入确定性的演示数据（总工会、街道、联合/行业工会、约300家企业、约2万名职工、各级工作人员）"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="已有组织数据时跳过")
        parser.add_argument("--people", type=int, default=20_000)
        parser.add_argument("--enterprises", type=int, default=300)
        parser.add_argument("--seed", type=int, default=20261125)

    def handle(self, *args, **o):
        if o["if_empty"] and Organization.objects.exists():
            self.stdout.write("演示数据已存在，跳过 seed_demo")
            self._print_logins()
            return
        t0 = time.monotonic()
        rng = random.Random(o["seed"])
        root = SimpleNamespace(pk=None, is_superuser=True, is_authenticated=True, is_active=True, username="seed_demo")
        with transaction.atomic():
            ctx = self._tree(root, rng)
            self._enterprises(root, rng, ctx, o["enterprises"])
            self._people(rng, ctx, o["people"])
            self._users(ctx)
            audit.record(actor=None, action="demo.seed", org_path=ctx.fed.path,
                         detail={"people": o["people"], "enterprises": o["enterprises"]})
        for app in settings.INSTALLED_APPS:
            if app.startswith("lianxin.") and find_spec(f"{app}.demo"):
                with transaction.atomic():
                    import_module(f"{app}.demo").seed(ctx)
                    self.stdout.write(f"  + {app.split('.')[-1]} 演示数据")
        self.stdout.write(self.style.SUCCESS(f"演示数据已载入，用时 {time.monotonic() - t0:.1f} 秒"))
        self._print_logins()

    def _tree(self, root, rng) -> SimpleNamespace:
        c = org_services.create_organization
        today = timezone.localdate()
        fed = c(actor=root, parent=None, kind=OrgKind.FEDERATION, name="钱塘经济开发区总工会", chair_name="沈建华",
                contact_name="办公室", contact_phone="0571-86000000", address="杭州市钱塘区学源街 1 号",
                founded_on=dt.date(1993, 5, 1), term_ends_on=dt.date(2028, 5, 1))
        streets, joints, industries, others = [], [], [], []
        for sname, chair in (("白杨街道", "方丽娟"), ("下沙街道", "俞国平")):
            s = c(actor=root, parent=fed, kind=OrgKind.STREET, name=f"{sname}总工会", chair_name=chair,
                  contact_phone="0571-8600" + str(1000 + len(streets)), address=f"杭州市钱塘区{sname}办事处",
                  founded_on=dt.date(2002, 3, 1), term_ends_on=dt.date(2027, 3, 1))
            streets.append(s)
            for i, area in enumerate(("第一", "第二", "第三")):
                joints.append(c(actor=root, parent=s, kind=OrgKind.JOINT, name=f"{sname}{area}联合工会",
                                chair_name=rng.choice(SURNAMES) + rng.choice(GIVEN), founded_on=dt.date(2010 + i, 6, 1),
                                term_ends_on=today + dt.timedelta(days=200 + 300 * i)))
            others += [c(actor=root, parent=s, kind=OrgKind.YOUTH, name=f"{sname}团工委"),
                       c(actor=root, parent=s, kind=OrgKind.WOMEN, name=f"{sname}妇工委")]
        for name, s in (("物流快递行业工会", streets[0]), ("生物医药行业工会", streets[1]),
                        ("电子信息行业工会", streets[0]), ("商贸服务行业工会", streets[1])):
            industries.append(c(actor=root, parent=s, kind=OrgKind.INDUSTRY, name=name))
        others += [c(actor=root, parent=fed, kind=OrgKind.YOUTH, name="开发区团工委"),
                   c(actor=root, parent=fed, kind=OrgKind.WOMEN, name="开发区妇工委"),
                   c(actor=root, parent=fed, kind=OrgKind.PARTY, name="总工会机关党支部")]
        return SimpleNamespace(fed=fed, streets=streets, joints=joints, industries=industries, others=others,
                               unions=[*joints], enterprises=[], users={}, rng=rng, today=today, root=root,
                               log=lambda m: self.stdout.write(f"  {m}"))

    def _enterprises(self, root, rng, ctx, n):
        industry_by_code = {i.value: i for i in Industry}
        for i in range(n):
            street = ctx.streets[i % 2]
            trade, section = rng.choice(TRADES)
            size = rng.choices([Size.LARGE, Size.MEDIUM, Size.SMALL, Size.MICRO], [5, 15, 40, 40])[0]
            headcount = {"large": rng.randint(1000, 3000), "medium": rng.randint(300, 999),
                         "small": rng.randint(20, 299), "micro": rng.randint(3, 19)}[size]
            body = f"91330114{'MA2' if i % 3 else '7'}{i:06d}".ljust(17, "0")[:17]
            body = body[:8] + body[8:].replace("I", "J")
            code = body + uscc.calc_check_digit(body)
            ownership = rng.choices([Ownership.PRIVATE, Ownership.FOREIGN, Ownership.STATE, Ownership.HMT,
                                     Ownership.NEW_ECONOMIC, Ownership.NEW_SOCIAL, Ownership.INDIVIDUAL],
                                    [60, 10, 5, 5, 10, 5, 5])[0]
            suffix = "有限公司" if ownership != Ownership.NEW_SOCIAL else "服务中心"
            e = Enterprise.objects.create(
                name=f"杭州{FIRMS[i % len(FIRMS)]}{trade}{suffix}" + (f"（{i // len(FIRMS)}）" if i >= len(FIRMS) else ""),
                credit_code=code, industry=industry_by_code[section], size=size, ownership=ownership, street=street,
                address=f"杭州市钱塘区{['白杨', '下沙'][i % 2]}街道{rng.choice(['学林', '文渊', '福城', '海达', '和顺'])}街{rng.randint(1, 999)}号",
                headcount=headcount)
            roll = rng.random()
            if roll < 0.42 or size == Size.LARGE:  # its own base union under a joint or industry union
                parent = rng.choice([j for j in ctx.joints if j.parent_id == street.pk] +
                                    [u for u in ctx.industries if u.parent_id == street.pk])
                u = org_services.create_organization(
                    actor=root, parent=parent, kind=OrgKind.BASE, name=f"{e.name}工会", enterprise=e,
                    chair_name=rng.choice(SURNAMES) + rng.choice(GIVEN), founded_on=dt.date(rng.randint(2005, 2024), 7, 1),
                    term_ends_on=ctx.today + dt.timedelta(days=rng.randint(-30, 1500)))
                ctx.unions.append(u)
                if size in (Size.LARGE, Size.MEDIUM) and rng.random() < 0.3:
                    org_services.create_organization(actor=root, parent=u, kind=OrgKind.WOMEN, name=f"{e.name}女职工委员会")
                e.covering_union = u
            elif roll < 0.70:  # covered by the street's joint union (small and micro firms)
                e.covering_union = rng.choice([j for j in ctx.joints if j.parent_id == street.pk])
                Enterprise.objects.filter(pk=e.pk).update(covering_union=e.covering_union)
            else:
                Enterprise.objects.filter(pk=e.pk).update(needs_union_founding=rng.random() < 0.5)
            ctx.enterprises.append(e)

    def _people(self, rng, ctx, n):
        covered = [e for e in ctx.enterprises if e.covering_union_id]
        uncovered = [e for e in ctx.enterprises if not e.covering_union_id]
        weights = [min(e.headcount, 400) for e in covered]
        unions = {u.pk: u for u in Organization.objects.filter(kind__in=[OrgKind.BASE, OrgKind.JOINT, OrgKind.INDUSTRY])}
        today = ctx.today
        people, union_of = [], []
        for i in range(n):
            gender = "F" if rng.random() < 0.44 else "M"
            birth = dt.date(1962, 1, 1) + dt.timedelta(days=(i * 7919) % 16000)
            region = REGIONS[i % len(REGIONS)]
            number = make_id_number(region, birth, i // 16000 + (i % 7) * 3, gender)
            mobile = f"1{rng.choice(['38', '39', '58', '59', '86', '87', '35', '36'])}{(i * 48271 + 1234567) % 100_000_000:08d}"
            info, phone = check_identity(number, mobile=mobile)
            member = rng.random() < 0.85
            employer = rng.choices(covered, weights)[0] if member else rng.choice(uncovered or covered)
            union = unions.get(employer.covering_union_id) if member else None
            political = rng.choices([Political.MASSES, Political.CPC, Political.LEAGUE, Political.DEMOCRATIC],
                                    [70, 15, 14, 1])[0]
            p = Person(name=rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
                       org=union or employer.street, employer=employer, employer_name=employer.name,
                       job=rng.choice(JOBS), education=rng.choice(Education.values), ethnicity=rng.choice(ETHNIC),
                       political_status=political, is_migrant=region not in ("330114", "330104", "330106", "330103")
                       and rng.random() < 0.7, is_frontline=rng.random() < 0.55, is_model_worker=rng.random() < 0.01)
            seal_identity(info, phone).apply(p)
            people.append(p)
            union_of.append(union)
        Person.objects.bulk_create(people, batch_size=2000)
        numbers = iter(reserve_member_numbers(sum(1 for u in union_of if u)))
        ms = [Membership(person=p, union=u, status=MembershipStatus.MEMBER, member_no=next(numbers),
                         joined_on=today - dt.timedelta(days=rng.randint(1, 3650)))
              for p, u in zip(people, union_of) if u]
        Membership.objects.bulk_create(ms, batch_size=2000)
        ctx.people_count, ctx.member_count = len(people), len(ms)

    def _users(self, ctx):
        def user(username, display, org=None, roles=(), superuser=False):
            u = User(username=username, display_name=display, is_staff=True, is_superuser=superuser)
            u.set_password(DEMO_PASSWORD)
            u.save()
            for r in roles:
                StaffRole.objects.create(user=u, organization=org, role=r)
                audit.record(actor=None, action="role.grant", obj=u, org_path=org.path,
                             detail={"user": username, "role": r})
            ctx.users[username] = u
            return u

        user("admin", "平台管理员", superuser=True)
        for prefix, org, label in (("qt", ctx.fed, "总工会"), ("by", ctx.streets[0], "白杨街道"),
                                   ("xs", ctx.streets[1], "下沙街道")):
            for role, rlabel in (("admin", "管理员"), ("reviewer", "审核员"), ("viewer", "查看员"),
                                 ("auditor", "审计员")):
                user(f"{prefix}_{role}", f"{label}{rlabel}", ctx.fed if prefix == "qt" else org, [role])
        user("jd_admin", "白杨第一联合工会管理员", ctx.joints[0], ["admin"])
        base = next(u for u in ctx.unions if u.kind == OrgKind.BASE and u.path.startswith(ctx.streets[0].path))
        user("base_admin", f"{base.name}管理员", base, ["admin", "reviewer"])

    def _print_logins(self):
        self.stdout.write("\n演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        rows = [("admin", "平台管理员（全区，超级用户）"), ("qt_admin / qt_reviewer / qt_viewer / qt_auditor", "总工会各角色"),
                ("by_admin / by_reviewer / by_viewer / by_auditor", "白杨街道总工会各角色"),
                ("xs_admin / xs_reviewer / xs_viewer / xs_auditor", "下沙街道总工会各角色"),
                ("jd_admin", "白杨街道第一联合工会管理员"), ("base_admin", "一家企业基层工会管理员兼审核员")]
        for u, d in rows:
            self.stdout.write(f"  {u:52s} {d}")
        self.stdout.write("工作台：http://127.0.0.1:8000/console/   后台：/admin/   会员 H5：/m/   API 文档：/api/docs")
        if getattr(settings, "LIANXIN_STAFF_OTP", "required") == "off":
            self.stdout.write("工作人员二次验证：已关闭（LIANXIN_STAFF_OTP=off，仅本地演示，由 var/local.env 设置；"
                              "生产环境默认开启，登录需手机验证器动态码）")
        else:
            self.stdout.write("工作人员二次验证：已开启（LIANXIN_STAFF_OTP=required）。首次登录扫码绑定手机验证器并保存"
                              "备用验证码；本地演示可在 var/local.env 写 LIANXIN_STAFF_OTP=off 关闭")
