"""Console scope: street_a staff cannot see or edit street_b's articles, books or sites (404, not 403, so
existence does not leak); federation staff see both."""

import pytest

from lianxin.content import services as content
from lianxin.content.samples import make_pdf
from lianxin.content.tests.conftest import upload
from lianxin.venues import services

from .conftest import make_slot, new_member


@pytest.fixture
def b_things(district):
    d = district
    art = content.create_article(actor=d.users["street_b.admin"], org=d.street_b, category="news",
                                 title="下沙街道的草稿", body="x")
    book = content.upload_book(actor=d.users["street_b.admin"], org=d.street_b, title="下沙书",
                               upload=upload("b.pdf", make_pdf("下沙书", ["x"])))
    site = services.create_site(actor=d.users["street_b.admin"], org=d.street_b, street=d.street_b,
                                kind="home", name="下沙职工之家", address="福城路", bookable=True)
    slot = make_slot(site)
    booking = services.book_slot(actor=new_member(district), slot_id=slot.pk)
    return {"art": art, "book": book, "site": site, "slot": slot, "booking": booking}


def test_other_street_gets_404_everywhere(client, district, b_things):
    t = b_things
    client.force_login(district.users["street_a.admin"])
    for url in (f"/console/content/{t['art'].pk}/", f"/console/content/{t['art'].pk}/edit/",
                f"/console/content/books/{t['book'].pk}/", f"/console/venues/{t['site'].pk}/",
                f"/console/venues/{t['site'].pk}/edit/", f"/console/venues/slots/{t['slot'].pk}/"):
        assert client.get(url).status_code == 404, url
    for url, data in ((f"/console/content/{t['art'].pk}/edit/", {"category": "news", "kind": "article",
                                                                  "title": "改", "body": "改"}),
                      (f"/console/content/{t['art'].pk}/submit/", {}),
                      (f"/console/content/books/{t['book'].pk}/", {"title": "改"}),
                      (f"/console/venues/{t['site'].pk}/edit/", {"street": district.street_a.pk, "kind": "home",
                                                                  "name": "改", "address": "改"}),
                      (f"/console/venues/{t['site'].pk}/slots/", {}),
                      (f"/console/venues/bookings/{t['booking'].pk}/mark/", {"attended": "0"})):
        assert client.post(url, data).status_code == 404, url
    t["art"].refresh_from_db()
    t["site"].refresh_from_db()
    assert t["art"].title == "下沙街道的草稿" and t["site"].name == "下沙职工之家"
    for url, hidden in (("/console/content/", "下沙街道的草稿"), ("/console/content/books/", "下沙书"),
                        ("/console/venues/", "下沙职工之家")):
        html = client.get(url).content.decode()
        assert hidden not in html, url


def test_viewer_of_the_same_street_reads_but_cannot_edit(client, district, b_things):
    client.force_login(district.users["street_b.viewer"])
    assert client.get(f"/console/venues/{b_things['site'].pk}/").status_code == 200
    assert client.get(f"/console/venues/{b_things['site'].pk}/edit/").status_code == 403
    assert client.get(f"/console/content/{b_things['art'].pk}/edit/").status_code == 403


def test_federation_sees_both_streets(client, district, b_things):
    client.force_login(district.users["fed.viewer"])
    assert "下沙职工之家" in client.get("/console/venues/").content.decode()
    assert "下沙街道的草稿" in client.get("/console/content/").content.decode()


def test_unpublished_cover_is_not_public(client, district):
    from lianxin.content.samples import make_png

    a = content.create_article(actor=district.users["street_b.admin"], org=district.street_b, category="news",
                               title="有封面", body="x", cover=upload("c.png", make_png()))
    assert client.get(f"/m/news/{a.pk}/cover/").status_code == 404
    client.force_login(district.users["street_a.admin"])
    assert client.get(f"/m/news/{a.pk}/cover/").status_code == 404
    client.force_login(district.users["street_b.viewer"])
    r = client.get(f"/m/news/{a.pk}/cover/")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"


def test_admin_lists_are_scoped(client, district, b_things):
    client.force_login(district.users["street_a.admin"])
    for model, pk in (("content/article", b_things["art"].pk), ("content/book", b_things["book"].pk),
                      ("venues/site", b_things["site"].pk), ("venues/booking", b_things["booking"].pk)):
        r = client.get(f"/admin/{model}/")
        assert r.status_code == 200, model
        assert client.get(f"/admin/{model}/{pk}/change/").status_code == 404, model
    client.force_login(district.users["street_b.viewer"])
    assert "下沙职工之家" in client.get("/admin/venues/site/").content.decode()
