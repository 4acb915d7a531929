"""Chromium at a phone viewport: find a site by distance, book a slot, see it under 我的预约, open an e-book
and read it in the browser (EPUB chapters; PDF inline to the browser's viewer). Screenshots go to
screenshot_dir; every page's total transfer (HTML + css + js + images) stays under 150 KB and no request
leaves the host."""

from urllib.parse import urlparse

import pytest

from lianxin.content.tests.conftest import epub_book, pdf_book
from lianxin.core.testing import PASSWORD
from lianxin.venues.models import Booking

from .conftest import make_slot, new_member

LIMIT = 150 * 1024


def _login(page, base, username):
    page.goto(f"{base}/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], form button")
    page.wait_for_load_state()


class Weigher:
    """Bytes per page (all responses since the last navigation) and any request to another host."""

    def __init__(self, page, base):
        self.host = urlparse(base).netloc
        self.sizes: dict[str, int] = {}
        self.outside: list[str] = []
        self.current = None
        page.on("request", self._request)
        page.on("response", self._response)

    def _request(self, req):
        u = urlparse(req.url)  # chrome:// and chrome-extension:// are the browser's own PDF viewer
        if u.scheme in ("http", "https", "ws", "wss") and u.netloc != self.host:
            self.outside.append(req.url)

    def _response(self, resp):
        if self.current is None:
            return
        try:
            n = len(resp.body())
        except Exception:  # noqa: BLE001 - redirects have no body
            n = 0
        self.sizes[self.current] = self.sizes.get(self.current, 0) + n + len(str(resp.headers))

    def visit(self, page, url, label):
        self.current = label
        page.goto(url)
        page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_book_a_slot_and_read_books(phone_page, live_server, district, screenshot_dir, site):
    page, base = phone_page, live_server.url
    member = new_member(district)
    slot = make_slot(site, hours_ahead=30, capacity=3)
    ebook = epub_book(district)
    pdf = pdf_book(district)
    w = Weigher(page, base)
    _login(page, base, member.username)

    # sites: sorted by distance from the phone's (granted) position, computed by the server
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 30.3185, "longitude": 120.3525})
    w.visit(page, f"{base}/m/sites/", "sites")
    page.click("#near-me")
    page.wait_for_url("**/m/sites/?lat=*")
    assert "公里" in page.inner_text("main")
    page.screenshot(path=str(screenshot_dir / "venues-phone-sites-nearby.png"), full_page=True)

    page.click(f"text={site.name}")
    page.wait_for_url(f"**/m/sites/{site.pk}/")
    w.sizes["site"] = 0
    w.visit(page, page.url, "site")
    page.click(f"li[data-slot='{slot.pk}'] button")
    page.wait_for_url("**/m/my/bookings/")
    assert site.name in page.inner_text("main") and "预约成功" in page.inner_text("main")
    page.screenshot(path=str(screenshot_dir / "venues-phone-booked.png"), full_page=True)
    assert Booking.objects.filter(user=member, slot=slot, status="booked").count() == 1
    w.visit(page, f"{base}/m/my/bookings/", "my_bookings")

    # cancelling asks first: "取消" in the phone's dialog keeps the booking, "确定" gives it up
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click("li.booking form button")
    assert asked == ["确定取消这次预约吗？"]
    assert Booking.objects.get(user=member, slot=slot).status == "booked"
    page.once("dialog", lambda d: d.accept())
    page.click("li.booking form button")
    page.wait_for_selector("text=已取消预约")
    assert Booking.objects.get(user=member, slot=slot).status == "cancelled"

    # e-books: EPUB read chapter by chapter
    w.visit(page, f"{base}/m/books/", "books")
    page.click(f"text=《{ebook.title}》")
    page.click("#read")
    page.wait_for_url(f"**/m/books/{ebook.pk}/read/")
    assert "他在车间里工作了二十年。" in page.inner_text("#chapter")
    page.screenshot(path=str(screenshot_dir / "content-phone-epub-ch1.png"), full_page=True)
    page.click("#next")
    assert "徒弟们学会了。" in page.inner_text("#chapter")
    page.screenshot(path=str(screenshot_dir / "content-phone-epub-ch2.png"), full_page=True)
    w.visit(page, f"{base}/m/books/{ebook.pk}/read/?ch=1", "epub_read")
    w.visit(page, f"{base}/m/news/", "news")

    # PDF: inline, into the browser's own viewer (its resources are the browser's, not weighed)
    w.current = None
    resp = page.goto(f"{base}/m/books/{pdf.pk}/read/")
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    assert resp.headers["content-disposition"] == "inline"
    page.wait_for_timeout(1000)  # let the viewer paint before the screenshot (no assertion depends on it)
    page.screenshot(path=str(screenshot_dir / "content-phone-pdf-inline.png"))

    ebook.refresh_from_db()
    pdf.refresh_from_db()
    assert ebook.read_count == 1 and pdf.read_count == 1
    assert not w.outside, w.outside
    for label, size in w.sizes.items():
        assert 0 < size < LIMIT, (label, size)
    print("page weights (bytes):", w.sizes)
