"""Property tests of one row's checking (``columns.RowChecker``) and the cell helpers of ``core.excel``.

Whatever a spreadsheet reader can hand over for a cell — text in any script with control characters, NUL,
bidi marks, emoji and megabyte strings; floats up to 1e308, NaN and infinities; 64-bit and larger ints;
booleans; dates, datetimes, times and durations as python-calamine returns them; Excel's error texts — a row
ends as a clean row or as Chinese messages, never as an exception. Clean values must be storable as they are
(no NUL or other control character, which PostgreSQL refuses in text and in jsonb), messages short and free of
control characters (they are stored in the job's jsonb and shown on the page). Normalising is idempotent, and a
valid person survives the formatting noise offices add (spaces, full-width digits, a lower-case x, +86, every
date spelling).

Deterministic (``derandomize``) and small enough for every run of the suite; no database.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lianxin.core import excel
from lianxin.core.idnumbers import _MOBILE_RANGES, make_id_number, normalise, parse_id_number, parse_mobile
from lianxin.rosters.columns import ALIASES, BY_KEY, COLUMNS, PROFILE_KEYS, CleanRow, RowChecker, _text

FUZZ = settings(max_examples=200, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

KEYS = tuple(c.key for c in COLUMNS)
FULL_MAP = {k: j for j, k in enumerate(KEYS)}
CJK = re.compile(r"[\u4e00-\u9fff]")
TODAY = dt.date.today()


def _bad_char(c: str) -> bool:
    """Control and format characters (NUL, bidi marks...), lone surrogates, line/paragraph separators. Private-use
    and unassigned code points are allowed: rare name characters live there."""
    return unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")


# ------------------------------------------------------------------------------------------------ strategies

NASTY_TEXT = ["", " ", "\u3000", "\x00", "a\x00b", "\u200b", "\u200f张三", "张\u202e三", "\ufeff", "\x7f", "\x1b[31m",
              "#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "=1+1", "@SUM(A1)",
              "3.30106E+17", "3.30106199001011E+17", "１２３", "ｘ", "😀", "👨‍👩‍👧", "\r\n", "\t", "NaN", "inf", "-0",
              "1e308", "١٩٩٠-٠١-٠١", "0000-00-00", "9999-12-31", "1990/2/30", "1990年13月1日", "男性", "女 ", " Y",
              "是\u200b", "00000000", "99999999", "１９９０．０１．０１", "+86 139 1234 5678", "\ud7ff", "\U0010ffff",
              "本科" * 40, "x" * 100_000]

_chars = st.characters(exclude_categories=("Cs",))  # a reader returns valid Unicode: no lone surrogates
texts = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(_chars, max_size=30),
    st.text(st.sampled_from("0123456789０１２３４５６７８９xX -/.年月日\u3000\u200b\x00"), max_size=24),
    st.builds(lambda s, n: s * n, st.text(_chars, min_size=1, max_size=5), st.integers(1, 5000)),
)
reader_numbers = st.one_of(  # what python-calamine can return: floats and 64-bit ints
    st.floats(),  # NaN, ±inf, ±0.0, subnormals, 1e308
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([1e308, -1e308, 5e-324, 330106199001011234.0, 3.30106e17, 13912345678.0, 13912345678,
                     19900101, 19900101.0, 19900230, 20150301, 99991231, 32874.0, 32874.75, 60.0, 61.0, 0.0, -1.0,
                     2958465.0, 2958466.0]),
)
numbers = st.one_of(reader_numbers, st.integers(), st.builds(lambda: 10**5000))  # beyond any reader: must not matter
temporal = st.one_of(st.dates(), st.datetimes(), st.times(), st.timedeltas(),
                     st.sampled_from([dt.date.min, dt.date.max, dt.datetime.min, dt.datetime.max, TODAY,
                                      TODAY + dt.timedelta(days=1)]))
reader_cells = st.one_of(st.none(), st.booleans(), reader_numbers, temporal, texts)
cells = st.one_of(reader_cells, numbers)


@st.composite
def column_maps(draw) -> dict[str, int]:
    """Which fields the file has, at which (possibly sparse) positions."""
    keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=len(KEYS)))
    positions = draw(st.lists(st.integers(0, 40), unique=True, min_size=len(keys), max_size=len(keys)))
    return dict(zip(keys, positions, strict=True))


def assert_outcome(result) -> None:
    """The only two allowed outcomes, and what each promises."""
    if isinstance(result, CleanRow):
        assert result.name and len(result.name) <= 50 and result.name == result.name.strip()
        assert not any(_bad_char(c) for c in result.name), ascii(result.name)
        assert re.fullmatch(r"\d{17}[\dX]", result.number)
        assert result.sealed_fields["gender"] in ("M", "F")
        for k, v in result.profile.items():
            assert k in PROFILE_KEYS
            if isinstance(v, str):
                assert v and v == v.strip() and not any(_bad_char(c) for c in v), (k, ascii(v))
        if result.joined_on is not None:
            assert result.sealed_fields["birth_date"] <= result.joined_on <= TODAY
        return
    assert isinstance(result, list) and result, result
    for msg in result:
        assert isinstance(msg, str) and CJK.search(msg), ascii(msg)
        assert len(msg) <= 300, len(msg)
        assert not any(_bad_char(c) for c in msg), ascii(msg)


# ------------------------------------------------------------------------------------------------ properties

@FUZZ
@given(column_maps(), st.lists(cells, min_size=0, max_size=45))
@example({"name": 0, "id_number": 1, "gender": 2}, ["张三", "x" * 100_000, "\x00"])
@example({"name": 0, "id_number": 1}, ["a\x00b", make_id_number("330106", dt.date(1990, 1, 1), 1, "M")])
@example({"name": 0, "id_number": 1, "employer_name": 2},
         ["甲", make_id_number("330106", dt.date(1990, 1, 1), 1, "M"), "杭州\x00公司"])
@example({"name": 0, "id_number": 1, "job": 2}, ["\u202e甲", make_id_number("330106", dt.date(1990, 1, 1), 1, "M"), 10**5000])
def test_any_cells_give_a_clean_row_or_chinese_messages(columns, row):
    assert_outcome(RowChecker(columns)(row, 7, TODAY))


@FUZZ
@given(st.lists(cells, min_size=len(KEYS), max_size=len(KEYS)))
def test_any_cells_in_every_column(row):
    assert_outcome(RowChecker(FULL_MAP)(row, 3, TODAY))


@FUZZ
@given(cells)
def test_cell_helpers_never_raise_anything_but_value_error(value):
    text = excel.cell_text(value)
    assert isinstance(text, str)
    assert excel.cell_text(text) == text
    safe = excel.safe_text(value)
    assert not safe.startswith(excel._FORMULA_START)
    try:
        d = excel.to_date(value)
    except ValueError:
        pass
    else:
        assert d is None or type(d) is dt.date
        if d is not None:  # the date written back as text reads as the same date
            assert excel.to_date(excel.cell_text(d)) == d
            assert excel.to_date(d) == d
    assert _text(_text(value)) == _text(value)
    assert excel.norm_header(excel.norm_header(value)) == excel.norm_header(value)


@FUZZ
@given(reader_cells)
def test_identity_parsers_are_idempotent(value):
    for parse in (parse_id_number, parse_mobile):
        try:
            once = parse(value)
        except Exception as e:  # noqa: BLE001 — only the Chinese refusal is allowed
            from lianxin.core.errors import ServiceError

            assert isinstance(e, ServiceError) and CJK.search(e.message), repr(e)
            continue
        first = once.number if parse is parse_id_number else once
        again = parse(first)
        assert (again.number if parse is parse_id_number else again) == first


# ---------------------------------------------------------------------------------- valid people with noise

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
mobile_prefixes = [p for p in (f"{a}{b}" for a in range(130, 200) for b in range(10)) if
                   _MOBILE_RANGES.fullmatch(f"{p}1234567"[:11])]


@st.composite
def people(draw):
    birth = draw(st.dates(dt.date(1900, 1, 1), TODAY))
    gender = draw(st.sampled_from("MF"))
    region = draw(st.from_regex(r"[1-8][0-9]{5}", fullmatch=True))
    number = make_id_number(region, birth, draw(st.integers(0, 499)), gender)
    mobile = draw(st.sampled_from(mobile_prefixes)) + f"{draw(st.integers(0, 9_999_999)):07d}"
    if not _MOBILE_RANGES.fullmatch(mobile):
        mobile = "13912345678"
    name = draw(st.sampled_from(["张三", "欧阳娜娜", "阿卜杜热合曼·买买提", "李 明", "Anna Smith", "王\u3000芳"]))
    return number, mobile, gender, birth, name


def _id_noise(draw, number: str) -> str:
    s = number
    if draw(st.booleans()):
        s = s.replace("X", "x")
    if draw(st.booleans()):
        s = s.translate(FULL_WIDTH)
    if draw(st.booleans()):
        s = f"{s[:6]} {s[6:14]} {s[14:]}"
    if draw(st.booleans()):
        s = f"{s[:6]}-{s[6:14]}-{s[14:]}"
    return draw(st.sampled_from(["", " ", "\u3000", "\t"])) + s + draw(st.sampled_from(["", " ", "\u3000", "\n"]))


def _mobile_noise(draw, mobile: str):
    form = draw(st.sampled_from(["text", "float", "int", "+86", "86", "spaced", "dashed", "full", "+86 spaced"]))
    return {"text": mobile, "float": float(mobile), "int": int(mobile), "+86": "+86" + mobile, "86": "86" + mobile,
            "spaced": f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", "dashed": f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
            "full": mobile.translate(FULL_WIDTH), "+86 spaced": f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}"}[form]


def _date_noise(draw, d: dt.date):
    serial = (d - dt.date(1899, 12, 30)).days if d >= dt.date(1900, 3, 1) else (d - dt.date(1899, 12, 31)).days
    forms = [dt.datetime(d.year, d.month, d.day), d, f"{d:%Y-%m-%d}", f"{d.year}/{d.month}/{d.day}",
             f"{d:%Y.%m.%d}", f"{d:%Y%m%d}", f"{d.year}年{d.month}月{d.day}日", float(serial), serial,
             int(f"{d:%Y%m%d}"), f"{d:%Y-%m-%d}".translate(FULL_WIDTH), f"{d:%Y-%m-%d} 00:00:00", f" {d:%Y/%m/%d} "]
    return draw(st.sampled_from(forms))


@st.composite
def noisy_rows(draw):
    number, mobile, gender, birth, name = p = draw(people())
    g = draw(st.sampled_from({"M": ["男", "M", "m", " 男性", "男 ", None, ""], "F": ["女", "F", "f", "女性", None]}[gender]))
    row = {
        "name": draw(st.sampled_from(["", " ", "\u3000"])) + name + draw(st.sampled_from(["", " ", "\u3000"])),
        "id_number": _id_noise(draw, number),
        "mobile": _mobile_noise(draw, mobile),
        "gender": g,
        "birth_date": None if draw(st.booleans()) else _date_noise(draw, birth),
        "education": draw(st.sampled_from(["本科", " 大专", "研究生", "硕士研究生", None])),
        "political_status": draw(st.sampled_from(["中共党员", "群众", "共青团员", "", None])),
        "is_migrant": draw(st.sampled_from(["是", "否", "y", "Yes", "TRUE", True, False, 1.0, 0, "√", None])),
        "employer_name": draw(st.sampled_from(["杭州甲科技有限公司", " 杭州乙厂 ", "", None])),
        "joined_on": None if draw(st.booleans()) else _date_noise(draw, draw(st.dates(birth, TODAY))),
    }
    keys = draw(st.permutations(list(row)))
    return p, {k: j for j, k in enumerate(keys)}, [row[k] for k in keys]


@FUZZ
@given(noisy_rows())
@example((("11010519491231002X", "13912345678", "F", dt.date(1949, 12, 31), "王\u3000芳"),
          {"name": 0, "id_number": 1, "mobile": 2, "birth_date": 3},
          ["王\u3000芳", "110105 19491231 002x", 13912345678.0, 18263.0]))
def test_a_valid_person_passes_whatever_the_formatting(case):
    (number, mobile, gender, birth, _name), columns, row = case
    result = RowChecker(columns)(row, 2, TODAY)
    assert isinstance(result, CleanRow), (result, row)
    assert result.number == number
    assert result.sealed_fields["gender"] == gender and result.sealed_fields["birth_date"] == birth
    assert result.sealed_fields["mobile_masked"] == mobile[:3] + "****" + mobile[-4:]
    assert_outcome(result)


@FUZZ
@given(noisy_rows())
def test_checking_a_clean_row_again_gives_the_same_row(case):
    """Idempotence at row level: the values a clean row holds, fed back as a row, come out unchanged."""
    (_number, mobile, *_), columns, row = case
    first = RowChecker(columns)(row, 2, TODAY)
    assert isinstance(first, CleanRow), first
    labels = {k: {code: c for c, code in (BY_KEY[k].choices or {}).items()} for k in PROFILE_KEYS}
    again_row = {"name": first.name, "id_number": first.number, "mobile": mobile,
                 "birth_date": first.sealed_fields["birth_date"], "joined_on": first.joined_on,
                 **{k: labels[k].get(v, v) if BY_KEY[k].choices is not None and not isinstance(v, bool)
                    else ("是" if v else "否") if isinstance(v, bool) else v for k, v in first.profile.items()}}
    keys = list(again_row)
    second = RowChecker({k: j for j, k in enumerate(keys)})([again_row[k] for k in keys], 2, TODAY)
    assert isinstance(second, CleanRow), second
    for attr in ("name", "number", "bidx", "profile", "joined_on"):
        assert getattr(second, attr) == getattr(first, attr), attr
    for k in ("id_masked", "birth_date", "gender", "region_code", "mobile_bidx", "mobile_masked"):
        assert second.sealed_fields[k] == first.sealed_fields[k], k


@pytest.mark.parametrize("value", ["A\xb4", "A \u0301"])
def test_core_normalise_is_idempotent(value):
    """Dropping the space NFKC makes of '´' used to let a second NFKC compose 'Á' (normalise was not
    idempotent)."""
    assert normalise(normalise(value)) == normalise(value)


@pytest.mark.parametrize("value, expected", [
    (1.0, dt.date(1900, 1, 1)), (59.0, dt.date(1900, 2, 28)), (61.0, dt.date(1900, 3, 1)),
    (32874.0, dt.date(1990, 1, 1)), ("1990年1月1日", dt.date(1990, 1, 1)), (19900101, dt.date(1990, 1, 1)),
])
def test_excel_serial_numbers(value, expected):
    """Excel counts 1900-02-29 (serial 60), a day that never was: serials 1–59 are one day later than the
    1899-12-30 epoch used for the rest says."""
    assert excel.to_date(value) == expected


def test_joining_before_birth_is_a_row_problem():
    """Found by the row property (a clean row's join date must lie between birth and today)."""
    number = make_id_number("330106", dt.date(1990, 1, 1), 1, "M")
    check = RowChecker({"name": 0, "id_number": 1, "joined_on": 2})
    assert check(["甲", number, "1989-12-31"], 2, TODAY) == ["入会日期 1989-12-31 早于出生日期 1990-01-01"]
    assert isinstance(check(["甲", number, "1990-01-01"], 2, TODAY), CleanRow)


def test_a_long_value_is_quoted_short_in_the_message():
    msg = RowChecker({"name": 0, "id_number": 1})(["甲", "1" * 100_000], 2, TODAY)
    assert msg == ["身份证号“" + "1" * 30 + "…”应为18位，前17位为数字，最后一位为数字或X"]


def test_scrub_table_covers_every_control_and_format_character():
    """``core.excel.scrub`` builds its table from planes 0, 1 and 14 only, where every such character lies."""
    import sys

    excel.scrub("\x00")  # builds the table
    everywhere = {cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp")}
    assert everywhere == set(excel._SCRUB_TABLE)


# ------------------------------------------------------------------------------------------- header variants

def _label_noise(draw, alias: str) -> str:
    s = alias
    if draw(st.booleans()) and len(s) > 1:
        at = draw(st.integers(1, len(s) - 1))
        s = s[:at] + draw(st.sampled_from([" ", "\n", "\u3000", "\u200b", "\r\n"])) + s[at:]
    s = draw(st.sampled_from(["", "*", "＊", " "])) + s
    s += draw(st.sampled_from(["", "（必填）", "(选填)", "：", ":", "*", "（必填）：", "(文本)(18位)", " "]))
    return s


@st.composite
def headers(draw):
    """A header row (a subset of the columns, in any order, each under any accepted name with the noise offices
    add), optional title rows above, and optional gaps between the columns."""
    keys = draw(st.permutations(KEYS))
    keys = [k for k in keys if k in ("name", "id_number") or draw(st.booleans())]
    row, where = [], {}
    for k in keys:
        if draw(st.integers(0, 4)) == 0:
            row.append(draw(st.sampled_from(["", None, "备注", "序号", "Unnamed"])))
        where[k] = len(row)
        names = (BY_KEY[k].label, *BY_KEY[k].aliases)
        row.append(_label_noise(draw, draw(st.sampled_from(names))))
    titles = draw(st.lists(st.sampled_from([["某某公司工会会员花名册"], ["填表日期：2026年1月", None, "单位：人"], [],
                                            [None, None]]), max_size=3))
    return titles, row, where


@FUZZ
@given(headers())
def test_header_variants_are_found(case):
    titles, row, where = case
    match = excel.find_header([*titles, row, ["张三", "1"]], ALIASES)
    assert match is not None and match.row_index == len(titles)
    assert match.columns == where, (row, match.columns)
    assert all(lab == lab.strip() and lab.isprintable() for lab in match.labels)


# ------------------------------------------------------------------------------------------------- writers

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
writer_cells = st.one_of(reader_cells, st.sampled_from(["=1+1", "+86 139", "-1", "@SUM(A1)", "\t=x", "\r=x", "＝１",
                                                        "=cmd|' /C calc'!A0", "'=already", " =x", "=HYPERLINK(\"x\")"]))


@settings(FUZZ, max_examples=60)
@given(st.lists(st.lists(writer_cells, max_size=6), min_size=1, max_size=6))
def test_written_files_never_hold_a_formula(rows):
    """The export and the error report (core.excel's writers): whatever the values, the xlsx holds no formula
    and no text cell that a spreadsheet would evaluate; the CSV likewise."""
    import csv
    import io
    import zipfile

    from python_calamine import CalamineWorkbook

    with excel.XlsxStreamWriter(["姓名", "=A1"]) as w:
        for r in rows:
            w.row(r)
    with w.open() as f:
        data = f.read()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
    for r in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python():
        for v in r:
            assert not (isinstance(v, str) and v.startswith(FORMULA_START)), ascii(v)
    text = b"".join(excel.csv_stream(["姓名"], rows)).decode("utf-8-sig")
    for r in csv.reader(io.StringIO(text, newline="")):
        for v in r:
            assert not v.startswith(FORMULA_START), ascii(v)


@st.composite
def two_row_headers(draw):
    """Two header rows as python-calamine returns merged cells: a group title (基本信息…) over sub-labels, its
    value in the first cell of the merge and "" in the rest; the other labels merged vertically (value in the
    upper row, "" below)."""
    keys = [k for k in draw(st.permutations(KEYS)) if k in ("name", "id_number") or draw(st.booleans())]
    upper, lower, where, j = [], [], {}, 0
    while j < len(keys):
        size = draw(st.integers(0, min(4, len(keys) - j)))
        if size >= 2:  # a group of `size` columns under one title
            upper += [draw(st.sampled_from(["基本信息", "联系方式", "证件信息", "个人情况"]))] + [""] * (size - 1)
            for k in keys[j:j + size]:
                where[k] = len(lower)
                lower.append(_label_noise(draw, draw(st.sampled_from((BY_KEY[k].label, *BY_KEY[k].aliases)))))
            j += size
        else:
            where[keys[j]] = len(upper)
            upper.append(_label_noise(draw, draw(st.sampled_from((BY_KEY[keys[j]].label, *BY_KEY[keys[j]].aliases)))))
            lower.append("")
            j += 1
    return upper, lower, where


@FUZZ
@given(two_row_headers())
# "联系方式" is itself a name of the mobile column: as a group title over 座机 | 手机 it took the landline column
@example((["姓名", "身份证号", "联系方式", ""], ["", "", "座机", "手机"], {"name": 0, "id_number": 1, "mobile": 3}))
def test_two_row_merged_headers_are_found(case):
    upper, lower, where = case
    match = excel.find_header([["某某公司工会会员花名册"], upper, lower, ["张三", "1"]], ALIASES)
    assert match is not None and match.columns == where, (upper, lower, match and match.columns)
    assert match.row_index == (2 if any(lower) else 1)
