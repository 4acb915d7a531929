"""Crawl the staff console the way its users meet it: a federation administrator, a street viewer and a
grassroots union reviewer each sign in, start at /console/ and follow every same-site /console/ link
breadth-first (bounded: a few pages of each kind, so 20,000 people do not mean 20,000 requests).

What every answer must satisfy:
* no server error (the client does not re-raise, so all 500s are collected, not just the first);
* no dead end reached through a link on a page: a link the user was shown must not answer 404 (a broken link,
  or an object outside the user's scope) or 403 (an action the role may not take, offered anyway);
* every HTML page is a Chinese console page: ``<html lang="zh-hans">``, not Django's English error or debug
  page, no English interface words (a widget or template left untranslated, e.g. Django 6.1's
  "- Select an option -" empty choice), no Python ``None``/``True``/``False`` printed raw, no raw choice codes
  (``member``, ``pending``, ``published`` ...) where the Chinese label belongs, and no UTC/ISO timestamps.

The data comes from ``seed_demo`` (small), which fills every app through its own services: people and
memberships, an import, applications in every state, articles and books, activities with sign-ups, service
sites with slots. The district fixture of ``lianxin.core.testing`` has the same three users but no people,
applications or articles, so most console pages would only show their empty state. The three users get the
district fixture's names and the same places in the tree (federation / first street / a base union of it)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from lianxin.accounts.models import StaffRole, User
from lianxin.core.pagecheck import Page, choice_codes, crawl, report
from lianxin.core.scoping import ADMIN, REVIEWER, VIEWER
from lianxin.orgs.models import Organization, OrgKind

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

START = "/console/"
MAX_PAGES = 220  # per user
PER_KIND = 3  # pages per URL shape (digits collapsed, query keys kept): three people, three applications ...
# Not pages: sign-out is a POST anyway; files are checked for status only (see ``check``).
SKIP = re.compile(r"^/console/logout/")
DOWNLOAD = re.compile(r"\.(xlsx|csv|pdf|epub)$|/export/|/download/|/cover/|/photos/\d+/$")
DJANGO_PAGES = re.compile(r"Django|DEBUG = True|csrfmiddlewaretoken.*verification failed|<h1>Not Found</h1>")


def page_problems(html: str, codes: set[str]) -> tuple[list[str], Page]:
    page = Page(html)
    out = page.problems(codes)
    if DJANGO_PAGES.search(html):
        out.append("Django's own error/debug page")
    return out, page


def console_check(codes: set[str]):
    """What a console answer must satisfy (the module docstring); returns the links to follow."""

    def check(url, resp, referrer):
        found: list[str] = []
        if resp.status_code >= 500:
            found.append(f"server error {resp.status_code}")
        elif resp.status_code in (403, 404):
            found.append(f"dead end: {resp.status_code} behind a link on {referrer}")
        if resp.status_code in (301, 302, 303, 307, 308):
            if urlsplit(resp["Location"]).path.startswith("/console/login/"):
                found.append("sent back to the login page")
            return found, [resp["Location"]]
        if resp.get("Content-Type", "").startswith("text/html") and not DOWNLOAD.search(urlsplit(url).path):
            more, page = page_problems(resp.content.decode(), codes)
            if resp.status_code == 200 or more:
                found += more
            return found, page.links if resp.status_code == 200 else []
        return found, []

    return check


@pytest.fixture(scope="module")
def codes():
    return choice_codes()


@pytest.fixture
def console_users(demo_once, db):
    """The demo district (small, seeded once for the module: ``demo_once`` in the root conftest) and the district
    fixture's three users placed like in build_district()."""
    fed = Organization.objects.get(kind=OrgKind.FEDERATION)
    street = Organization.objects.filter(kind=OrgKind.STREET).order_by("pk").first()
    # the base union the demo's roster import and applications use (the first one in the first street)
    base = (Organization.objects.filter(kind=OrgKind.BASE, path__startswith=street.path).order_by("pk").first())
    users = {}
    for name, org, role in (("fed.admin", fed, ADMIN), ("street_a.viewer", street, VIEWER),
                            ("base_a1.reviewer", base, REVIEWER)):
        users[name] = User.objects.create_user(username=name, password="x", display_name=name, is_staff=True)
        StaffRole.objects.create(user=users[name], organization=org, role=role)
    return users


@pytest.mark.parametrize("username", ["fed.admin", "street_a.viewer", "base_a1.reviewer"])
def test_console_pages_are_chinese_and_lead_somewhere(console_users, codes, username):
    client = Client(raise_request_exception=False)
    client.force_login(console_users[username])
    status, problems = crawl(client, START, console_check(codes), inside="/console/", skip=SKIP,
                             max_pages=MAX_PAGES, per_kind=PER_KIND)
    ok = [u for u, s in status.items() if s == 200]
    # the crawl reached the console's sections, not only the home page
    for section in ("/console/orgs/", "/console/people/", "/console/applications/", "/console/content/",
                    "/console/activities/", "/console/venues/"):
        assert section in ok, f"{section} not reached as {username}: {sorted(status)[:20]}"
    assert len(ok) >= 30, f"only {len(ok)} pages reached as {username}"
    assert not problems, f"as {username}:\n" + report(problems)


def test_checks_catch_what_they_are_for(codes):
    """The page checks themselves: each kind of fault is reported, and a clean console page passes."""
    good = ('<!doctype html><html lang="zh-hans"><body><h1>人员</h1><p>状态：会员 · 2026-11-25 22:32</p>'
            '<a href="/console/people/1/">张三</a><input placeholder="姓名"></body></html>')
    found, page = page_problems(good, codes)
    assert found == [] and page.links == ["/console/people/1/"]
    bad = {
        '<html lang="en"><body>人员</body></html>': "lang",
        '<html lang="zh-hans"><body><button>Submit</button></body></html>': "Submit",
        '<html lang="zh-hans"><body><select><option>- Select an option -</option></select></body></html>': "Select",
        '<html lang="zh-hans"><body><td>None</td></body></html>': "None",
        '<html lang="zh-hans"><body><td>False</td></body></html>': "False",
        '<html lang="zh-hans"><body><td>member</td></body></html>': "member",
        '<html lang="zh-hans"><body><input placeholder="Search"></body></html>': "Search",
        '<html lang="zh-hans"><body>2026-11-25 14:32:18+00:00</body></html>': "UTC",
        '<html><body><h1>Not Found</h1><p>The requested resource was not found on this server.</p></body></html>':
            "Not Found",
    }
    for html, what in bad.items():
        found, _ = page_problems(html, codes)
        assert found, f"{what} not caught"
    # text inside scripts and styles is not shown, so it is not checked
    found, _ = page_problems('<html lang="zh-hans"><script>var x = None;</script><body>页</body></html>', codes)
    assert found == []


def test_times_are_shown_in_shanghai_time(console_users):
    """Stored UTC, shown Asia/Shanghai (DESIGN rule 9): the audit log's newest entries and the activities'
    start times appear in local time, and their UTC clock reading (eight hours earlier) does not."""
    import datetime as dt

    from django.utils import timezone

    from lianxin.activities.models import Activity
    from lianxin.core.models import AuditEntry

    client = Client()
    client.force_login(console_users["fed.admin"])
    checks = [("/console/audit/", [e.at for e in AuditEntry.objects.order_by("-seq")[:20]], "%Y-%m-%d %H:%M:%S"),
              ("/console/activities/", list(Activity.objects.values_list("starts_at", flat=True)), "%Y-%m-%d %H:%M")]
    for url, moments, fmt in checks:
        assert moments, f"no data behind {url}"
        html = client.get(url).content.decode()
        local = {timezone.localtime(m).strftime(fmt) for m in moments}
        for shown in local:
            assert shown in html, f"{url}: local time {shown} not shown"
        for m in moments:
            utc = m.astimezone(dt.UTC).strftime(fmt)
            if utc not in local:
                assert utc not in html, f"{url}: UTC time {utc} shown"


def test_audit_log_details_read_in_words():
    """The audit log's detail dicts as a clerk reads them: field names as the model's Chinese labels, choice
    codes as their labels, booleans (also the "True"/"False" strings a before/after diff stores) as 是/否."""
    from types import SimpleNamespace

    from lianxin.core.templatetags.console_ui import audit_action, audit_detail, audit_object

    upd = SimpleNamespace(object_type="orgs.enterprise", object_id="7", action="enterprise.update",
                          detail={"before": {"needs_union_founding": "False", "size": "small"},
                                  "after": {"needs_union_founding": "True", "size": "large"}})
    rows = dict(audit_detail(upd))
    assert audit_action(upd.action) == "修改企业" and audit_object(upd).endswith(" 7")
    assert "False" not in str(rows) and "small" not in str(rows)
    assert "否" in rows["修改前"] and "是" in rows["修改后"]
    decided = SimpleNamespace(object_type="workflow.application", object_id="3", action="workflow.returned",
                              detail={"decision": "returned", "in_person": False, "fields": ["job"],
                                      "programme": "join", "replaces": None})
    text = str(audit_detail(decided))
    for raw in ("returned", "False", "None", "'job'", "'join'"):
        assert raw not in text, f"{raw} shown raw in {text}"
    assert audit_action("no.such_action") == "no.such_action"  # unknown codes stay visible, not hidden
