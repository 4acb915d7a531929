"""评选投票 in Chromium on a phone (375 px): a member signs in with the SMS code, opens the selection from the
member home page, votes for two candidates (the count on the page goes up, the button turns into 已投), and on
the third vote is refused in Chinese because their two votes are used. No JavaScript error, nothing from another
origin. Screenshot: test-artifacts/talent-vote.png."""

import re

import pytest

from lianxin.core import notify
from lianxin.talent.testing import make_member, voting_selection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13755556666"


def test_member_votes_on_a_phone(live_server, phone_page, district, screenshot_dir):
    d = district
    cands = [make_member(d.base_a1, n) for n in ("周建国", "吴秀兰", "郑海燕")]
    make_member(d.base_a1, "钱丽娟", gender="F", mobile_no=MOBILE)
    sel, cs = voting_selection(d.fed, [m.person for m in cands], votes_per_member=2, title="2026年“最美职工”网络投票",
                               honour_title="最美职工")
    pg, base = phone_page, live_server.url
    errors, foreign = [], []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("request", lambda req: foreign.append(req.url) if not req.url.startswith(base) and req.url.startswith(
        "http") else None)

    notify.SENT_LOG.clear()
    pg.goto(f"{base}/m/login/?next=/m/")
    pg.fill("#mobile", MOBILE)
    pg.click("button[value=send]")
    pg.wait_for_selector("text=验证码已发送")
    code = re.search(r"\d{6}", [m for m in notify.SENT_LOG if m["to"] == MOBILE][-1]["body"]).group()
    pg.fill("#code", code)
    pg.click("button[value=verify]")
    pg.wait_for_url(f"{base}/m/")

    pg.click("a[href='/m/selections/']")
    pg.click(f"a[href='/m/selections/{sel.pk}/']")
    assert pg.inner_text("#votes-left") == "2"
    assert pg.inner_text(f"#votes-{cs[0].pk}") == "0"

    pg.click(f"#vote-{cs[0].pk}")
    pg.wait_for_selector("text=投票成功，您还有 1 票")
    assert pg.inner_text(f"#votes-{cs[0].pk}") == "1" and pg.inner_text("#votes-left") == "1"
    assert pg.locator(f"#vote-{cs[0].pk}").count() == 0

    pg.click(f"#vote-{cs[1].pk}")
    pg.wait_for_selector("text=您的票已全部投出")
    assert pg.inner_text(f"#votes-{cs[1].pk}") == "1" and pg.inner_text("#votes-left") == "0"

    pg.click(f"#vote-{cs[2].pk}")
    pg.wait_for_selector(".msg-error")
    assert pg.inner_text(".msg-error") == "您在本次评选中的 2 票已投完"
    assert pg.inner_text(f"#votes-{cs[2].pk}") == "0"
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page wider than the phone: {width}px"
    pg.screenshot(path=str(screenshot_dir / "talent-vote.png"), full_page=True)
    assert not errors and not foreign, (errors, foreign)
