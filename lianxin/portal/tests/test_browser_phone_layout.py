"""The member pages on a 375 px phone (Chromium, zh-CN, Asia/Shanghai): nothing wider than the screen (no
sideways scrolling in WeChat), the buttons and links a member taps are at least 40 px high (a thumb, not a
stylus), no text smaller than 14 px, and the home page stays light (HTML + CSS + JS bytes, for cheap phones on
a weak signal). One screenshot per page goes to screenshot_dir as ``portal-layout-<name>.png``."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client

from lianxin.activities.models import Activity
from lianxin.content.models import Article, Book
from lianxin.core.models import Notification
from lianxin.venues.models import Site
from lianxin.workflow.models import Application

from .test_portal_crawl import world  # noqa: F401  (the fixture: one of everything a member can open)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_TAP = 40
MIN_FONT = 14
HOME_BUDGET = 40 * 1024  # HTML + CSS + JS of /m/, uncompressed; today it is well under a quarter of this

# What a member taps to get somewhere: buttons, the tab bar, the home grid, the back arrow, the first link of a
# list row (the row's title), pagers and the calendar. Links inside running text are not targets of their own.
TARGETS = ("button, input:not([type=hidden]), select, textarea, .m-btn, .m-tabs a, .m-grid a, .m-top a, "
           ".m-list > li > a:first-child, .m-pager a, .cal-nav a, .cal td.has a, .m-more, .m-chips a, .m-links a")

MEASURE = """(targets) => {
  // A phone browser zooms out to fit a too-wide page, and then innerWidth grows with it: compare with the
  // screen's width as well, or the check could never fail on a mobile viewport.
  const vw = Math.min(window.innerWidth, screen.width);
  const out = {scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, wide: [], small: [], tiny: []};
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > vw + 0.5) out.wide.push(el.tagName + '.' + el.className + ' right=' + Math.round(r.right));
  }
  for (const el of document.querySelectorAll(targets)) {
    const r = el.getBoundingClientRect();
    if (!r.width || getComputedStyle(el).visibility === 'hidden') continue;
    if (r.height < %d) out.small.push(el.tagName + '.' + el.className + ' "' + (el.innerText || el.name || '').trim().slice(0, 20) + '" h=' + Math.round(r.height));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (!el.getBoundingClientRect().width) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < %d) out.tiny.push(el.tagName + '.' + el.className + ' "' + walker.currentNode.textContent.trim().slice(0, 12) + '" ' + size + 'px');
  }
  return out;
}""" % (MIN_TAP, MIN_FONT)


class Weigher:
    """Bytes of every response since the last navigation, by kind."""

    def __init__(self, page):
        self.responses = []
        page.on("response", lambda r: self.responses.append(r))

    def take(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for r in self.responses:
            kind = r.request.resource_type  # document, stylesheet, script, image, font, ...
            try:
                sizes[kind] = sizes.get(kind, 0) + len(r.body())
            except Exception:  # a redirect has no body
                pass
        self.responses.clear()
        return sizes


def sign_in(page, base, user):
    c = Client()
    c.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": base}])


def check(page, base, path, name, screenshot_dir, problems):
    page.goto(base + path)
    page.wait_for_load_state("load")
    page.screenshot(path=screenshot_dir / f"portal-layout-{name}.png", full_page=True)
    m = page.evaluate(MEASURE, TARGETS)
    if m["scrollWidth"] > m["innerWidth"]:
        problems.append(f"{path}: {m['scrollWidth']}px wide on a {m['innerWidth']}px screen: {m['wide'][:5]}")
    if m["small"]:
        problems.append(f"{path}: tap targets under {MIN_TAP}px: {m['small'][:6]}")
    if m["tiny"]:
        problems.append(f"{path}: text under {MIN_FONT}px: {m['tiny'][:6]}")


def test_member_pages_fit_a_phone(live_server, phone_page, screenshot_dir, world):  # noqa: F811
    base, page = live_server.url, phone_page
    assert page.viewport_size["width"] == 375
    weigher = Weigher(page)
    sign_in(page, base, world.user)
    page.goto(base + "/m/")
    page.wait_for_load_state("load")
    home = weigher.take()
    weight = home.get("document", 0) + home.get("stylesheet", 0) + home.get("script", 0)
    print(f"\nhome page weight: {weight} bytes (HTML {home.get('document', 0)}, CSS {home.get('stylesheet', 0)}, "
          f"JS {home.get('script', 0)}; all responses {sum(home.values())})")
    assert weight <= HOME_BUDGET, home
    assert all(urlparse(r.url).netloc == urlparse(base).netloc for r in weigher.responses)

    activity = Activity.objects.get(title="端午包粽子比赛")
    epub = Book.objects.get(format="epub")
    pages = {
        "home": "/m/", "card": "/m/card/", "me": "/m/me/", "calendar": f"/m/activities/?month={activity.starts_at:%Y-%m}",
        "activity": f"/m/activities/{activity.pk}/", "news": "/m/news/",
        "article": f"/m/news/{Article.objects.get(title='白杨街道举办职工技能大赛').pk}/", "weekly": "/m/news/weekly/",
        "books": "/m/books/", "book": f"/m/books/{epub.pk}/", "read": f"/m/books/{epub.pk}/read/?ch=1",
        "sites": "/m/sites/", "site": f"/m/sites/{Site.objects.get().pk}/", "bookings": "/m/my/bookings/",
        "services": "/m/services/", "join": "/m/join/", "applications": "/m/my/applications/",
        "application": f"/m/my/applications/{Application.objects.get().pk}/", "missing": "/m/activities/999999/",
        "messages": "/m/messages/", "message": f"/m/messages/{Notification.objects.filter(user=world.user).first().pk}/",
    }
    problems: list[str] = []
    for name, path in pages.items():
        check(page, base, path, name, screenshot_dir, problems)
    page.context.clear_cookies()
    for name, path in {"login": "/m/login/", "visitor-home": "/m/"}.items():
        check(page, base, path, name, screenshot_dir, problems)
    assert not problems, "\n".join(problems)


def test_form_errors_show_next_to_the_field(live_server, phone_page, screenshot_dir, world):  # noqa: F811
    """A member who submits the transfer form empty is told, in Chinese, at the top of the form and next to the
    field, what is missing; the summary links to the field."""
    base, page = live_server.url, phone_page
    sign_in(page, base, world.user)
    page.goto(base + "/m/apply/transfer/")
    page.click("#submit")
    page.wait_for_selector(".has-error .m-error")
    assert re.search(r"[\u4e00-\u9fff]", page.inner_text(".has-error .m-error"))
    # the summary at the top of the form (the member is taken back to the top) names the field and links to it
    summary = page.locator("#field-errors")
    assert summary.is_visible() and "转会原因" in summary.inner_text()
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.id || location.hash") in ("f-reason", "#f-reason")
    page.screenshot(path=screenshot_dir / "portal-layout-form-error.png", full_page=True)
    m = page.evaluate(MEASURE, TARGETS)
    assert m["scrollWidth"] <= m["innerWidth"], m["wide"]
