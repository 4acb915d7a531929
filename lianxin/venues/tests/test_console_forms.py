"""The slot and photo forms on a site's console page are ordinary forms: a refused one comes back with status
400, its error next to the field at fault and the values as typed (not a message above a blank form), and
nothing is written. Accepted ones still redirect to the site."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.content.samples import make_pdf, make_png
from lianxin.venues.models import SitePhoto, Slot

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def error_next_to(html: str, name: str, message: str) -> bool:
    """``message`` is shown in the same form-grid cell as the input/select/textarea named ``name``."""
    cell = re.compile(r'<div class="has-error">((?:(?!<label).)*?)</div>\s*(?=<label|</div>)', re.S)
    return any(f'name="{name}"' in c and message in c for c in cell.findall(html))


@pytest.fixture
def admin(client, district):
    client.force_login(district.users["street_a.admin"])
    return client


def slots_url(site):
    return f"/console/venues/{site.pk}/slots/"


def photos_url(site):
    return f"/console/venues/{site.pk}/photos/"


def tomorrow():
    return (dt.date.today() + dt.timedelta(days=1)).isoformat()


def test_form_error_is_shown_at_the_field_with_the_values_kept(admin, site):
    r = admin.post(slots_url(site), {"first_day": tomorrow(), "days": "3", "times": "9点到11点", "capacity": "7"})
    html = r.content.decode()
    assert r.status_code == 400
    assert error_next_to(html, "times", "时段格式不对：9点到11点")
    assert 'value="9点到11点"' in html and 'name="capacity" value="7"' in html and 'name="days" value="3"' in html
    assert "有 1 项需要修改" in html
    assert not Slot.objects.filter(site=site).exists()


def test_service_refusal_is_shown_at_the_field_it_names(admin, site):
    r = admin.post(slots_url(site), {"first_day": tomorrow(), "days": "2", "times": "11:00-09:00", "capacity": "5"})
    html = r.content.decode()
    assert r.status_code == 400
    assert error_next_to(html, "times", "时段结束时间应晚于开始时间")
    assert 'value="11:00-09:00"' in html and f'value="{tomorrow()}"' in html
    assert not Slot.objects.filter(site=site).exists()


def test_empty_required_fields_are_named_each(admin, site):
    r = admin.post(slots_url(site), {"days": "", "times": "09:00-10:00", "capacity": "0"})
    html = r.content.decode()
    assert r.status_code == 400
    assert error_next_to(html, "first_day", "必填") and error_next_to(html, "days", "必填")
    assert error_next_to(html, "capacity", "不能小于 1")
    assert 'value="09:00-10:00"' in html and not error_next_to(html, "times", "必填")
    # the summary names each field to mend, linked to it (a union chair need not hunt for the red)
    summary = html.split('class="error form-summary"')[1].split("</div>")[0]
    assert "有 3 项需要修改" in summary
    assert all(f'href="#id_{name}"' in summary for name in ("first_day", "days", "capacity"))
    assert 'href="#id_times"' not in summary


def test_accepted_slots_redirect_to_the_site(admin, site):
    r = admin.post(slots_url(site), {"first_day": tomorrow(), "days": "2", "times": "09:00-10:00, 14:00-15:00",
                                     "capacity": "5"})
    assert r.status_code == 302 and r["Location"] == f"/console/venues/{site.pk}/"
    assert Slot.objects.filter(site=site).count() == 4


@pytest.mark.parametrize("caption, upload, message", [
    ("羽毛球场全景", None, "请选择照片"),
    ("说明书", lambda: SimpleUploadedFile("a.png", make_pdf("x", ["y"])), "JPEG/PNG"),  # a PDF named .png
])
def test_a_refused_photo_keeps_the_caption_and_says_why_at_the_field(admin, site, caption, upload, message):
    data = {"caption": caption} | ({"image": upload()} if upload else {})
    r = admin.post(photos_url(site), data)
    html = r.content.decode()
    assert r.status_code == 400
    assert error_next_to(html, "image", message)
    assert f'value="{caption}"' in html
    assert not SitePhoto.objects.filter(site=site).exists()


def test_photo_accepted(admin, site):
    r = admin.post(photos_url(site), {"caption": "正门", "image": SimpleUploadedFile("a.png", make_png())})
    assert r.status_code == 302 and r["Location"] == f"/console/venues/{site.pk}/"
    assert SitePhoto.objects.get(site=site).caption == "正门"


def test_reloading_the_form_address_shows_the_site(admin, site):
    for url in (slots_url(site), photos_url(site)):
        r = admin.get(url)
        assert r.status_code == 302 and r["Location"] == f"/console/venues/{site.pk}/", url


def test_roles_that_cannot_save_get_403_and_nothing_is_written(client, district, site):
    for who in ("street_a.viewer", "street_a.reviewer", "street_a.auditor"):
        client.force_login(district.users[who])
        r = client.post(slots_url(site), {"first_day": tomorrow(), "days": "1", "times": "09:00-10:00",
                                          "capacity": "5"})
        assert r.status_code == 403 and "无权操作" in r.content.decode(), who
        r = client.post(photos_url(site), {"image": SimpleUploadedFile("a.png", make_png())})
        assert r.status_code == 403, who
        assert client.get(slots_url(site)).status_code == 403, who
    assert not Slot.objects.filter(site=site).exists() and not SitePhoto.objects.filter(site=site).exists()


def test_site_contact_phone_and_coordinates_are_checked(admin, district, site):
    """Members see and dial the phone, and the map uses the coordinates: letters and -5/-5 are typos, refused at
    their fields with the rest kept; a landline with an extension is fine."""
    url = f"/console/venues/{site.pk}/edit/"
    data = {"street": district.street_a.pk, "kind": site.kind, "name": site.name, "address": "滨江路 1 号",
            "contact_phone": "abc电话", "latitude": "-5", "longitude": "-5"}
    r = admin.post(url, data)
    html = r.content.decode()
    assert r.status_code == 400
    assert error_next_to(html, "contact_phone", "联系电话应为数字")
    assert error_next_to(html, "latitude", "不能小于 3") and error_next_to(html, "longitude", "不能小于 73")
    assert 'value="滨江路 1 号"' in html
    site.refresh_from_db()
    assert site.contact_phone != "abc电话"
    r = admin.post(url, {**data, "contact_phone": "0571-86001234 转 801", "latitude": "30.31", "longitude": "120.34"})
    assert r.status_code == 302
    site.refresh_from_db()
    assert site.contact_phone == "0571-86001234 转 801"
