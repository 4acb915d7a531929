"""Crawl the member H5 pages the way a union member meets them: start at /m/ and follow every same-site member
link breadth-first (bounded), once as a signed-in member, once as a signed-in worker who has not joined yet, and
once as an anonymous visitor. Every page must answer without a server error, and every HTML page must be a
Chinese mobile page: ``<html lang="zh-hans">``, a viewport meta tag, nothing loaded from another origin (the
platform runs on intranets where the internet is out of reach, and a CDN would leak who reads what), and no
untranslated English interface words or raw status codes where a Chinese label belongs.

The error pages a member can land on (a stale link, an expired form) are checked too: Django's built-in ones
are English, ``lang="en"`` and not made for a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.activities import services as activities
from lianxin.activities.testing import make_activity, make_member
from lianxin.core import notify
from lianxin.core.pagecheck import Page, choice_codes, report
from lianxin.core.pagecheck import crawl as walk
from lianxin.core.testing import PASSWORD

pytestmark = pytest.mark.django_db

START = "/m/"
MAX_PAGES = 250
MAX_DEPTH = 4  # month/week pagers lead on forever; four steps reach every page type from the home page
# Links that act (sign out), stream a file, or leave for WeChat; everything else under /m/ is a page to read.
SKIP = re.compile(r"^/m/(logout/|login/wechat/)|/(download|cover)/$|^/m/sites/photos/")


def raw_codes() -> set[str]:
    """The stored values of the choices members meet (states, kinds, categories): shown as such they are raw
    codes instead of the Chinese label."""
    from lianxin.activities.models import Signup
    from lianxin.content.models import Article
    from lianxin.venues.models import Booking, Site
    from lianxin.workflow.models import Application

    return choice_codes([Signup, Booking, Site, Article, Application])


def problems_of(url: str, html: str, codes: set[str]) -> tuple[list[str], Page]:
    """A Chinese phone page (pagecheck's checks) with a viewport, loading nothing from another origin."""
    page = Page(html)
    out = page.problems(codes)
    if not page.viewport or "width=device-width" not in page.viewport:
        out.append("no viewport meta tag")
    out += [f"loads from another origin: {u}" for u in page.foreign_urls()]
    return out, page


def crawl(client, codes: set[str], start: str = START) -> dict[str, int]:
    """Breadth-first over same-site /m/ links; fails on the first server error (the test client re-raises it)
    and on any page's problems. Returns {url: status}."""

    def check(url, resp, referrer):
        assert resp.status_code < 500, f"{url} answered {resp.status_code}"
        if resp.status_code in (301, 302, 303, 307, 308):
            return [], [resp["Location"]]
        if resp.status_code == 200 and resp.get("Content-Type", "").startswith("text/html"):
            found, page = problems_of(url, resp.content.decode(), codes)
            return found, page.links
        return [], []

    seen, problems = walk(client, start, check, inside="/m/", skip=SKIP, max_pages=MAX_PAGES, max_depth=MAX_DEPTH)
    assert not problems, report(problems, per_page=20)
    return seen


@pytest.fixture
def world(district, settings, tmp_path):
    """One of everything a member can open: activities (signed up, waitlisted), news, a weekly digest, an EPUB
    and a PDF book, a bookable site with a booking, an application under review, a message."""
    from lianxin.content import samples
    from lianxin.content import services as content
    from lianxin.content.tests.conftest import epub_book, pdf_book, publish
    from lianxin.venues import services as venues
    from lianxin.venues.models import Slot
    from lianxin.workflow import services as workflow

    settings.MEDIA_ROOT = tmp_path
    d = district
    m = make_member(d.base_a1, "林晓", gender="F", mobile_no="13711112222")
    other = make_member(d.base_a1, "黄磊", mobile_no="13733334444")
    full = make_activity(d.street_a, title="端午包粽子比赛", capacity=1, waitlist_size=3)
    activities.sign_up(actor=other.user, activity_id=full.pk)
    activities.sign_up(actor=m.user, activity_id=full.pk)  # waitlisted
    mine = make_activity(d.fed, title="工匠沙龙", capacity=5)
    activities.sign_up(actor=m.user, activity_id=mine.pk)
    make_activity(d.base_a1, title="女职工读书会", starts_in=dt.timedelta(days=40))
    # a long unbroken run (an address typed without spaces) must wrap, not push the page sideways
    publish(d, title="白杨街道举办职工技能大赛", body="比赛分为钳工、电工两个项目。\n\n报名网址："
            "hzlianxinzhigongfuwuzhongxinbaiyangjiedao2026jinengdasaibaomingrukou0571")
    publish(d, title="关于开展职工疗休养的通知", category="notice")
    content.build_weekly_digest()
    epub_book(d)
    pdf_book(d)
    assert samples  # the books above are built from it
    site = venues.create_site(actor=d.users["street_a.admin"], org=d.street_a, street=d.street_a, kind="sports",
                              name="浙江理工大学体育馆", address="白杨街道2号大街928号", latitude=30.319,
                              longitude=120.353, bookable=True, opening_hours="周六日 9:00-17:00",
                              equipment="羽毛球场 4 片")
    start = timezone.now() + dt.timedelta(days=2)
    slots = [Slot.objects.create(site=site, starts_at=start + dt.timedelta(hours=h),
                                 ends_at=start + dt.timedelta(hours=h + 1), capacity=2) for h in (0, 1)]
    venues.book_slot(actor=m.user, slot_id=slots[0].pk)
    workflow.create_application(actor=m.user, programme="profile_correction", submit=True,
                                data={"job": "班组长", "reason": "已晋升，请更新岗位"})
    notify.enqueue(channel="inapp", user=m.user, template="t", title="预约提醒", body="您预约的场地后天开放",
                   dedupe_key="crawl:1")
    return m


def test_member_crawl(client, world):
    client.force_login(world.user)
    seen = crawl(client, raw_codes())
    ok = {u for u, s in seen.items() if s == 200}
    # the crawl really reached every member area (a broken link from the home page would drop one)
    for must in ("/m/", "/m/card/", "/m/me/", "/m/activities/", "/m/news/", "/m/news/weekly/", "/m/books/",
                 "/m/sites/", "/m/my/bookings/", "/m/services/", "/m/my/applications/", "/m/join/", "/m/messages/"):
        assert must in ok, f"{must} not reached from the home page"
    for pattern in (r"^/m/activities/\d+/$", r"^/m/news/\d+/$", r"^/m/books/\d+/$", r"^/m/books/\d+/read/",
                    r"^/m/sites/\d+/$", r"^/m/my/applications/\d+/$", r"^/m/apply/[a-z_]+/$", r"^/m/messages/\d+/$"):
        assert any(re.search(pattern, u) for u in ok), f"no page like {pattern} reached"


def test_worker_not_yet_member_crawl(client, world):
    client.force_login(User.objects.create_user(username="worker1", password=PASSWORD, display_name="新职工"))
    seen = crawl(client, raw_codes())
    assert seen["/m/"] == 200 and seen.get("/m/join/") == 200


def test_anonymous_crawl(client, world):
    seen = crawl(client, raw_codes())
    # member-only pages send visitors to sign in (and the sign-in page itself is checked)
    assert seen["/m/card/"] == 302 and seen["/m/login/"] == 200
    assert any(u.startswith("/m/activities/") and s == 200 for u, s in seen.items())


@pytest.mark.parametrize("url", ["/m/activities/999999/", "/m/news/999999/", "/m/sites/999999/",
                                 "/m/my/applications/999999/", "/m/nowhere/"])
def test_missing_pages_are_chinese_phone_pages(client, world, url):
    client.force_login(world.user)
    resp = client.get(url)
    assert resp.status_code == 404
    found, page = problems_of(url, resp.content.decode(), raw_codes())
    assert not found, found
    assert "/m/" in page.links  # a way back


def test_expired_form_is_a_chinese_phone_page(world):
    """A form posted without its CSRF cookie (WeChat's web view drops cookies, or the page sat open for a day)
    gets Django's CSRF failure page: it must say what happened in Chinese and lead back."""
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.user)
    resp = c.post("/m/card/reissue/")
    assert resp.status_code == 403
    html = resp.content.decode()
    found, page = problems_of("/m/card/reissue/", html, raw_codes())
    assert not found, found
    assert "CSRF" not in "".join(page.text) and page.links


def test_crawler_catches_what_it_should():
    """The checks themselves: each kind of problem on an otherwise good page is reported."""
    good = ('<!doctype html><html lang="zh-hans"><head><meta name="viewport" content="width=device-width">'
            '<link rel="stylesheet" href="/static/css/portal.css"></head><body><a href="/m/">首页</a>'
            '<span class="wf-state submitted">已提交</span></body></html>')
    codes = {"submitted", "booked"}
    assert problems_of("/m/", good, codes)[0] == []
    bad = {
        "lang": good.replace('lang="zh-hans"', 'lang="en"'),
        "viewport": good.replace('<meta name="viewport" content="width=device-width">', ""),
        "another origin": good.replace("/static/css/portal.css", "https://cdn.example.com/x.css"),
        "another origin ": good.replace("</head>", "<style>@import 'http://fonts.example.com/a.css';</style></head>"),
        "English UI word 'Submit'": good.replace("首页", "Submit"),
        "English UI word 'None'": good.replace("已提交", "None"),
        "raw code 'booked'": good.replace("已提交", "booked"),
    }
    for what, html in bad.items():
        found = problems_of("/m/", html, codes)[0]
        assert any(what.strip() in p for p in found), (what, found)


def test_server_error_page_renders_without_a_request(client):
    """Django renders 500.html with an empty context (the database may be what failed): it must still be the
    Chinese phone page."""
    from django.template import loader

    html = loader.get_template("500.html").render()
    found, page = problems_of("/m/", html, set())
    assert not found, found
    assert "/m/" in page.links


def test_staff_addresses_lead_back_to_the_console(client, district):
    client.force_login(district.users["fed.admin"])
    resp = client.get("/console/nowhere/")
    assert resp.status_code == 404 and 'href="/console/"' in resp.content.decode()


def test_member_pages_show_shanghai_time(client, district):
    """Times are stored in UTC and shown in Asia/Shanghai: an activity at 07:30 on 1 December in Shanghai is
    23:30 on 30 November in UTC, and must appear on 1 December, 07:30, in the calendar, the detail page, the
    home page's list and 我的."""
    from zoneinfo import ZoneInfo

    today = timezone.localdate()
    first = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # the 1st of next month
    starts = dt.datetime(first.year, first.month, 1, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    a = make_activity(district.fed, title="清晨健步走", starts_at=starts)
    m = make_member(district.base_a1, "周敏")
    activities.sign_up(actor=m.user, activity_id=a.pk)
    client.force_login(m.user)
    want = f"{first.month}月1日 07:30"
    cal = client.get(f"/m/activities/?month={first:%Y-%m}").content.decode()
    assert want in cal and 'href="#d1"' in cal and 'id="d1"' in cal
    assert f"{first.year}年{first.month}月1日 07:30" in client.get(f"/m/activities/{a.pk}/").content.decode()
    assert want in client.get("/m/").content.decode()
    assert want in client.get("/m/me/").content.decode()
    assert "23:30" not in cal


def test_a_late_activity_says_it_ends_the_next_day(client, district):
    """22:00 to 01:00 in Shanghai: the end shows its own date, not a bare 01:00 that reads as before the start."""
    from zoneinfo import ZoneInfo

    day = timezone.localdate() + dt.timedelta(days=10)
    starts = dt.datetime(day.year, day.month, day.day, 22, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    a = make_activity(district.fed, title="夜间观星", starts_at=starts, ends_at=starts + dt.timedelta(hours=3))
    nxt = day + dt.timedelta(days=1)
    html = client.get(f"/m/activities/{a.pk}/").content.decode()
    assert f"22:00 – {nxt.month}月{nxt.day}日 01:00" in html


def test_htmx_only_where_a_form_uses_it(client, world):
    """htmx (about 50 KB) is loaded for the employer search on an editable form, not on every application page:
    a submitted application is read-only and needs no script."""
    from lianxin.workflow.models import Application

    client.force_login(world.user)
    assert "htmx.min.js" in client.get("/m/join/").content.decode()
    app = Application.objects.get(applicant=world.user)
    assert not app.editable
    assert "htmx.min.js" not in client.get(f"/m/my/applications/{app.pk}/").content.decode()


def test_signed_in_worker_is_offered_joining_not_signing_in(client, world):
    """A worker who is signed in but not yet a member is not told to sign in (they are): the book and the site
    pages offer 申请入会 instead."""
    from lianxin.content.models import Book
    from lianxin.venues.models import Site

    client.force_login(User.objects.create_user(username="worker2", password=PASSWORD, display_name="新职工"))
    for url in (f"/m/books/{Book.objects.first().pk}/", f"/m/sites/{Site.objects.get().pk}/"):
        html = client.get(url).content.decode()
        assert 'href="/m/join/"' in html and "去登录" not in html, url
    client.logout()
    assert "去登录" in client.get(f"/m/sites/{Site.objects.get().pk}/").content.decode()


def test_submitted_application_lists_only_what_was_filled_in(client, world):
    from lianxin.workflow.models import Application

    client.force_login(world.user)
    app = Application.objects.get(applicant=world.user)
    html = client.get(f"/m/my/applications/{app.pk}/").content.decode()
    content = html.split('id="app-content"', 1)[1].split("</dl>", 1)[0]
    assert "班组长" in content and "已晋升，请更新岗位" in content
    assert "民族" not in content and "—" not in content  # fields left alone are not listed as blanks


def test_sign_in_errors_sit_under_the_field_at_fault(client, district):
    html = client.post("/m/login/", {"mobile": "12345", "action": "send"}).content.decode()
    assert 'id="mobile-error"' in html and 'id="code-error"' not in html and "12345" in html
    html = client.post("/m/login/", {"mobile": "13711112222", "action": "send"}).content.decode()
    assert "autofocus" in html  # the code field, so the phone's keyboard opens for it
    html = client.post("/m/login/", {"mobile": "13711112222", "code": "000000", "action": "verify"}).content.decode()
    assert 'id="code-error"' in html and 'id="mobile-error"' not in html
