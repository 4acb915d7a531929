"""Property tests of whole uploaded files through the upload and check (preview) path.

Valid workbooks are cut short, bit-flipped, rebuilt with entries renamed, duplicated, dropped or replaced,
given huge shared-string tables, deep or entity-laden XML and cells of every type with odd references; CSV files
come in mixed encodings, with BOMs, odd delimiters and line endings, unbalanced quotes and NULs; plus empty,
header-only and blank files. The only outcomes allowed: the upload is refused with a Chinese message (and no job
or stored file is left), or the check ends ``ready`` (a preview whose counts add up, whose error report lists
exactly the problem rows, and which then imports exactly as previewed) or ``refused`` with a Chinese message — never an exception, never the generic "system error", and never
a row written to the members tables.

Deterministic (``derandomize``); about 200 files in all, each a few kilobytes. On SQLite and PostgreSQL (``pg``:
text PostgreSQL refuses, such as a NUL in a header stored as jsonb, only fails there).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import make_id_number
from lianxin.members.models import Membership, Person
from lianxin.rosters import services
from lianxin.rosters.models import ImportJob

from .helpers import upload, xls_bytes, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

FILES = settings(max_examples=30, derandomize=True, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.data_too_large])
CJK = re.compile(r"[\u4e00-\u9fff]")
HEADER = ["姓名", "身份证号", "手机号码", "性别", "出生日期", "学历"]
IDS = [make_id_number("330106", dt.date(1980 + i, 1 + i, 1 + i), i, "MF"[i % 2]) for i in range(5)]
ROWS = [HEADER, ["张三", IDS[0], "13912345678", "男", "1980-01-01", "本科"],
        ["李四", IDS[1], 13912345679, "女", "", "大专"], ["王五", "3.30106E+17", "", "", "", ""],
        ["", IDS[3], "12345", "男", "去年", "幼儿园"], ["赵六", IDS[4], "", "", "", ""]]
BASE_XLSX = xlsx_bytes(ROWS, title_rows=[["某某公司工会会员花名册"]])
BASE_XLS = xls_bytes(ROWS)
BASE_CSV = "\n".join(",".join(str(c) for c in r) for r in ROWS).encode()


def outcome(district, data: bytes, name: str = "花名册.xlsx") -> str:
    """Upload ``data`` and run the check; assert the allowed outcomes; return which one it was."""
    admin = district.users["street_a.admin"]
    before = (Person.objects.count(), Membership.objects.count(), ImportJob.objects.count())
    stored_before = set(services.storage_dir().iterdir())
    try:
        job = services.start_import(actor=admin, org=district.base_a1, upload=upload(data, name))
    except ServiceError as e:
        assert CJK.search(e.message), e.message
        assert (Person.objects.count(), Membership.objects.count(), ImportJob.objects.count()) == before
        assert set(services.storage_dir().iterdir()) == stored_before  # the refused upload is not kept
        return "upload refused"
    services.check_job(job.pk)
    job.refresh_from_db()
    assert (Person.objects.count(), Membership.objects.count()) == before[:2]
    assert job.status in ("ready", "refused"), (job.status, job.message)
    assert "系统错误" not in job.message, job.message
    if job.status == "refused":
        assert CJK.search(job.message), job.message
        return "check refused"
    p = job.preview
    assert p["added"] + p["updated"] + p["unchanged"] + p["rejected"] == p["total"] == job.total_rows > 0
    assert len(job.problems) == p["rejected"]
    for no, msg in job.problems:
        assert isinstance(no, int) and no > job.header_row and CJK.search(msg), (no, msg)
    if job.problems:
        from python_calamine import CalamineWorkbook

        with services.error_report(actor=admin, job=job) as f:
            rows = CalamineWorkbook.from_filelike(f).get_sheet_by_index(0).to_python()
        assert rows[0][0] == "原行号" and rows[0][-1] == "错误说明"
        assert [(int(r[0]), r[-1]) for r in rows[1:]] == [(no, msg) for no, msg in job.problems]
    # and the file imports as previewed (valid rows), in a savepoint rolled back afterwards
    with transaction.atomic():
        services.request_import(actor=admin, job=job, mode="valid")
        job.refresh_from_db()
        assert job.status == "done", job.message
        assert (job.added, job.updated, job.unchanged, job.rejected) == (p["added"], p["updated"], p["unchanged"],
                                                                          p["rejected"])
        assert Person.objects.count() == before[0] + job.added
        transaction.set_rollback(True)
    return "ready"


# ------------------------------------------------------------------------------------------- byte mutations

BASES = {"xlsx": BASE_XLSX, "xls": BASE_XLS, "csv": BASE_CSV}


@FILES
@given(st.sampled_from(["xlsx", "xls", "csv"]), st.integers(0, 1 << 20))
@example("xls", 4100)  # python-calamine panicked (pyo3 PanicException, a BaseException): the check task died
def test_truncated_files(district, kind, cut):
    base = BASES[kind]
    outcome(district, base[: cut % len(base)], f"花名册.{kind}")


@FILES
@given(st.sampled_from(["xlsx", "xls", "csv"]),
       st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(1, 255)), min_size=1, max_size=6))
@example("xlsx", [(49, 2)])  # inflating raised zlib.error, which the zip check did not catch: a 500 on upload
def test_flipped_bytes(district, kind, flips):
    base = bytearray(BASES[kind])
    for at, mask in flips:
        base[at % len(base)] ^= mask
    outcome(district, bytes(base), f"花名册.{kind}")


# ---------------------------------------------------------------------------------------------- zip surgery

def _entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _zip(entries: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name"
        with zipfile.ZipFile(buf, "w", method) as z:
            for name, body in entries:
                z.writestr(name, body)
    return buf.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
CELL = re.compile(rb"<c r=\"[A-Z]+\d+\"[^>]*?(?:/>|>.*?</c>)", re.S)
REFS = st.one_of(st.from_regex(r"[A-Z]{1,3}[1-9]\d{0,4}", fullmatch=True),
                 st.sampled_from(["A1", "XFD1", "A1048576", "XFE1", "A1048577", "ZZZZ9", "", "1A", "a1", "A0",
                                  "B-1", "A99999999999", "AAAAAAAAAA1"]))
CELL_TYPES = st.sampled_from(["s", "n", "b", "e", "str", "inlineStr", "d", "", "x"])
CELL_VALUES = st.one_of(st.sampled_from(["0", "1", "2", "-1", "99999999", "1e308", "NaN", "abc", "#DIV/0!", "",
                                          "1990-01-01T00:00:00", "2026-13-45", "&amp;", "&lt;", "\u3000"]),
                        st.text(max_size=20).map(lambda s: s.replace("<", "&lt;").replace("&", "&amp;")))


@st.composite
def cell_xml(draw) -> bytes:
    ref, t, v = draw(REFS), draw(CELL_TYPES), draw(CELL_VALUES)
    attrs = (f' r="{ref}"' if ref else "") + (f' t="{t}"' if t else "")
    if t == "inlineStr":
        return f"<c{attrs}><is><t>{v}</t></is></c>".encode()
    return f"<c{attrs}><v>{v}</v></c>".encode()


def _deep(depth: int) -> bytes:
    return b"<a>" * depth + b"x" + b"</a>" * depth


BOMB_DTD = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')


@st.composite
def rebuilt_workbooks(draw) -> bytes:
    entries = _entries(BASE_XLSX)
    names = [n for n, _ in entries]
    op = draw(st.sampled_from(["rename", "duplicate", "drop", "garbage", "stored", "huge_strings", "deep_xml",
                               "entities", "cells", "sheet_text", "many_entries", "xxe"]))
    i = draw(st.integers(0, len(entries) - 1))
    method = zipfile.ZIP_DEFLATED
    if op == "rename":
        entries[i] = (draw(st.sampled_from([names[i] + "x", names[i].upper(), "xl/worksheets/sheet2.xml", "../" +
                                            names[i], "/" + names[i], names[i].replace("/", "\\")])), entries[i][1])
    elif op == "duplicate":
        body = draw(st.sampled_from([entries[i][1], b"", b"<x/>"]))
        entries.insert(draw(st.integers(0, len(entries))), (names[i], body))
    elif op == "drop":
        del entries[i]
    elif op == "garbage":
        entries[i] = (names[i], draw(st.binary(max_size=200)))
    elif op == "stored":
        method = zipfile.ZIP_STORED
    elif op == "huge_strings":
        n, size = draw(st.sampled_from([(50_000, 3), (3, 300_000), (1, 2_000_000)]))
        body = "".join(f"<si><t>{'字' * size}{k}</t></si>" for k in range(n))
        entries = [(nm, (f'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                         f'main" count="{n}" uniqueCount="{n}">{body}</sst>').encode() if nm == STRINGS else b)
                   for nm, b in entries]
    elif op == "deep_xml":
        depth = draw(st.sampled_from([1_000, 100_000]))
        target = draw(st.sampled_from([SHEET, STRINGS, "xl/workbook.xml"]))
        entries = [(nm, b.replace(b"</", _deep(depth) + b"</", 1) if nm == target else b) for nm, b in entries]
    elif op in ("entities", "xxe"):
        dtd = BOMB_DTD if op == "entities" else (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM '
                                                  b'"file:///etc/passwd">]>')
        ref = b"&d;" if op == "entities" else b"&x;"
        entries = [(nm, dtd + re.sub(rb"^<\?xml[^>]*\?>", b"", b).replace(b"<t>", b"<t>" + ref, 1)
                    if nm == STRINGS else b) for nm, b in entries]
    elif op == "cells":
        new = draw(st.lists(cell_xml(), min_size=1, max_size=6))

        def swap(body):
            cells = CELL.findall(body)
            for k, c in enumerate(new):
                if cells:
                    body = body.replace(cells[k % len(cells)], c, 1)
            return body

        entries = [(nm, swap(b) if nm == SHEET else b) for nm, b in entries]
    elif op == "sheet_text":
        body = dict(entries)[SHEET]
        at = draw(st.integers(0, len(body)))
        junk = draw(st.sampled_from([b"<", b"&", b"]]>", b"\x00", b"\xff\xfe", b"<row>", b"</sheetData>",
                                     b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>']))
        entries = [(nm, body[:at] + junk + body[at:] if nm == SHEET else b) for nm, b in entries]
    elif op == "many_entries":
        entries += [(f"xl/media/x{k}.bin", b"") for k in range(draw(st.sampled_from([10, 1999, 2500])))]
    return _zip(entries, method)


def _far_cell(ref: str) -> bytes:
    """The base workbook plus one value at ``ref``."""
    cell = f'<row r="{re.sub(r"[A-Z]+", "", ref)}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
    return _zip([(n, b.replace(b"</sheetData>", cell + b"</sheetData>") if n == SHEET else b)
                 for n, b in _entries(BASE_XLSX)])


@FILES
@given(rebuilt_workbooks())
@example(_zip([(n, b) for n, b in _entries(BASE_XLSX) if n != SHEET]))  # the sheet the workbook names is missing
@example(_far_cell("XFD1048576"))  # python-calamine asked for 550 GB and aborted the worker process
def test_rebuilt_workbooks(district, data):
    outcome(district, data)


@pytest.mark.parametrize("ref", ["XFD1048576", "XFD32768", "XFD1000"])
def test_a_value_far_out_refuses_the_file_with_a_reason(district, ref):
    """One value typed far right or far down makes python-calamine allocate the whole grid up to it (32 bytes a
    cell): 550 GB for XFD1048576 (the process aborted), 17 GB for XFD32768 (granted, then filled), 0.5 GB for
    XFD1000. The check's capped probe process refuses such a sheet, naming the cure."""
    assert outcome(district, _far_cell(ref)) == "check refused"
    job = ImportJob.objects.get()
    assert "数据范围过大" in job.message and "多余的行列" in job.message


@pytest.mark.parametrize("name", ["花名册\x00.xlsx", "\u202egnp.xlsx", " ", "x" * 500])
def test_odd_file_names(district, name):
    """The original name is stored and audited: visible text only (PostgreSQL refuses a NUL), at most 200."""
    assert outcome(district, BASE_XLSX, name) == "ready"
    stored = ImportJob.objects.get().original_name
    assert stored and len(stored) <= 200 and stored.isprintable()


def test_a_sheet_within_the_cell_limit_is_read(district):
    assert outcome(district, _far_cell("Z3000")) == "ready"


@FILES
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 255)), min_size=1, max_size=4))
def test_compressed_data_corrupted_behind_a_good_directory(district, flips):
    """Bytes flipped inside an entry's deflated data: the directory reads, inflating fails (zlib.error)."""
    buf = bytearray(BASE_XLSX)
    with zipfile.ZipFile(io.BytesIO(BASE_XLSX)) as z:
        info = z.getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k, mask in flips:
        buf[start + k * max(info.compress_size // 4, 1)] ^= mask or 0x55
    outcome(district, bytes(buf))


# ---------------------------------------------------------------------------------------------------- CSV

csv_cells = st.one_of(st.sampled_from(["", "张三", IDS[0], IDS[1].lower(), "13912345678", "\"", "\"\"", "a,b", "a\nb",
                                       "\x00", "\r", "﻿", "，", "；", "\t", "男", "1990/1/1", "=cmd|' /C calc'!A0"]),
                      st.text(max_size=12))


@st.composite
def csv_files(draw) -> bytes:
    header = draw(st.sampled_from([HEADER, ["姓名", "身份证号"], ["\ufeff姓名", "身份证号码", "手机"], ["name", "id"],
                                   [], ["姓名", "姓名", "身份证号", "身份证号"]]))
    rows = [header] + draw(st.lists(st.lists(csv_cells, max_size=8), max_size=8))
    delim = draw(st.sampled_from([",", "\t", ";", "|", "，"]))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\r"]))
    quote = draw(st.booleans())

    def field(v):
        return '"' + v.replace('"', '""') + '"' if quote else v

    text = eol.join(delim.join(field(c) for c in r) for r in rows)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', "\x00", "\ufeff", "\x1a", "\u2028"])) + text[at:]
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "big5", "latin-1", "mixed"]))
    if enc == "mixed":
        half = len(text) // 2
        return text[:half].encode("utf-8", "replace") + text[half:].encode("gbk", "replace")
    return text.encode(enc, "replace")


@FILES
@given(csv_files())
@example(b"")
@example(b"\xef\xbb\xbf")
@example("姓名,身份证号\n".encode())
@example("姓名,身份证号\n,\n ,  \n\n".encode())
@example("姓名,身份证号\n张三,\"".encode() + IDS[0].encode() + b"\n" * 5)
@example(("姓名,身份证号\n" + "张三," + IDS[0] + "\n") .encode() + b"a" * 9000 + b"\x00" + b"\n")
@example(("姓名,身份证号\n张三," + IDS[0] + "," + "x" * 200_000 + "\n").encode())
@example("\x00姓名,身份证号".encode("utf-16"))
def test_csv_files(district, data):
    outcome(district, data, "花名册.csv")


@FILES
@given(st.sampled_from(["xlsx", "xls", "csv"]), st.sampled_from([[HEADER], [HEADER, [""] * 6, [None] * 6],
                                                                   [["标题"]], [], [["姓名"], ["张三"]]]))
def test_header_only_and_blank_files(district, kind, rows):
    data = {"xlsx": lambda: xlsx_bytes(rows), "xls": lambda: xls_bytes(rows),
            "csv": lambda: "\n".join(",".join(str(c or "") for c in r) for r in rows).encode()}[kind]()
    assert outcome(district, data, f"花名册.{kind}") in ("upload refused", "check refused")


def test_unicode_text_export_is_read(district):
    """Excel's "Unicode 文本(*.txt)": tab-separated UTF-16 with a BOM (was refused as binary)."""
    text = "\t".join(HEADER) + "\r\n" + "\t".join(["张三", IDS[0], "13912345678", "男", "", "本科"]) + "\r\n"
    assert outcome(district, text.encode("utf-16"), "花名册.txt") == "ready"
    assert ImportJob.objects.get().preview["added"] == 1


def test_a_row_of_too_many_columns_is_refused(district):
    data = ("姓名,身份证号\n张三," + IDS[0] + "," * 20_000 + "\n").encode()
    assert outcome(district, data, "花名册.csv") == "check refused"
    assert "超过 16384 列" in ImportJob.objects.get().message
