import re

import pytest

from lianxin.core.testing import PASSWORD, make_person
from lianxin.members.services import admit_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_street_admin_logs_in_and_sees_masked_id_numbers(page, live_server, district, screenshot_dir):
    from lianxin.core.testing import ROOT

    for i, name in enumerate(["王芳", "李强", "张秀英", "刘洋", "陈静"]):
        p = make_person(district.base_a1, name, gender="F" if i % 2 == 0 else "M")
        admit_member(actor=ROOT, person=p, union=district.base_a1)
    make_person(district.base_b1, "下沙职工")  # other street: must not appear

    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=username]", "street_a.admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))
    page.click("text=人员")
    page.wait_for_selector("#people")
    cells = page.locator("td.id-masked").all_inner_texts()
    assert len(cells) == 5
    assert all(re.fullmatch(r"\d{4}\*{10}[\dX]{4}", c) for c in cells), cells
    assert "下沙职工" not in page.content()
    page.screenshot(path=str(screenshot_dir / "console-people-masked.png"), full_page=True)

    # reveal one value with a reason (htmx), then it shows in full
    page.click("text=王芳")
    page.fill("#reveal-form input[name=reason]", "核对会员信息")
    page.click("#reveal-form button")
    page.wait_for_selector(".revealed")
    assert re.fullmatch(r"\d{17}[\dX]", page.inner_text(".revealed"))
    page.screenshot(path=str(screenshot_dir / "console-person-reveal.png"), full_page=True)
