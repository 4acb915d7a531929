"""The dashboard's one write: the figures as an Excel report, audited like every export (DESIGN rule 3).

The report holds counts only — no name, ID number or mobile — so any staff role that may see the organisation may
take it; the audit entry says who took which organisation's figures for which year."""

from __future__ import annotations

import io

from django.db import transaction

from lianxin.core import audit
from lianxin.core.excel import write_report

from . import selectors


def report_sheets(data: dict) -> list[tuple[str, list[str], list[list]]]:
    """The figures as the report's sheets: (name, header, rows)."""
    mem, ent, app, act = data["members"], data["enterprises"], data["applications"], data["activities"]
    summary = [
        ["统计组织", data["org_name"]],
        ["统计年度", data["year"]],
        ["统计截至", data["as_of"]],
        ["数据生成时间", data["counted_at"]],
        ["工会组织数（基层、联合工会）", data["unions"]],
        ["基层工会数", data["base_unions"]],
        ["本届任期已届满的工会", data["term_overdue"]],
        ["90 天内任期届满的工会", data["term_soon"]],
        ["有效法人资格证书", data["certificates"]],
        ["在册会员", mem["total"]],
        ["本年新入会", mem["joined"]],
        ["本年退会", mem["left"]],
        ["女职工会员", mem["women"]],
        ["女职工会员占比（%）", mem["women_pct"]],
        ["青年会员（35岁及以下）", mem["youth"]],
        ["青年会员占比（%）", mem["youth_pct"]],
        ["农民工会员", mem["migrant"]],
        ["一线职工会员", mem["frontline"]],
        ["劳模会员", mem["model"]],
        ["党员会员", mem["party"]],
        ["辖区企业", ent["total"]],
        ["已建会企业", ent["covered"]],
        ["企业建会率（%）", ent["rate"]],
        ["小微企业", ent["small_micro"]],
        ["已建会小微企业", ent["small_micro_covered"]],
        ["小微企业建会率（%）", ent["small_micro_rate"]],
        ["待建会跟进企业", ent["needs_founding"]],
        ["企业职工人数", ent["workers"]],
        ["已建会企业职工人数", ent["workers_covered"]],
        ["职工覆盖率（%）", ent["worker_rate"]],
        ["会员数占企业职工人数（%）", ent["membership_rate"]],
        ["本年受理申请", app["submitted"]],
        ["待审核申请", app["pending"]],
        ["超期未办环节", app["overdue"]],
        ["本年办结", app["finished"]],
        ["零跑腿率（%）", app["zero_trip_pct"]],
        ["最多跑一次率（%）", app["one_trip_pct"]],
        ["本年活动", act["held"]],
        ["有活动的月份", f"{act['months_with_activity']}/{act['months']}"],
        ["活动报名人次", act["signed_up"]],
        ["活动签到人次", act["checked_in"]],
        ["签到率（%）", act["checkin_pct"]],
        ["本年发布文章", data["content"]["articles"]],
        ["职工书屋电子书", data["content"]["books"]],
        ["开放的服务阵地", data["venues"]["sites"]],
        ["本年预约", data["venues"]["bookings"]],
        ["预约到场", data["venues"]["attended"]],
        ["在档困难职工", data["assistance"]["on_file"]],
        ["本年帮扶人次", data["assistance"]["aided"]],
        ["本年帮扶金额（元）", data["assistance"]["aid_fen"] / 100],
        ["本年送温暖人次", data["assistance"]["condoled"]],
        ["本年送温暖金额（元）", data["assistance"]["condolence_fen"] / 100],
        *work_summary(data),
    ]
    children = [
        [
            c["name"],
            c["kind"],
            c["unions"],
            c["members"],
            c["women"],
            c["youth"],
            c["joined"],
            c["enterprises"],
            c["enterprises_covered"],
            c["coverage_rate"],
            c["pending"],
            c["activities"],
        ]
        for c in data["children"]
    ]
    months = [[t["month"], t["joined"], t["left"], t["activities"], t["articles"]] for t in data["trend"]]
    return [
        ("概览", ["指标", "数值"], summary),
        (
            "下级单位",
            [
                "单位",
                "类型",
                "工会数",
                "在册会员",
                "女职工会员",
                "青年会员",
                "本年新入会",
                "企业",
                "已建会企业",
                "建会率（%）",
                "待审核申请",
                "本年活动",
            ],
            children,
        ),
        ("会员构成", ["年龄段", "会员数"], [[a["band"], a["count"]] for a in mem["ages"]]),
        ("逐月", ["月份", "新入会", "退会", "活动", "发布文章"], months),
        (
            "审批事项",
            ["事项", "本年受理", "通过", "不予通过", "待审核"],
            [
                [p["programme"], p["submitted"], p["approved"], p["rejected"], p["pending"]]
                for p in app["by_programme"]
            ],
        ),
        (
            "企业规模",
            ["规模", "企业数", "已建会"],
            [[s["size"], s["total"], s["covered"]] for s in ent["by_size"]],
        ),
        (
            "下级单位工会服务",
            [h for h, _k in WORK_CHILD_COLUMNS],
            [
                [
                    c["name"],
                    *[(c[k] / 100 if k.endswith("_fen") else c[k]) for _h, k in WORK_CHILD_COLUMNS[1:]],
                ]
                for c in data["children"]
            ],
        ),
    ]


# the 下级单位工会服务 sheet: (header, child row field); money in 元
WORK_CHILD_COLUMNS = [
    ("单位", "name"),
    ("志愿者（已通过）", "volunteers"),
    ("志愿服务时长（小时）", "volunteer_hours"),
    ("志愿服务项目", "projects"),
    ("竞赛选手", "contestants"),
    ("竞赛称号", "titles"),
    ("创新成果申报", "innovation_entries"),
    ("命名职工之家", "homes_named"),
    ("逾期未换届", "terms_overdue"),
    ("本年换届", "elections"),
    ("医疗互助参加人数", "enrolled"),
    ("医疗互助应缴（元）", "owed_fen"),
    ("医疗互助到账（元）", "contributed_fen"),
    ("住院补助（元）", "medical_paid_fen"),
    ("平安返乡确认", "homeward"),
    ("购票补贴（元）", "homeward_paid_fen"),
    ("招聘岗位", "job_posts"),
    ("就业录用", "placements"),
    ("培训人次", "trainees"),
    ("培训结业", "certified"),
    ("教育补助人次", "education_grants"),
    ("教育补助（元）", "education_fen"),
    ("关爱行动参加人次", "care_attended"),
    ("托管儿童", "care_children"),
    ("爱心妈咪小屋", "care_rooms"),
    ("在册党员", "party_members"),
    ("三会一课", "party_meetings"),
    ("党费实收（元）", "party_dues_fen"),
    ("在岗社会化工会工作者", "social_workers"),
    ("社工走访企业（家次）", "worker_visits"),
    ("社工新建工会", "worker_unions_founded"),
    ("社工发展会员", "worker_members_recruited"),
]


def work_summary(data: dict) -> list[list]:
    """The 概览 rows of the union services (工会志愿者 … 就业帮扶)."""
    v, t, g, m, h, j = (
        data[k] for k in ("volunteers", "talent", "governance", "mutualaid", "homeward", "jobs")
    )
    return [
        ["登记志愿者", v["registered"]],
        ["已通过志愿者", v["approved"]],
        ["本年志愿服务项目", v["projects"]],
        ["本年志愿服务时长（小时）", v["hours"]],
        ["本年劳动竞赛", t["competitions"]],
        ["本年竞赛选手", t["contestants"]],
        ["本年授予竞赛称号（技术能手等）", t["titles"]],
        ["本年创新成果申报", t["innovation_entries"]],
        ["本年创新成果获奖", t["innovation_awards"]],
        ["本年命名模范职工之家", g["homes_named"]],
        ["逾期未换届的工会", g["terms_overdue"]],
        ["本年换届选举", g["elections"]],
        ["医疗互助参加人数", m["enrolled"]],
        ["医疗互助应缴（元）", m["owed_fen"] / 100],
        ["医疗互助到账（元）", m["contributed_fen"] / 100],
        ["医疗互助未到账（元）", m["outstanding_fen"] / 100],
        ["住院补助人次", m["payments"]],
        ["住院补助金额（元）", m["paid_fen"] / 100],
        ["平安返乡确认人数", h["confirmed"]],
        ["其中返乡专车", h["coach"]],
        ["购票补贴发放人数", h["subsidies"]],
        ["购票补贴金额（元）", h["subsidy_fen"] / 100],
        ["本年招聘岗位", j["posts"]],
        ["招聘人数", j["openings"]],
        ["本年就业录用", j["placements"]],
        *people_summary(data),
    ]


def people_summary(data: dict) -> list[list]:
    """The 概览 rows of 教育培训, 女职工与留守关爱, 党支部工作 and 社会化工会工作者."""
    t, c, p, w = (data[k] for k in ("training", "care", "party", "workers"))
    return [
        ["本年培训班", t["classes"]],
        ["本年培训人次", t["trainees"]],
        ["本年培训结业人数", t["certified"]],
        ["本年教育补助人次", t["grants"]],
        ["本年教育补助金额（元）", t["grant_fen"] / 100],
        ["本年女职工关爱行动", c["campaigns"]],
        ["关爱行动报名人次", c["signed_up"]],
        ["关爱行动参加人次", c["attended"]],
        ["本年暑期托管班", c["classes"]],
        ["托管儿童", c["children"]],
        ["爱心妈咪小屋（已审核）", c["rooms"]],
        ["其中已评定星级", c["rooms_starred"]],
        ["在册党员", p["members"]],
        ["其中预备党员", p["probationary"]],
        ["本年三会一课", p["meetings"]],
        ["本年主题党日", p["theme_days"]],
        ["本年党费实收（元）", p["dues_fen"] / 100],
        ["在岗社会化工会工作者", w["in_post"]],
        ["社工已确认工作记录", w["logs"]],
        ["社工走访企业（家次）", w["visits"]],
        ["社工新建工会", w["unions_founded"]],
        ["社工发展会员", w["members_recruited"]],
        ["社工调解劳动争议", w["disputes_mediated"]],
    ]


def export_dashboard(*, actor, org, year: int) -> tuple[bytes, str]:
    """The report of ``org``'s figures for ``year`` as xlsx bytes and a file name; audited."""
    data = selectors.overview(actor=actor, org=org, year=year)
    buf = io.BytesIO()
    write_report(buf, report_sheets(data))
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="dashboard.export",
            obj=org,
            org_path=org.path,
            detail={"year": year, "org": org.name},
        )
    return buf.getvalue(), f"{org.name}-{year}年工作数据.xlsx"
