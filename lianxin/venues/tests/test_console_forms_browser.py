"""Chromium, desktop console: an administrator opens slots with an end time before the start time; the page
comes back with the message under 每日时段, the typed values still in the boxes, and nothing opened. Then a
valid submission opens the slots. Screenshot: venues-slot-form-error.png."""

import datetime as dt

import pytest

from lianxin.core.testing import PASSWORD
from lianxin.venues.models import Slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_refused_slot_form_keeps_the_values_and_names_the_field(page, live_server, district, site,
                                                                 screenshot_dir):
    base = live_server.url
    page.goto(f"{base}/console/login/")
    page.fill("input[name=username]", "street_a.admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button")
    page.wait_for_load_state()
    page.goto(f"{base}/console/venues/{site.pk}/")
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    form = page.locator("form#slots")
    form.locator("input[name=first_day]").fill(day)
    form.locator("input[name=days]").fill("5")
    form.locator("input[name=times]").fill("16:00-14:00")
    form.locator("input[name=capacity]").fill("12")
    form.locator("button").click()
    page.wait_for_load_state()
    cell = page.locator("form#slots .has-error:has(input[name=times])")
    assert "时段结束时间应晚于开始时间" in cell.inner_text()
    assert page.locator("form#slots input[name=times]").input_value() == "16:00-14:00"
    assert page.locator("form#slots input[name=capacity]").input_value() == "12"
    assert page.locator("form#slots input[name=first_day]").input_value() == day
    assert page.locator("form#slots input[name=days]").input_value() == "5"
    page.screenshot(path=str(screenshot_dir / "venues-slot-form-error.png"), full_page=True)
    assert not Slot.objects.filter(site=site).exists()

    page.locator("form#slots input[name=times]").fill("14:00-16:00")
    page.locator("form#slots button").click()
    page.wait_for_load_state()
    assert "已开放 5 个时段" in page.content()
    assert Slot.objects.filter(site=site).count() == 5
