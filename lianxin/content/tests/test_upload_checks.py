"""Uploads are checked by content: disguised files, non-EPUB zips, oversize files and zip bombs are refused
with a message naming the field."""

import io
import zipfile

import pytest

from lianxin.content import files, samples, services
from lianxin.content.models import Book, BookChapter
from lianxin.core.errors import ServiceError

from .conftest import upload


def _upload_book(district, data, name="book.pdf"):
    return services.upload_book(actor=district.users["fed.admin"], org=district.fed, title="书",
                                upload=upload(name, data))


def _zip(entries: dict[str, bytes], *, mimetype: bytes | None = b"application/epub+zip") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if mimetype is not None:
            z.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        for k, v in entries.items():
            z.writestr(k, v)
    return buf.getvalue()


def test_fake_pdf_is_refused(district):
    with pytest.raises(ServiceError) as e:
        _upload_book(district, b"<html>not a pdf</html>", "evil.pdf")
    assert e.value.field == "file"
    with pytest.raises(ServiceError):
        _upload_book(district, samples.make_png(), "picture.pdf")
    assert not Book.objects.exists()


def test_zip_that_is_not_an_epub_is_refused(district):
    with pytest.raises(ServiceError, match="mimetype"):
        _upload_book(district, _zip({"readme.txt": b"hello"}, mimetype=None), "a.epub")
    with pytest.raises(ServiceError, match="mimetype"):
        _upload_book(district, _zip({"x.txt": b"x"}, mimetype=b"application/zip"), "a.epub")
    with pytest.raises(ServiceError, match="container"):
        _upload_book(district, _zip({"x.txt": b"x"}), "a.epub")


def test_oversize_book_is_refused(district, monkeypatch):
    monkeypatch.setattr(files, "BOOK_MAX_BYTES", 1000)
    data = samples.make_pdf("大书", ["很长的内容" * 100])
    assert len(data) > 1000
    with pytest.raises(ServiceError, match="不能超过"):
        _upload_book(district, data)


def test_zip_bomb_is_refused_without_inflating(district):
    bomb = _zip({"META-INF/container.xml": b"<container/>", "OEBPS/big.xhtml": b"\0" * (30 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(ServiceError, match="炸弹"):
        _upload_book(district, bomb, "bomb.epub")


def test_xml_entities_are_refused(district):
    lol = (b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
           b"<container>&b;</container>")
    with pytest.raises(ServiceError, match="实体"):
        _upload_book(district, _zip({"META-INF/container.xml": lol}), "lol.epub")


def test_valid_pdf_and_epub_are_accepted_and_epub_markup_is_dropped(district):
    pdf = _upload_book(district, samples.make_pdf("读本", ["内容"]), "whatever.bin")
    assert pdf.format == "pdf" and pdf.file.name.endswith(".pdf") and pdf.file_size > 0
    data = samples.make_epub("故事", [("第一章", ["正文一"]), ("第二章", ["正文二"])],
                             extra_html='<script>alert(1)</script><p onclick="steal()">点击</p><img src=x>')
    book = _upload_book(district, data, "story.epub")
    assert book.format == "epub"
    chapters = list(BookChapter.objects.filter(book=book).values_list("title", "text"))
    assert chapters == [("第一章", "正文一\n\n点击"), ("第二章", "正文二")]


def test_cover_must_be_a_real_image(district):
    d = district
    with pytest.raises(ServiceError) as e:
        services.create_article(actor=d.users["base_a1.admin"], org=d.base_a1, category="news", title="t",
                                body="b", cover=upload("cover.jpg", b"GIF89a fake"))
    assert e.value.field == "cover"
    with pytest.raises(ServiceError):  # right magic bytes, broken body
        services.create_article(actor=d.users["base_a1.admin"], org=d.base_a1, category="news", title="t",
                                body="b", cover=upload("cover.png", samples.make_png()[:40]))
    a = services.create_article(actor=d.users["base_a1.admin"], org=d.base_a1, category="news", title="t",
                                body="b", cover=upload("cover.bin", samples.make_png()))
    assert a.cover.name.endswith(".jpg")  # re-encoded


def test_oversize_cover_is_refused(district, monkeypatch):
    monkeypatch.setattr(files, "IMAGE_MAX_BYTES", 100)
    with pytest.raises(ServiceError, match="图片不能超过"):
        services.create_article(actor=district.users["base_a1.admin"], org=district.base_a1, category="news",
                                title="t", body="b", cover=upload("c.png", samples.make_png()))


def test_console_upload_shows_the_error_on_the_form(client, district):
    client.force_login(district.users["fed.admin"])
    r = client.post("/console/content/books/new/", {"org": district.fed.pk, "title": "假书",
                                                     "file": upload("a.pdf", b"MZ\x90\x00 not pdf")})
    assert r.status_code == 200
    assert "不是有效的 PDF 或 EPUB" in r.content.decode()
    assert not Book.objects.exists()


def test_images_are_re_encoded_without_metadata_and_bounded(district):
    import io

    from PIL import Image

    src = Image.new("RGB", (3000, 2000), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (30.0, 18.0, 0.0)}  # GPSInfo latitude
    buf = io.BytesIO()
    src.save(buf, "JPEG", exif=exif, quality=95)
    data = buf.getvalue() + b"<script>appended()</script>"
    a = services.create_article(actor=district.users["base_a1.admin"], org=district.base_a1, category="news",
                                title="t", body="b", cover=upload("photo.jpg", data))
    stored = a.cover.read()
    with Image.open(io.BytesIO(stored)) as im:
        assert max(im.size) == files.IMAGE_MAX_SIDE and im.format == "JPEG"
        assert not im.getexif()
    assert b"appended" not in stored and len(stored) < len(data)


def test_long_chapters_are_split_into_reading_pages(district):
    long_para = "劳动创造幸福。" * 1000  # 7,000 characters
    data = samples.make_epub("长书", [("第一章", [long_para, long_para, long_para]), ("第二章", ["短"])])
    book = _upload_book(district, data, "long.epub")
    titles = list(BookChapter.objects.filter(book=book).values_list("title", flat=True))
    assert titles == ["第一章", "第一章（2）", "第一章（3）", "第二章"]
    assert all(len(t) <= files.CHAPTER_PAGE_CHARS for t in BookChapter.objects.values_list("text", flat=True))


def test_replacing_a_cover_deletes_the_old_file(district, django_capture_on_commit_callbacks):
    d = district
    a = services.create_article(actor=d.users["base_a1.admin"], org=d.base_a1, category="news", title="t",
                                body="b", cover=upload("c.png", samples.make_png()))
    old = a.cover.name
    assert a.cover.storage.exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        a = services.update_article(actor=d.users["base_a1.admin"], article_id=a.pk, category="news", title="t",
                                    body="b", cover=upload("d.png", samples.make_png(color=(0, 0, 0))))
    assert a.cover.name != old and a.cover.storage.exists(a.cover.name) and not a.cover.storage.exists(old)
