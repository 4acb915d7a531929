"""Demo news and e-books for ``manage.py seed_demo``: a dozen articles across the six categories and the last
few weeks (through the real review flow), a few drafts waiting for review, two PDFs and two EPUBs with a
recommended list for this week and last, and last week's digest built. Deterministic (ctx.rng) and fast."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from . import samples, services
from .models import Article
from .weeks import current_week, shift

ARTICLES = [
    ("news", "article", "白杨街道举办“匠心杯”职工技能大赛", "来自 32 家企业的 180 名一线职工参加了钳工、电工、焊工三个工种的比拼。\n\n获奖选手将推荐参加区级“钱塘工匠”评选。"),
    ("notice", "announcement", "关于开展 2027 年职工疗休养报名的通知", "各基层工会：\n\n2027 年职工疗休养报名即日起开始，请于 12 月 20 日前通过“连心”平台提交名单。\n\n联系电话：0571-86000000"),
    ("policy", "article", "解读：新就业形态劳动者权益保障指引", "外卖骑手、快递员、网约车司机等新就业形态劳动者，同样享有获得劳动报酬、休息、劳动安全卫生等权利。\n\n工会将推动平台企业建立协商机制。"),
    ("law", "article", "普法小课堂：加班费怎么算？", "工作日延长工作时间，支付不低于工资 150% 的报酬；休息日安排工作又不能补休的，支付不低于 200%；法定节假日支付不低于 300%。"),
    ("youth", "article", "青年职工读书会第三期开讲", "本期主题为“数字技能与职业成长”，邀请高校教师与青年工匠对话。"),
    ("women", "article", "爱心妈咪小屋新增 6 家", "截至本月，开发区已建成爱心妈咪小屋 42 家，覆盖女职工 1.2 万人。"),
    ("news", "article", "下沙街道工会慰问一线环卫工人", "寒潮来临前，街道工会为 300 余名环卫工人送去棉衣和热饮。"),
    ("notice", "announcement", "高校体育场馆冬季开放时间调整", "自 12 月 1 日起，共享体育设施开放时间调整为 9:00—17:00，请提前在“阵地”页面预约。"),
    ("law", "article", "劳动合同到期不续签，有补偿吗？", "用人单位维持或提高劳动合同约定条件续订，劳动者不同意续订的除外，其他情形下劳动合同期满终止的，用人单位应当支付经济补偿。"),
    ("youth", "article", "“青工创新创效”项目征集启动", "围绕降本增效、安全生产、数字化改造征集青年职工创新项目，优秀项目给予资助。"),
    ("women", "article", "女职工特殊权益专项集体合同签订率达 95%", "开发区持续推进女职工权益保护专项集体合同，重点关注孕期、产期、哺乳期保护。"),
    ("policy", "article", "职工医疗互助保障计划 2027 年度参保指南", "参保对象为在职工会会员，每人每年 60 元，住院医疗费用可获二次补助。"),
    ("news", "article", "钱塘区总工会召开基层工会规范化建设推进会", "会议通报了基层工会换届、会员实名制和经费管理情况。"),
]


def _user(ctx, *names):
    for n in names:
        if n in ctx.users:
            return ctx.users[n]
    raise RuntimeError(f"seed_demo 未创建用户 {names}")


def seed(ctx) -> None:
    now = timezone.now()
    street_a, street_b = ctx.streets[0], ctx.streets[1]
    authors = [(ctx.fed, _user(ctx, "qt_admin"), _user(ctx, "qt_reviewer")),
               (street_a, _user(ctx, "by_admin"), _user(ctx, "by_reviewer", "qt_reviewer")),
               (street_b, _user(ctx, "xs_admin"), _user(ctx, "xs_reviewer", "qt_reviewer"))]
    for i, (cat, kind, title, body) in enumerate(ARTICLES):
        org, author, reviewer = authors[i % 3]
        a = services.create_article(actor=author, org=org, category=cat, kind=kind, title=title, body=body,
                                    summary=body.split("\n")[0][:60])
        services.submit_article(actor=author, article_id=a.pk)
        if i == len(ARTICLES) - 1:
            continue  # one left waiting for review
        services.publish_article(actor=reviewer, article_id=a.pk)
        # spread over the last four weeks so the weekly digest has history
        when = now - dt.timedelta(days=(i * 2.3) % 27, hours=ctx.rng.randint(0, 8))
        Article.objects.filter(pk=a.pk).update(published_at=when)
    services.create_article(actor=authors[1][1], org=street_a, category="news", title="（草稿）街道工会年终总结",
                            body="待补充")
    ctx.log(f"资讯：{len(ARTICLES) - 1} 篇已发布，1 篇待审核，1 篇草稿")

    admin = _user(ctx, "qt_admin")
    this_week, last_week = current_week(), shift(current_week(), -1)
    books = [
        ("pdf", "劳动法律法规汇编（职工读本）", "钱塘区总工会", this_week,
         ["第一条 为了保护劳动者的合法权益，调整劳动关系，建立和维护适应社会主义市场经济的劳动制度。",
          "第三条 劳动者享有平等就业和选择职业的权利、取得劳动报酬的权利、休息休假的权利。",
          "第三十六条 国家实行劳动者每日工作时间不超过八小时、平均每周工作时间不超过四十四小时的工时制度。"]),
        ("epub", "大国工匠的故事", "连心书屋 编", this_week,
         [("第一章 一把锉刀", ["他十八岁进厂当学徒，一把锉刀用了三十年。", "师傅说：手上的功夫，是一天一天磨出来的。"]),
          ("第二章 毫厘之间", ["零件的公差只有 0.003 毫米，比头发丝还细。", "他靠手感判断，误差从未超标。"]),
          ("第三章 传帮带", ["退休前，他带出了 26 名高级技师。", "“手艺要传下去，才算真的会了。”"])]),
        ("epub", "职工心理健康自助手册", "心理疏导室", last_week,
         [("第一章 认识压力", ["适度的压力让人专注，持续的高压需要及时疏导。"]),
          ("第二章 五分钟放松法", ["找一个安静的地方，慢慢吸气四秒，屏住四秒，呼气六秒。", "重复五次。"])]),
        ("pdf", "女职工权益保护问答", "开发区妇工委", last_week,
         ["问：怀孕女职工可以被安排夜班吗？", "答：对怀孕七个月以上的女职工，用人单位不得延长劳动时间或者安排夜班劳动。"]),
    ]
    for fmt, title, author_name, week, body in books:
        data = (samples.make_pdf(title, body) if fmt == "pdf" else samples.make_epub(title, body, author=author_name))
        services.upload_book(actor=admin, org=ctx.fed, title=title, author_name=author_name,
                             summary=f"《{title}》，职工书屋免费电子书。",
                             upload=SimpleUploadedFile(f"{title}.{fmt}", data), recommended_week=week,
                             cover=SimpleUploadedFile("cover.png", samples.make_png(90, 120, (192, 57, 43))))
    services.build_weekly_digest(week=last_week)
    ctx.log(f"书屋：{len(books)} 本电子书（PDF 与 EPUB），已编制 {last_week} 周报")

