"""修改培训班 in Chromium: the street's administrator opens a published class with two trainees, follows 修改培训班,
finds the form filled in, tries to cut the places below the two enrolled and is told so in Chinese at the field
(nothing typed is lost), then moves the class to another room and 3 places; the class page shows the new facts
and both trainees get one in-app message. No JavaScript error, nothing from another origin.
Screenshot: test-artifacts/training-edit.png."""

import re

import pytest

from lianxin.assistance.tests.test_browser_hardship import console_login, watch
from lianxin.core.models import Notification
from lianxin.core.testing import ROOT
from lianxin.training import services
from lianxin.training.models import TrainingClass
from lianxin.training.testing import make_class, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_a_class_through_the_form(live_server, district, page, screenshot_dir):
    d, base, c = district, live_server.url, page
    k = make_class(d.street_a, places=5, title="白杨街道班组长轮训班")
    for name in ("钱丽娟", "赵大海"):
        services.enrol(actor=ROOT, klass=k, person=make_member(d.base_a1, name).person)
    errors, foreign = [], []
    watch(c, base, errors, foreign)
    console_login(c, base, "street_a.admin")
    c.goto(f"{base}/console/training/{k.pk}/")
    c.get_by_role("link", name="修改培训班").click()
    c.wait_for_url(re.compile(r"/console/training/\d+/edit/$"))
    assert c.input_value("[name=title]") == "白杨街道班组长轮训班" and c.input_value("[name=places]") == "5"
    c.fill("[name=place]", "白杨街道职工之家二楼")
    c.fill("[name=places]", "1")
    c.get_by_role("button", name="保存修改").click()
    c.wait_for_selector("text=已报名 2 人，名额不能少于已报名人数")
    assert c.input_value("[name=place]") == "白杨街道职工之家二楼"
    c.fill("[name=places]", "3")
    c.get_by_role("button", name="保存修改").click()
    c.wait_for_url(re.compile(r"/console/training/\d+/$"))
    c.wait_for_selector("text=白杨街道职工之家二楼")
    assert c.text_content("#class-remaining").strip() == "1"
    c.screenshot(path=str(screenshot_dir / "training-edit.png"), full_page=True)
    k = TrainingClass.objects.get(pk=k.pk)
    assert (k.places, k.remaining, k.place) == (3, 1, "白杨街道职工之家二楼")
    assert Notification.objects.filter(template="training_class_change").count() == 2
    assert not errors and not foreign
