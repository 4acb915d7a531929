"""Spreadsheet input and output shared by every import and export (DESIGN: Excel I/O lives in core).

Reading follows what union offices really send: the file is identified by its content, never its extension
(a renamed PDF is refused, a CSV saved as ``.xls`` is read as CSV); xlsx is checked as a zip *before* any parser
sees it (entry count, declared uncompressed size, compression ratio, encryption flags), so a zip bomb costs a
directory read, not memory; OLE2 containers holding an ``EncryptedPackage`` are password-protected workbooks.
python-calamine (Rust) reads xlsx and xls; CSV may be UTF-8 (with or without BOM) or GBK/GB18030.

Writing is safe against formula injection (OWASP "CSV injection"): any text starting with ``= + - @`` or a tab
or carriage return is written as a string with a leading apostrophe, and xlsx cells are always written with an
explicit type (``write_string``), never through xlsxwriter's guessing. Both writers stream: CSV is a generator
for ``StreamingHttpResponse``; xlsx uses xlsxwriter's ``constant_memory`` mode into a temporary file, so memory
stays flat in the number of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .errors import ServiceError

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
MAX_ROWS = 200_000
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_RATIO = 150  # real xlsx sheets compress ~10-30x; bombs compress 1000x and more

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_LE, UTF16_BE = b"\xff\xfe", b"\xfe\xff"
MAX_CSV_COLUMNS = 16_384  # Excel's own limit; a 30 MB line of commas would otherwise be a 30-million-cell row
ZIP_MAGIC = b"PK\x03\x04"
KINDS = ("xlsx", "xls", "csv")


class SpreadsheetRefused(ServiceError):
    """The file as a whole cannot be read (not a spreadsheet, encrypted, corrupt, too large, a bomb)."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message, field="文件", code=code)


# --------------------------------------------------------------------------------------------- identification

def sniff(path: str | os.PathLike, *, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Return "xlsx", "xls" or "csv" from the file's content, or raise SpreadsheetRefused with the reason."""
    size = os.path.getsize(path)
    if size == 0:
        raise SpreadsheetRefused("文件是空的", code="empty")
    if size > max_bytes:
        raise SpreadsheetRefused(f"文件过大（{size / 1048576:.1f} MB），上限为 {max_bytes // 1048576} MB",
                                 code="too_large")
    with open(path, "rb") as f:
        head = f.read(8192)
    if head.startswith(ZIP_MAGIC):
        check_zip(path)
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        if _ole_is_encrypted(path):
            raise SpreadsheetRefused("工作簿设置了打开密码（已加密），请取消密码后另存再上传", code="encrypted")
        return "xls"
    if head.startswith((UTF16_LE, UTF16_BE)):  # Excel's "Unicode 文本" (tab-separated UTF-16 with a BOM)
        return "csv"
    import filetype

    guessed = filetype.guess(head)
    if guessed is not None:
        raise SpreadsheetRefused(f"文件内容是 {guessed.extension.upper()}，不是 Excel 或 CSV 表格", code="not_spreadsheet")
    if b"\x00" in head or _binary_ratio(head) > 0.05:
        raise SpreadsheetRefused("文件不是 Excel 或 CSV 表格（内容无法识别）", code="not_spreadsheet")
    if head.lstrip().lower().startswith((b"<!doctype", b"<html", b"<?xml", b"%pdf", b"{\\rtf")):
        raise SpreadsheetRefused("文件不是 Excel 或 CSV 表格（看起来是网页、PDF 或文档）", code="not_spreadsheet")
    return "csv"


def _binary_ratio(head: bytes) -> float:
    if not head:
        return 0.0
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    return ctrl / len(head)


def _ole_is_encrypted(path) -> bool:
    """Office 2007+ files protected by a password are OLE2 containers with an ``EncryptedPackage`` stream;
    BIFF (xls) files with a password carry a FILEPASS record, which calamine reports when opening."""
    needle = "EncryptedPackage".encode("utf-16-le")
    with open(path, "rb") as f:
        data = f.read(4 * 1024 * 1024)
    return needle in data


def check_zip(path) -> None:
    """Refuse a zip that is not a workbook, is encrypted, or would inflate beyond the limits. Only the central
    directory is read (declared sizes); the parser later stops at the same limits because calamine reads the
    declared entries."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except Exception:  # BadZipFile, OSError, ValueError (bad names, seeks), EOFError, struct.error...: corrupt
        raise SpreadsheetRefused("Excel 文件已损坏（压缩结构无法读取），请用 Excel 另存后重新上传", code="corrupt") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise SpreadsheetRefused("文件包含的部件过多，疑似恶意压缩包，已拒收", code="zip_bomb")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise SpreadsheetRefused("文件是压缩包或 Word/PPT 文档，不是 Excel 工作簿", code="not_spreadsheet")
    if "xl/workbook.bin" in names:
        raise SpreadsheetRefused("不支持 xlsb 格式，请另存为 .xlsx 后上传", code="not_spreadsheet")
    total = 0
    for i in infos:
        if i.flag_bits & 0x1:
            raise SpreadsheetRefused("工作簿已加密，请取消密码后再上传", code="encrypted")
        total += i.file_size
        if i.file_size > 10 * 1024 * 1024 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
            raise SpreadsheetRefused("文件解压比例异常（疑似“压缩炸弹”），已拒收", code="zip_bomb")
    if total > MAX_UNZIPPED_BYTES:
        raise SpreadsheetRefused(f"文件解压后超过 {MAX_UNZIPPED_BYTES // 1048576} MB（疑似“压缩炸弹”），已拒收",
                                 code="zip_bomb")
    _verify_declared_sizes(path)


def _verify_declared_sizes(path) -> None:
    """The directory's sizes could lie. Inflate every entry once in 1 MB steps (never more than its declared
    size: zipfile stops there and then checks the CRC, which fails if the real data was longer), so a lying
    entry is refused here and the parser only ever sees what the directory promised."""
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                with z.open(info) as f:
                    while f.read(1 << 20):
                        pass
    except Exception:  # a bad CRC (BadZipFile), bad deflate data (zlib.error), an unknown method...: corrupt
        raise SpreadsheetRefused("Excel 文件已损坏（压缩数据校验失败），请用 Excel 另存后重新上传", code="corrupt") from None


# ----------------------------------------------------------------------------------------------------- reading

@dataclass
class Table:
    """The first worksheet: ``rows`` yields lists of Python values (str, float, int, bool, date, datetime);
    item i is spreadsheet row i+1. ``height`` is the number of rows (for progress), known before reading."""

    rows: Iterator[list]
    height: int


def open_table(path, kind: str) -> Table:
    """Open an identified file (see :func:`sniff`) whose sheet was probed (see :func:`probe_sheet`). Raises
    SpreadsheetRefused for unreadable workbooks."""
    if kind == "csv":
        with open(path, "rb") as f:
            text = decode_text(f.read())
        return Table(_csv_rows(text), text.count("\n") + 1)
    try:
        sheet = _first_sheet(path)
        height = sheet.end[0] + 1 if sheet.end else 0
        rows = sheet.iter_rows()
    except SpreadsheetRefused:
        raise
    except _PARSER_FAILURES as e:  # calamine raises several classes (CalamineError, PasswordError, XmlError, ...)
        if isinstance(e, _NOT_OURS):
            raise
        raise _calamine_refusal(e) from None
    return Table(_guarded(rows), height)


# A Rust panic inside python-calamine arrives as pyo3's PanicException, which derives from BaseException, not
# Exception (found by the file fuzz test): caught too, except what must pass (interrupts, exits, generator close).
_PARSER_FAILURES = BaseException
_NOT_OURS = (KeyboardInterrupt, SystemExit, GeneratorExit)


def _first_sheet(path):
    """The first visible worksheet, loaded (python-calamine loads a sheet whole, as a dense grid)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    names = [m.name for m in wb.sheets_metadata if str(m.visible).endswith("Visible")
             and str(m.typ).endswith("WorkSheet")] or wb.sheet_names
    if not names:
        raise SpreadsheetRefused("工作簿里没有工作表", code="empty")
    return wb.get_sheet_by_name(names[0])


def _guarded(rows) -> Iterator[list]:
    try:
        yield from rows
    except _PARSER_FAILURES as e:
        if isinstance(e, _NOT_OURS):
            raise
        raise _calamine_refusal(e) from None


def _calamine_refusal(e: BaseException) -> SpreadsheetRefused:
    text = f"{type(e).__name__}: {e}".lower()
    if "password" in text or "encrypt" in text:
        return SpreadsheetRefused("工作簿设置了密码（已加密），请取消密码后另存再上传", code="encrypted")
    return SpreadsheetRefused("Excel 文件已损坏或格式无法识别，请用 Excel 另存为 .xlsx 后重新上传", code="corrupt")


# python-calamine holds a sheet as a dense grid of 32-byte cells from its first to its last used cell, allocated
# before a single row can be read: one value typed at XFD1048576 makes a 6 KB xlsx ask for 550 GB (the process
# aborts), one at XFD32768 for 17 GB (which a 24 GB server grants, then fills). So a workbook is first opened by
# a separate, memory-capped process that reports the sheet's extent; only a sane extent is opened in ours.
MAX_SHEET_CELLS = 15_000_000  # 200,000 rows x 75 columns; the grid alone is then ~480 MB
PROBE_MEMORY_BYTES = 3 << 30
PROBE_SECONDS = 120


def probe_sheet(path, kind: str) -> tuple[int, int]:
    """Open the workbook in a child process capped in memory and time, and return the first sheet's (rows,
    columns) extent, or raise SpreadsheetRefused: unreadable, a parser crash, or an extent over MAX_SHEET_CELLS.
    CSV needs no probe (read in Python, in memory proportional to the file). About 0.1 s plus the sheet's own
    load time, paid once, by the check pass; the import and the error report re-open the same stored file."""
    if kind == "csv":
        return 0, 0
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[2])
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from lianxin.core.excel import _probe_child; "
            "_probe_child(sys.argv[2], int(sys.argv[3]))")
    try:
        done = subprocess.run([sys.executable, "-I", "-c", code, root, str(path), str(PROBE_MEMORY_BYTES)],
                              capture_output=True, timeout=PROBE_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise SpreadsheetRefused("读取工作簿超时（文件过大或结构异常），请用 Excel 另存为 .xlsx 后重新上传",
                                 code="too_large") from None
    try:
        report = json.loads(done.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError, UnicodeDecodeError):
        report = None
    if done.returncode != 0 or not isinstance(report, dict):
        # killed at the memory cap (Rust aborts when an allocation fails) or crashed
        raise SpreadsheetRefused("工作表的数据范围过大或文件已损坏，无法读取；请删除表格右侧、下方多余的行列，"
                                 "用 Excel 另存为 .xlsx 后重新上传", code="too_large")
    if "refused" in report:
        raise SpreadsheetRefused(report["refused"], code=report.get("code", "corrupt"))
    rows, cols = int(report["rows"]), int(report["cols"])
    if rows * cols > MAX_SHEET_CELLS:
        raise SpreadsheetRefused(f"工作表的数据范围过大（{rows} 行 × {cols} 列），请删除表格右侧、下方多余的行列"
                                 "（含看不见的空格）后重新上传", code="too_large")
    return rows, cols


def _probe_child(path: str, memory: int) -> None:  # in the probe process
    import json
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        sheet = _first_sheet(path)
        report = {"rows": sheet.height, "cols": sheet.width}
    except SpreadsheetRefused as e:
        report = {"refused": e.message, "code": e.code}
    except _PARSER_FAILURES as e:
        if isinstance(e, _NOT_OURS):
            raise
        refusal = _calamine_refusal(e)
        report = {"refused": refusal.message, "code": refusal.code}
    print(json.dumps(report))


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not) first; Chinese Windows Excel saves CSV as GBK, which GB18030 decodes; UTF-16 when it
    starts with its BOM (Excel's "Unicode 文本")."""
    encodings = ("utf-16",) if data.startswith((UTF16_LE, UTF16_BE)) else ("utf-8-sig", "gb18030")
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetRefused("CSV 文件编码无法识别，请另存为“CSV UTF-8”后上传", code="encoding")


def _csv_rows(text: str) -> Iterator[list]:
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(row) > MAX_CSV_COLUMNS:
                raise SpreadsheetRefused(f"CSV 文件有一行超过 {MAX_CSV_COLUMNS} 列，请检查分隔符或另存为 .xlsx 后上传",
                                         code="too_large")
            yield row
    except csv.Error:
        raise SpreadsheetRefused("CSV 文件格式有误（引号不配对等），无法读取", code="corrupt") from None


def norm_header(value: object) -> str:
    """A header cell as comparable text: NFKC, no spaces/newlines/invisible marks, no required-marks or notes in
    brackets, however they are stacked (``*身份证号（必填）：``, ``姓名(必填)(文本)``). Idempotent."""
    s = scrub(cell_text(value))
    while True:  # until nothing changes: dropping a space can let NFKC compose again ("A ´" -> "Á")
        t = unicodedata.normalize("NFKC", re.sub(r"\s+", "", s))
        t = re.sub(r"[（(][^（）()]*[）)]$", "", t).strip("*＊:：")  # 身份证号（必填） / 手机(选填)
        if t == s:
            return s
        s = t


@dataclass
class HeaderMatch:
    row_index: int  # 0-based index of the (last) header row
    columns: dict[str, int]  # field key -> 0-based column
    labels: list[str]  # the header as the file spelled it, merged rows combined
    unknown: list[str] = field(default_factory=list)


def find_header(head_rows: list[list], aliases: dict[str, set[str]], *, scan: int = 15) -> HeaderMatch | None:
    """Find the header among the first rows: the row matching most known column names wins. Title rows above
    are skipped; a two-row header (a merged group cell such as "证件信息" over "身份证号 | 手机") and vertically
    merged cells (a label only in the upper row) are combined. ``aliases`` maps field key -> normalised names."""
    lookup = {a: key for key, names in aliases.items() for a in names}

    def matches(row) -> dict[str, int]:
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            key = lookup.get(norm_header(cell))
            if key and key not in found:
                found[key] = j
        return found

    best, best_i = {}, -1
    for i, row in enumerate(head_rows[:scan]):
        m = matches(row)
        if len(m) > len(best):
            best, best_i = m, i
    if best_i < 0:
        return None
    header_i = best_i
    width = max(len(r) for r in head_rows[: best_i + 2])
    row = list(head_rows[best_i]) + [""] * width
    labels = [_label(c) for c in row[:width]]
    columns = dict(best)
    # The row below may finish a two-row header (sub-labels under a merged group cell): it names a column this
    # row does not, or names one under a blank cell of this row (the rest of a merged group title).
    if best_i + 1 < len(head_rows):
        upper, lower = head_rows[best_i], head_rows[best_i + 1]
        below = matches(lower)
        if any(k not in columns for k in below) or any(_blank(upper, j) for j in below.values()):
            # A label here with a sub-label under it was a group title that happens to be a column name
            # ("联系方式" over "座机 | 手机"): the sub-labels name the columns (found by the header property test).
            for k, j in list(columns.items()):
                if not _blank(lower, j) and below.get(k) != j:
                    del columns[k]
            for k, j in below.items():
                if k not in columns:
                    columns[k] = j
            for j in range(min(len(lower), width)):
                if not _blank(lower, j):
                    labels[j] = _label(lower[j])
            header_i = best_i + 1
    # The row above may hold labels of vertically merged cells that are empty in this row.
    if best_i > 0:
        above = head_rows[best_i - 1]
        for j, cell in enumerate(above[:width]):
            key = lookup.get(norm_header(cell))
            if key and key not in columns and not labels[j]:
                columns[key] = j
                labels[j] = _label(cell)
    while labels and not labels[-1]:
        labels.pop()
    unknown = [lab for j, lab in enumerate(labels) if lab and j not in columns.values()]
    return HeaderMatch(header_i, columns, labels, unknown)


def _blank(row: list, j: int) -> bool:
    return j >= len(row) or row[j] is None or (row[j].__class__ is str and not row[j].strip())


def _label(cell) -> str:
    """A header cell as the file spelled it, for the preview and the error report's header: visible text only
    (a NUL cannot be stored in PostgreSQL's jsonb), at most 100 characters."""
    return scrub(cell_text(cell))[:100]


# ----------------------------------------------------------------------------------------------- cell values

_SCRUB_TABLE: dict[int, str | None] = {}


def scrub(s: str) -> str:
    """Text without control or format characters — NUL (which PostgreSQL refuses in text and jsonb), zero-width
    spaces, bidi marks and overrides, the BOM, soft hyphens — that copy-paste from web pages, WeChat and
    contact lists brings into cells, invisibly making two equal names or numbers differ; tabs and line breaks
    become spaces. NFKC-folded and trimmed; idempotent. Private-use and unassigned code points are kept (rare
    name characters live there). Cheap for clean text: one ``isprintable`` test."""
    if s.isascii():
        s = s.strip()
        if s.isprintable():
            return s
    else:
        s = unicodedata.normalize("NFKC", s).strip()
        if s.isprintable():
            return s
    if not _SCRUB_TABLE:  # every Cc/Cf/Zl/Zp code point, built on the first text that needs it: they all lie
        # in planes 0, 1 and 14 (checked over all of Unicode 15.1), ~0.1 s instead of ~0.75 s for all 17 planes
        for cp in itertools.chain(range(0x20000), range(0xE0000, 0xF0000)):
            cat = unicodedata.category(chr(cp))
            if cat in ("Cc", "Cf", "Zl", "Zp"):
                _SCRUB_TABLE[cp] = " " if chr(cp).isspace() else None
    s = s.translate(_SCRUB_TABLE)
    return unicodedata.normalize("NFKC", s).strip() if not s.isascii() else s.strip()


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def to_date(value: object) -> dt.date | None:
    """An Excel date, an Excel serial number, or text in the usual Chinese spellings (1990-01-01, 1990/1/1,
    1990.01.01, 1990年1月1日, 19900101). None when empty; ValueError when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, (int, float)):
        if 10_000_000 < value < 100_000_000 and float(value).is_integer():  # 19900101, 20150301 as a number
            return to_date(str(int(value)))
        if not 1 <= value < 2_958_466 or 60 <= value < 61:  # serial 60 is Excel's 1900-02-29, a day that never was
            raise ValueError("not a date")
        if value < 60:  # Excel counts that day: serials 1-59 (1900-01-01..02-28) are one day after what 61+ imply
            return _EXCEL_EPOCH + dt.timedelta(days=int(value) + 1)
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if not s:
        return None
    m = _DATE_TEXT.fullmatch(s) or _DATE_COMPACT.fullmatch(s)
    if not m:
        raise ValueError("not a date")
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


_HUGE = 10**4000


def cell_text(value: object) -> str:
    """A cell as the user would read it: 1234.0 -> "1234", dates as YYYY-MM-DD (four-digit years, also before
    1000, which strftime on Linux would print short), None -> ""."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", "seconds")[:19] if (value.hour, value.minute, value.second) != (0, 0, 0) \
            else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not -_HUGE < value < _HUGE:
        return f"{value:x}"  # beyond int→str's digit limit (no reader returns such a number; never raise)
    return str(value)


# ----------------------------------------------------------------------------------------------------- writing

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_text(value: object) -> str:
    """Text that a spreadsheet will never evaluate: a leading apostrophe defuses = + - @ tab CR (and their
    full-width forms, which some Excel versions also accept)."""
    s = cell_text(value)
    return "'" + s if s.startswith(_FORMULA_START) else s


def csv_stream(header: list[str], rows: Iterable[Iterable[object]], *, chunk: int = 500) -> Iterator[bytes]:
    """Yield a UTF-8 CSV with BOM (so Chinese Excel opens it correctly), every cell defused."""
    buf = io.StringIO()
    w = csv.writer(buf)
    yield "\ufeff".encode()
    w.writerow([safe_text(h) for h in header])
    n = 0
    for row in rows:
        w.writerow([safe_text(v) for v in row])
        n += 1
        if n % chunk == 0:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode()


WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


def put_row(ws, r: int, values: Iterable[object], date_fmt) -> None:
    """One row of typed cells: numbers and dates as such, everything else as defused text, never a formula."""
    for j, v in enumerate(values):
        if v is None or v == "":
            continue
        if isinstance(v, bool):
            ws.write_string(r, j, "是" if v else "否")
        elif isinstance(v, (int, float)) and -1e15 < v < 1e15:  # NaN and ±inf fail the test too
            ws.write_number(r, j, v)  # beyond 15 digits Excel would round it (the 3.30106E+17 problem): text
        elif isinstance(v, dt.date):
            ws.write_datetime(r, j, dt.datetime(v.year, v.month, v.day) if not isinstance(v, dt.datetime)
                              else v.replace(tzinfo=None), date_fmt)
        else:
            ws.write_string(r, j, safe_text(v))


def write_report(file, sheets: Iterable[tuple[str, list[str], Iterable[Iterable[object]]]]) -> None:
    """A small multi-sheet report (a dashboard's figures): each sheet is (name, header, rows), cells typed and
    defused as :class:`XlsxStreamWriter` writes them. ``file`` is a path or a binary file object."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(file, {**WORKBOOK_OPTIONS, "in_memory": True})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, header, rows in sheets:
        ws = wb.add_worksheet(safe_sheet_name(name))
        ws.write_row(0, 0, [safe_text(h) for h in header], bold)
        ws.freeze_panes(1, 0)
        ws.set_column(0, 0, 24)
        ws.set_column(1, max(1, len(header) - 1), 12)
        for r, row in enumerate(rows, start=1):
            put_row(ws, r, row, date_fmt)
    wb.close()


def safe_sheet_name(name: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet1"


class XlsxStreamWriter:
    """Rows to an xlsx in constant memory (xlsxwriter flushes each row to a temp file as it goes). Every
    value is written as text unless it is a number or a date, so nothing is ever a formula.

        with XlsxStreamWriter(header, widths=...) as w:
            for row in rows: w.row(row)
        return FileResponse(w.open(), ...)   # the temporary file deletes itself when closed
    """

    def __init__(self, header: list[str], *, sheet: str = "Sheet1", widths: list[int] | None = None,
                 text_columns: Iterable[int] = ()):
        import xlsxwriter

        self.tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
        self.tmp.close()
        self.wb = xlsxwriter.Workbook(self.tmp.name, {"constant_memory": True, **WORKBOOK_OPTIONS,
                                                      "tmpdir": tempfile.gettempdir()})
        self.ws = self.wb.add_worksheet(sheet)
        self.bold = self.wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.date_fmt = self.wb.add_format({"num_format": "yyyy-mm-dd"})
        text_fmt = self.wb.add_format({"num_format": "@"})
        for j, wdt in enumerate(widths or []):
            self.ws.set_column(j, j, wdt, text_fmt if j in set(text_columns) else None)
        self.ws.write_row(0, 0, [safe_text(h) for h in header], self.bold)
        self.ws.freeze_panes(1, 0)
        self.n = 1
        self.closed = False

    def row(self, values: Iterable[object]) -> None:
        put_row(self.ws, self.n, values, self.date_fmt)
        self.n += 1

    def close(self) -> str:
        if not self.closed:
            self.wb.close()
            self.closed = True
        return self.tmp.name

    def open(self):
        """The finished file, opened for reading; it is unlinked at once (POSIX) so it vanishes when closed."""
        name = self.close()
        f = open(name, "rb")  # noqa: SIM115
        os.unlink(name)
        return f

    def discard(self) -> None:
        self.close()
        try:
            os.unlink(self.tmp.name)
        except FileNotFoundError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is not None:
            self.discard()
        else:
            self.close()


def error_report(path, kind: str, header: list[str], problems: dict[int, str]):
    """The rows of an uploaded spreadsheet that ``problems`` names (by 1-based row number of the sheet), as the
    user wrote them: 原行号 first, the file's own columns under its header, 错误说明 last. An open xlsx file that
    vanishes when closed (:meth:`XlsxStreamWriter.open`); every cell is text, nothing is a formula. Its header
    keeps the file's column names, so the corrected report can be uploaded again as it is."""
    width = len(header)
    w = XlsxStreamWriter(["原行号", *header, "错误说明"], widths=[8] + [14] * width + [60])
    try:
        for i, cells in enumerate(open_table(path, kind).rows, start=1):
            msg = problems.get(i)
            if msg is None:
                continue
            values = [cell_text(c) for c in cells[:width]]
            w.row([i, *values, *[""] * (width - len(values)), msg])
        return w.open()
    except BaseException:
        w.discard()
        raise


def write_xlsx(path, header: list[str], rows: Iterable[Iterable[object]],
               before: Callable | None = None) -> None:
    """Small helper for reports: header + rows into ``path`` (defused), optional ``before(workbook, sheet)``."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"constant_memory": True, **WORKBOOK_OPTIONS})
    ws = wb.add_worksheet()
    if before:
        before(wb, ws)
    ws.write_row(0, 0, [safe_text(h) for h in header], wb.add_format({"bold": True}))
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            if v not in (None, ""):
                ws.write_string(i, j, safe_text(v))
    wb.close()
