"""Chromium, desktop console: an author writes and submits, a reviewer of the street publishes, the article
appears on the member page. Screenshots in screenshot_dir."""

import pytest

from lianxin.content.models import Article
from lianxin.core.testing import PASSWORD


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button")
    page.wait_for_url(f"{base}/console/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_write_submit_review_publish(page, live_server, district, screenshot_dir):
    base = live_server.url
    _login(page, base, "base_a1.admin")
    page.goto(f"{base}/console/content/new/")
    page.select_option("select[name=category]", "notice")
    page.select_option("select[name=kind]", "announcement")
    page.fill("input[name=title]", "关于元旦职工健步走活动的通知")
    page.fill("textarea[name=body]", "时间：1月1日上午9点。\n\n地点：金沙湖公园。<script>alert(1)</script>")
    page.click("form.card button")
    page.wait_for_url(f"{base}/console/content/*/")
    page.click("text=提交审核")
    page.wait_for_selector("text=已提交审核")
    page.screenshot(path=str(screenshot_dir / "content-console-submitted.png"), full_page=True)
    a = Article.objects.get(title="关于元旦职工健步走活动的通知")
    assert a.status == "pending"

    _login(page, base, "street_a.reviewer")
    page.goto(f"{base}/console/content/review/")
    page.click(f"text={a.title}")
    page.screenshot(path=str(screenshot_dir / "content-console-review.png"), full_page=True)
    page.click("text=审核通过并发布")
    page.wait_for_selector("text=已发布")
    a.refresh_from_db()
    assert a.status == "published" and a.reviewer.username == "street_a.reviewer"

    page.goto(f"{base}/m/news/{a.pk}/")
    assert "地点：金沙湖公园。<script>alert(1)</script>" in page.inner_text("article")
    page.screenshot(path=str(screenshot_dir / "content-member-article.png"), full_page=True)
