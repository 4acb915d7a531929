"""Every console and member page of news, books and sites renders for the people who may see it."""

import pytest

from lianxin.content.samples import make_png
from lianxin.content.tests.conftest import epub_book, pdf_book, publish, upload
from lianxin.venues import services

from .conftest import make_slot, new_member


@pytest.fixture
def world(district, site):
    a = publish(district, title="已发布")
    slot = make_slot(site)
    m = new_member(district)
    booking = services.book_slot(actor=m, slot_id=slot.pk)
    photo = services.add_site_photo(actor=district.users["street_a.admin"], site_id=site.pk,
                                    image=upload("p.png", make_png()), caption="大厅")
    return dict(article=a, epub=epub_book(district), pdf=pdf_book(district), site=site, slot=slot, member=m,
                booking=booking, photo=photo)


def test_console_pages(client, district, world):
    w = world
    client.force_login(district.users["street_a.admin"])
    for url in ("/console/content/", "/console/content/?status=published&category=news&q=已",
                "/console/content/review/", "/console/content/new/", f"/console/content/{w['article'].pk}/",
                "/console/content/books/new/", "/console/venues/", "/console/venues/new/",
                f"/console/venues/{w['site'].pk}/", f"/console/venues/{w['site'].pk}/edit/",
                f"/console/venues/slots/{w['slot'].pk}/"):
        r = client.get(url)
        assert r.status_code == 200, url
    html = client.get(f"/console/venues/slots/{w['slot'].pk}/").content.decode()
    assert w["member"].person.mobile_masked in html and "****" in w["member"].person.mobile_masked
    client.force_login(district.users["fed.admin"])
    for url in ("/console/content/books/", f"/console/content/books/{w['epub'].pk}/"):
        assert client.get(url).status_code == 200, url


def test_member_pages(client, district, world):
    w = world
    for url in ("/m/news/", f"/m/news/{w['article'].pk}/", "/m/news/weekly/", "/m/books/",
                f"/m/books/{w['epub'].pk}/", f"/m/books/{w['pdf'].pk}/", "/m/sites/",
                f"/m/sites/{w['site'].pk}/", f"/m/sites/photos/{w['photo'].pk}/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/m/my/bookings/").status_code == 302
    client.force_login(w["member"])
    html = client.get(f"/m/sites/{w['site'].pk}/").content.decode()
    assert "已预约" in html and "/m/sites/photos/" in html
    assert client.get("/m/my/bookings/").status_code == 200
