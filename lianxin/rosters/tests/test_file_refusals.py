"""Files that are not readable spreadsheets are refused with a message — never a 500, never parsed blindly."""

import io
import zipfile

import pytest

from lianxin.core import excel
from lianxin.core.errors import ServiceError
from lianxin.core.testing import id_number
from lianxin.rosters import services
from lianxin.rosters.models import ImportJob

from .helpers import check, upload, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def _refused(district, data: bytes, name: str) -> str:
    with pytest.raises(ServiceError) as e:
        services.start_import(actor=district.users["street_a.admin"], org=district.base_a1, upload=upload(data, name))
    assert not ImportJob.objects.exists()
    return e.value.message


def _good() -> bytes:
    return xlsx_bytes([["姓名", "身份证号"], ["甲", id_number()]])


def test_pdf_renamed_to_xlsx(district):
    assert "文件内容是 PDF" in _refused(district, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" * 20,
                                        "花名册.xlsx")


def test_png_renamed_to_csv(district):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
    assert "文件内容是 PNG" in _refused(district, png, "roster.csv")


def test_word_document_renamed_to_xlsx(district):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert "不是 Excel 工作簿" in _refused(district, buf.getvalue(), "花名册.xlsx")


def test_binary_garbage(district):
    assert "不是 Excel 或 CSV 表格" in _refused(district, bytes(range(256)) * 10, "a.xlsx")


def test_empty_file(district):
    assert "文件是空的" in _refused(district, b"", "a.xlsx")


def test_password_protected_workbook(district):
    import msoffcrypto.format.ooxml as ooxml

    plain, out = io.BytesIO(_good()), io.BytesIO()
    ooxml.OOXMLFile(plain).encrypt("secret", out)
    assert "加密" in _refused(district, out.getvalue(), "加密.xlsx")


def test_truncated_workbook(district):
    data = _good()
    assert "已损坏" in _refused(district, data[: len(data) // 2], "坏.xlsx")


def test_workbook_with_corrupt_sheet_is_refused_by_the_check(district):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_good())) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                body = body[: len(body) // 3]  # XML cut off mid-element
            dst.writestr(info.filename, body)
    job = check(district.base_a1, buf.getvalue(), actor=district.users["street_a.admin"])
    assert job.status == "refused"
    assert "损坏" in job.message or "找不到表头" in job.message


def test_file_over_the_size_limit(district, monkeypatch):
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 1000)
    assert "文件过大" in _refused(district, _good() + b"\x00" * 2000, "大.xlsx")


def test_file_over_the_row_limit(district, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROWS", 3)
    rows = [["姓名", "身份证号"]] + [[f"人{i}", id_number()] for i in range(5)]
    job = check(district.base_a1, xlsx_bytes(rows), actor=district.users["street_a.admin"])
    assert job.status == "refused" and "超过 3 行" in job.message


def _bomb(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_good())) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/media/padding.xml", b" " * size)
    return buf.getvalue()


def test_zip_bomb_by_compression_ratio(district):
    data = _bomb(30 * 1024 * 1024)  # 30 MB of spaces deflate to ~30 KB
    assert len(data) < 200_000
    assert "压缩炸弹" in _refused(district, data, "炸弹.xlsx")


def test_zip_bomb_by_total_uncompressed_size(district, monkeypatch):
    monkeypatch.setattr(excel, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    assert "解压后超过" in _refused(district, _bomb(2 * 1024 * 1024), "大.xlsx")


def test_refused_upload_leaves_no_file_behind(district):
    before = set(services.storage_dir().iterdir())
    _refused(district, b"%PDF-1.7\n" * 50, "x.xlsx")
    assert set(services.storage_dir().iterdir()) == before


def test_upload_page_shows_the_refusal_not_a_500(district, client):
    client.force_login(district.users["street_a.admin"])
    resp = client.post("/console/imports/upload/", {"org": district.base_a1.pk,
                                                   "file": upload(b"%PDF-1.7\n" * 50, "x.xlsx")}, follow=True)
    assert resp.status_code == 200
    assert "文件内容是 PDF" in resp.content.decode()


def test_zip_entry_lying_about_its_size(district):
    """A directory that declares a small size for a big entry is caught before any parser runs."""
    import struct

    data = bytearray(_good())
    name = b"xl/worksheets/sheet1.xml"
    cd = data.index(b"PK\x01\x02")
    while True:  # find the central directory record of the sheet
        n = struct.unpack_from("<H", data, cd + 28)[0]
        if bytes(data[cd + 46: cd + 46 + n]) == name:
            break
        cd = data.index(b"PK\x01\x02", cd + 4)
    struct.pack_into("<I", data, cd + 24, 10)  # claims 10 bytes uncompressed
    local = struct.unpack_from("<I", data, cd + 42)[0]
    struct.pack_into("<I", data, local + 22, 10)
    msg = _refused(district, bytes(data), "说谎.xlsx")
    assert "已损坏" in msg


def test_missing_name_column_is_named(district):
    job = check(district.base_a1, xlsx_bytes([["身份证号", "备注"], [id_number(), "x"]]),
                actor=district.users["street_a.admin"])
    assert job.status == "refused" and "缺少必填列：姓名" in job.message
