"""The JSON API gives the WeChat front ends the same rules as the pages."""

import json

from lianxin.content.tests.conftest import epub_book, publish

from .conftest import make_slot, new_member


def test_public_reads(client, district, site):
    a = publish(district, title="接口新闻", body="一\n\n<b>二</b>")
    r = client.get("/api/v1/content/articles?category=news")
    assert r.status_code == 200 and r.json()["items"][0]["title"] == "接口新闻"
    assert client.get(f"/api/v1/content/articles/{a.pk}").json()["paragraphs"] == ["一", "<b>二</b>"]
    assert client.get("/api/v1/content/articles?category=bad").status_code == 400
    assert client.get("/api/v1/content/weekly?week=bad").status_code == 400
    r = client.get("/api/v1/venues/sites?lat=30.32&lng=120.35")
    assert r.json()[0]["name"] == site.name and r.json()[0]["distance_km"] < 1


def test_member_books_and_cancels_through_the_api(client, district, site):
    slot = make_slot(site, hours_ahead=30, capacity=1)
    m, other = new_member(district), new_member(district)
    assert client.post(f"/api/v1/venues/slots/{slot.pk}/book").status_code == 401
    client.force_login(m)
    r = client.post(f"/api/v1/venues/slots/{slot.pk}/book")
    assert r.status_code == 201
    booking_id = r.json()["id"]
    r = client.post(f"/api/v1/venues/slots/{slot.pk}/book")
    assert r.status_code == 400 and r.json()["code"] == "duplicate"
    client.force_login(other)
    r = client.post(f"/api/v1/venues/slots/{slot.pk}/book")
    assert r.status_code == 400 and r.json()["code"] == "full"
    r = client.post(f"/api/v1/venues/bookings/{booking_id}/cancel")  # not theirs: as if it did not exist
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    client.force_login(m)
    assert client.get("/api/v1/venues/bookings").json()[0]["id"] == booking_id
    assert client.post(f"/api/v1/venues/bookings/{booking_id}/cancel").json()["status"] == "cancelled"
    client.force_login(district.users["street_a.admin"])
    assert client.post(f"/api/v1/venues/slots/{slot.pk}/book").status_code == 403


def test_chapter_api_is_for_members(client, district):
    b = epub_book(district)
    assert client.get(f"/api/v1/content/books/{b.pk}").json()["chapters"][1]["title"] == "第二章 传承"
    assert client.get(f"/api/v1/content/books/{b.pk}/chapters/1").status_code == 401
    client.force_login(new_member(district))
    body = json.loads(client.get(f"/api/v1/content/books/{b.pk}/chapters/1").content)
    assert body["paragraphs"][0] == "他在车间里工作了二十年。" and body["count"] == 2
