"""班组长培训 in Chromium, as the people involved do it: the federation's administrator goes 教育培训 → 发布培训班,
first gives 0 places and is told so in Chinese, publishes a two-session class and gives 白杨街道 a quota; the
grassroots union's administrator finds the class, opens 为班组长报名, looks a team leader up by name and enrols
her; after the class the organiser records both 课次, enters the score (a typo is refused naming the trainee) and
issues the certificates; the member signs in on a phone (375 px), goes 我的 → 教育培训 and sees her certificate
number and downloads its PDF, whose public verification page opens on a phone without signing in (her name
masked), and a street's staff verify the number. No JavaScript error, nothing from another origin, no sideways scroll
on the phone. Screenshots: test-artifacts/training-*.png."""

import re

import pytest
from django.utils import timezone

from lianxin.assistance.tests.test_browser_hardship import console_login, console_logout, sms_login, watch
from lianxin.training.models import ClassQuota, Enrolment, TrainingClass
from lianxin.training.testing import end_class, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13755558888"


def _no_sideways_scroll(pg):
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page wider than the phone: {width}px"


def test_publish_enrol_attend_score_certify(live_server, district, phone_page, page, screenshot_dir):
    d, base = district, live_server.url
    m = make_member(d.base_a1, "钱丽娟", gender="F", mobile_no=MOBILE)
    make_member(d.base_a1, "赵大海")
    errors, foreign = [], []
    ph, c = phone_page, page
    watch(ph, base, errors, foreign)
    watch(c, base, errors, foreign)
    today = timezone.localdate()

    # 1. the federation publishes a class and gives the street a quota
    console_login(c, base, "fed.admin")
    c.locator(".mainnav").get_by_role("link", name="教育培训", exact=True).click()
    c.get_by_role("link", name="发布培训班").click()
    c.select_option("[name=org]", label=d.fed.name)
    c.fill("[name=title]", "2027 年第一期班组长培训班")
    c.fill("[name=place]", "区职工服务中心三楼")
    c.fill("[name=starts_on]", (today + timezone.timedelta(days=10)).isoformat())
    c.fill("[name=ends_on]", (today + timezone.timedelta(days=12)).isoformat())
    c.fill("[name=signup_deadline]", (today + timezone.timedelta(days=7)).isoformat())
    c.fill("[name=hours]", "16")
    c.fill("[name=sessions]", "2")
    c.fill("[name=pass_mark]", "60")
    c.fill("[name=places]", "0")
    c.get_by_role("button", name="保存").click()
    c.wait_for_selector("text=名额应为 1 至 10000")
    assert c.input_value("[name=title]") == "2027 年第一期班组长培训班"  # nothing typed is lost
    c.fill("[name=places]", "30")
    c.get_by_role("button", name="保存").click()
    c.wait_for_url(re.compile(r"/console/training/\d+/$"))
    k = TrainingClass.objects.get()
    assert (k.places, k.sessions, k.hours) == (30, 2, 16)
    c.select_option("#quota-form [name=union]", label=d.street_a.name)
    c.fill("#quota-form [name=quota]", "5")
    c.click("#quota-form button")
    c.wait_for_selector(".messages")
    assert f"{d.street_a.name}：分配 5 个名额" in c.inner_text(".messages")
    console_logout(c)

    # 2. the grassroots union enrols its team leader from its roster
    console_login(c, base, "base_a1.admin")
    c.goto(f"{base}/console/training/")
    c.get_by_role("link", name="2027 年第一期班组长培训班").click()
    c.click("#enrol-link")
    c.fill("[name=q]", "钱")
    c.get_by_role("button", name="查找").click()
    assert "赵大海" not in c.inner_text("#roster") and "137****8888" in c.inner_text("#roster")
    c.click(f"#enrol-{m.person.pk}")
    c.wait_for_selector(".messages")
    assert "已为钱丽娟报名" in c.inner_text(".messages")
    assert c.inner_text("#enrol-remaining") == "29"
    e = Enrolment.objects.get()
    assert ClassQuota.objects.get().remaining == 4
    console_logout(c)

    # 3. after the class the organiser records both sessions, the score, and issues the certificates
    end_class(k)
    console_login(c, base, "fed.admin")
    c.goto(f"{base}/console/training/{k.pk}/")
    for n in (1, 2):
        c.click(f"#session-{n}")
        c.check(f"#present-{e.pk}")
        c.click("#save-attendance")
        c.wait_for_selector(".messages")
        assert f"第 {n} 课次点名已保存" in c.inner_text(".messages")
    c.click("#scores-link")
    c.fill(f"#score-{e.pk}", "8o")
    c.click("#save-scores")
    c.wait_for_selector("#scores-error")
    assert "钱丽娟的成绩应为 0 至 100 的整数" in c.inner_text("#scores-error")
    c.fill(f"#score-{e.pk}", "86")
    c.click("#save-scores")
    c.wait_for_selector(".messages")
    c.click("#issue-certificates")
    c.wait_for_selector(".messages")
    e.refresh_from_db()
    assert e.certificate_no == f"{today.year}00001"
    assert "已为 1 名合格学员发放结业证书" in c.inner_text(".messages")
    assert e.certificate_no in c.inner_text(f"#enrolment-{e.pk}")
    c.screenshot(path=str(screenshot_dir / "training-console.png"), full_page=True)
    console_logout(c)

    # 4. the member sees the certificate on the phone
    sms_login(ph, base, MOBILE)
    ph.goto(f"{base}/m/me/")
    ph.click("#training-link")
    ph.wait_for_url(f"{base}/m/training/")
    cert = ph.inner_text(f"#certificate-{e.pk}")
    assert e.certificate_no in cert
    assert "出勤 2/2 课次" in ph.inner_text(f"#training-{e.pk}") and "86 分" in ph.inner_text(
        f"#training-{e.pk}"
    )
    _no_sideways_scroll(ph)
    ph.screenshot(path=str(screenshot_dir / "training-phone.png"), full_page=True)
    # her certificate as a PDF, and its QR code's public page opened on a phone (no login needed)
    pdf = ph.request.get(base + ph.get_attribute(f"#certificate-pdf-{e.pk}", "href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF") and b"STSong-Light" in pdf.body()
    (screenshot_dir / "training-certificate.pdf").write_bytes(pdf.body())
    e.refresh_from_db()
    public = ph.context.browser.new_context(viewport={"width": 375, "height": 740}).new_page()
    watch(public, base, errors, foreign)
    public.goto(f"{base}/verify/training/{e.certificate_token}/")
    assert "证书真实有效" in public.inner_text("#verify") and "钱*娟" in public.inner_text("#verify")
    assert "钱丽娟" not in public.content()
    _no_sideways_scroll(public)
    public.screenshot(path=str(screenshot_dir / "training-verify-public.png"), full_page=True)
    public.context.close()

    # 5. a street's staff verify the number she shows them
    console_login(c, base, "street_a.viewer")
    c.goto(f"{base}/console/training/verify/")
    c.fill("[name=no]", e.certificate_no)
    c.get_by_role("button", name="查验").click()
    c.wait_for_selector("#certificate-found")
    assert "钱丽娟" in c.inner_text("#certificate-found")
    assert errors == [] and foreign == []
