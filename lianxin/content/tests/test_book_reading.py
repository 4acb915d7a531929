"""Reading in the browser and downloading are for signed-in members; reads count once per member per day."""

import datetime as dt

from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.content.models import Book, BookRead
from lianxin.core.testing import PASSWORD, make_person

from .conftest import epub_book, pdf_book


def test_anonymous_is_sent_to_sign_in_and_staff_without_person_refused(client, district):
    b = pdf_book(district)
    r = client.get(f"/m/books/{b.pk}/read/")
    assert r.status_code == 302 and r["Location"].startswith("/m/login/?next=")
    client.force_login(district.users["fed.admin"])
    assert client.get(f"/m/books/{b.pk}/read/").status_code == 403
    assert client.get(f"/m/books/{b.pk}/download/").status_code == 403
    assert Book.objects.get(pk=b.pk).read_count == 0


def test_pdf_is_served_inline_to_the_browser_viewer(client, district, member):
    b = pdf_book(district)
    client.force_login(member)
    r = client.get(f"/m/books/{b.pk}/read/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf" and r["Content-Disposition"] == "inline"
    assert b"".join(r.streaming_content).startswith(b"%PDF-")
    r = client.get(f"/m/books/{b.pk}/download/")
    assert r["Content-Disposition"].startswith("attachment;")
    assert Book.objects.get(pk=b.pk).download_count == 1


def test_epub_reads_chapter_by_chapter_as_escaped_text(client, district, member):
    b = epub_book(district, extra_html="<p>&lt;script&gt;x()&lt;/script&gt;</p>")
    client.force_login(member)
    html = client.get(f"/m/books/{b.pk}/read/").content.decode()
    assert "第一章 起步" in html and "他在车间里工作了二十年。" in html and 'href="?ch=2"' in html
    assert "<script>x()" not in html and "&lt;script&gt;x()" in html
    html = client.get(f"/m/books/{b.pk}/read/?ch=2").content.decode()
    assert "徒弟们学会了。" in html and 'href="?ch=1"' in html
    assert client.get(f"/m/books/{b.pk}/read/?ch=9").status_code == 404


def test_read_counts_once_per_member_per_day(client, district, member, monkeypatch):
    b = pdf_book(district)
    client.force_login(member)
    client.get(f"/m/books/{b.pk}/read/")
    client.get(f"/m/books/{b.pk}/read/")
    assert Book.objects.get(pk=b.pk).read_count == 1
    other = User.objects.create_user("member2", password=PASSWORD, person=make_person(district.base_b1, "李四"))
    client.force_login(other)
    client.get(f"/m/books/{b.pk}/read/")
    assert Book.objects.get(pk=b.pk).read_count == 2
    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    client.get(f"/m/books/{b.pk}/read/")
    assert Book.objects.get(pk=b.pk).read_count == 3
    assert BookRead.objects.filter(book=b).count() == 3


def test_unpublished_book_is_hidden_from_members(client, district, member):
    b = pdf_book(district)
    Book.objects.filter(pk=b.pk).update(is_published=False)
    client.force_login(member)
    assert client.get(f"/m/books/{b.pk}/").status_code == 404
    assert client.get(f"/m/books/{b.pk}/read/").status_code == 404
    assert "劳动法读本" not in client.get("/m/books/").content.decode()


def test_recommended_list(client, district):
    from lianxin.content import services
    from lianxin.content.weeks import current_week

    a, b = pdf_book(district, "甲书"), pdf_book(district, "乙书")
    services.update_book(actor=district.users["fed.admin"], book_id=a.pk, title="甲书",
                         recommended_week=current_week())
    html = client.get("/m/books/").content.decode()
    rec = html.split("每周推荐")[1].split("</div>")[0]
    assert "甲书" in rec and "乙书" not in rec
    assert b.title in html
