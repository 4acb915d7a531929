"""Out-of-range ids and odd coordinates are a 404/empty answer, never a 500 (the API fuzzer tries them)."""

BIG = "9" * 25


def test_huge_ids_and_odd_numbers(client, db):
    for url in (f"/api/v1/content/articles/{BIG}", f"/api/v1/content/books/{BIG}", f"/api/v1/venues/sites/{BIG}",
                f"/m/news/{BIG}/", f"/m/books/{BIG}/", f"/m/sites/{BIG}/"):
        assert client.get(url).status_code in (404, 422), url
    for q in (f"street={BIG}", "lat=nan&lng=nan", "lat=inf&lng=1", "lat=1e308&lng=-1e308", "kind=%00"):
        assert client.get(f"/api/v1/venues/sites?{q}").status_code in (200, 422), q
        assert client.get(f"/m/sites/?{q}").status_code == 200, q


def test_huge_ids_in_writes(client, district):
    from .conftest import new_member

    client.force_login(new_member(district))
    assert client.post(f"/api/v1/venues/slots/{BIG}/book").status_code in (404, 422)
    assert client.post(f"/api/v1/venues/bookings/{BIG}/cancel").status_code in (404, 422)
    assert client.post(f"/m/sites/slots/{BIG}/book/").status_code == 302
    assert client.post(f"/m/my/bookings/{BIG}/cancel/").status_code == 302
    assert client.get(f"/api/v1/content/books/{BIG}/chapters/1").status_code in (404, 422)
    client.force_login(district.users["fed.admin"])
    for url in (f"/console/content/{BIG}/", f"/console/content/books/{BIG}/", f"/console/venues/{BIG}/",
                f"/console/venues/slots/{BIG}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/console/venues/bookings/{BIG}/mark/", {"attended": "0"}).status_code == 404


def test_nul_bytes_in_filters(client, district):
    client.force_login(district.users["fed.admin"])
    for url in ("/console/content/?q=%00&status=%00&category=%00", "/console/content/books/?q=%00",
                "/console/venues/?q=%00&kind=%00", "/m/sites/?q=%00", "/api/v1/venues/sites?q=%00&kind=%00",
                "/api/v1/content/books?recommended_week=%00"):
        assert client.get(url).status_code in (200, 400), url
