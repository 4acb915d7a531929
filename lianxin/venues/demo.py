"""Demo service sites for ``manage.py seed_demo``: each street gets a 职工之家, 心理疏导室, 爱心妈咪小屋 and
工会驿站, plus the universities' shared sports facilities, with coordinates around the Xiasha campus area,
and bookable sites get slots for the next 7 days. Deterministic and fast."""

from __future__ import annotations

import datetime as dt

from . import services

# (street index, kind, name, address, lat, lng, bookable, hours, equipment)
SITES = [
    (0, "home", "白杨街道职工之家", "白杨街道学林街 508 号", 30.3152, 120.3436, True, "周一至周六 9:00-21:00",
     "阅览室、健身房、乒乓球室、职工书屋"),
    (0, "counsel", "白杨街道职工心理疏导室", "白杨街道 2 号大街 501 号 3 楼", 30.3121, 120.3489, True,
     "周二、周四 14:00-18:00", "个体咨询室、放松椅、沙盘"),
    (0, "mother", "智慧谷爱心妈咪小屋", "白杨街道智慧谷 A 座 2 楼", 30.3089, 120.3511, False, "工作日 8:30-17:30",
     "冰箱、消毒柜、哺乳椅、婴儿护理台"),
    (0, "station", "学源街工会驿站", "白杨街道学源街 1158 号", 30.3176, 120.3380, False, "全天开放",
     "饮水、热饭微波炉、充电、休息座椅、应急药箱"),
    (0, "sports", "浙江理工大学下沙校区体育馆（共享）", "白杨街道 2 号大街 928 号", 30.3190, 120.3530, True,
     "周六、周日 9:00-17:00", "羽毛球场 8 片、篮球场 2 片、更衣室"),
    (0, "sports", "杭州电子科技大学田径场（共享）", "白杨街道 2 号大街 1158 号", 30.3155, 120.3410, True,
     "每日 6:00-8:00、18:00-21:00", "400 米塑胶跑道、足球场"),
    (1, "home", "下沙街道职工之家", "下沙街道文泽路 199 号", 30.2940, 120.3820, True, "周一至周日 9:00-20:00",
     "职工书屋、健身房、舞蹈室、亲子活动室"),
    (1, "counsel", "下沙街道心理疏导室", "下沙街道福城路 291 号", 30.2905, 120.3760, True,
     "周一、周三、周五 13:30-17:30", "个体咨询室、团体辅导室"),
    (1, "mother", "金沙湖爱心妈咪小屋", "下沙街道金沙湖商务中心 1 楼", 30.3011, 120.3705, False,
     "工作日 8:30-18:00", "哺乳椅、冰箱、温奶器"),
    (1, "station", "下沙快递小哥驿站", "下沙街道幸福南路 1128 号", 30.2872, 120.3890, False, "全天开放",
     "饮水、充电、热饭、雨具借用"),
    (1, "sports", "浙江工商大学体育馆（共享）", "下沙街道学正街 18 号", 30.3080, 120.3950, True,
     "周六、周日 8:00-18:00", "篮球馆、游泳馆（需自备泳帽）"),
]


def seed(ctx) -> None:
    admins = [ctx.users.get("by_admin") or ctx.users["qt_admin"], ctx.users.get("xs_admin") or ctx.users["qt_admin"]]
    first_day = ctx.today + dt.timedelta(days=1)
    slots = 0
    for street_i, kind, name, address, lat, lng, bookable, hours, equipment in SITES:
        street = ctx.streets[street_i]
        actor = admins[street_i]
        site = services.create_site(actor=actor, org=street, street=street, kind=kind, name=name, address=address,
                                    latitude=lat, longitude=lng, bookable=bookable, opening_hours=hours,
                                    equipment=equipment, contact_name="值班员",
                                    contact_phone=f"0571-8691{ctx.rng.randint(1000, 9999)}")
        if bookable:
            times = ([(dt.time(9), dt.time(11)), (dt.time(14), dt.time(16))] if kind != "counsel"
                     else [(dt.time(14), dt.time(15)), (dt.time(15), dt.time(16))])
            capacity = {"sports": 20, "home": 10, "counsel": 1}[kind]
            slots += services.create_slots(actor=actor, site_id=site.pk, first_day=first_day, days=7, times=times,
                                           capacity=capacity)
    ctx.log(f"服务阵地：{len(SITES)} 处，开放预约时段 {slots} 个（未来 7 天）")
