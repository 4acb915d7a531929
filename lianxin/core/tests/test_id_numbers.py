import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import (
    id_check_char,
    make_id_number,
    mask_id,
    mask_mobile,
    normalise,
    parse_id_number,
    parse_mobile,
    parse_uscc,
    region_name,
)


def test_qiantang_330114_born_before_the_district_existed_is_valid():
    n = make_id_number("330114", dt.date(1960, 5, 6), 3, "F")
    info = parse_id_number(n)
    assert info.region_code == "330114" and info.gender == "F" and info.birth_date == dt.date(1960, 5, 6)


def test_jianggan_330104_holder_born_before_1983_is_valid():
    n = make_id_number("330104", dt.date(1975, 1, 2), 7, "M")
    assert parse_id_number(n).gender == "M"
    # python-stdnum's full validate would reject this real number; we must not
    assert not ric.is_valid(n)


def test_normalises_lower_x_spaces_and_full_width():
    body = "11010519491231002"
    n = body + id_check_char(body)
    assert n.endswith("X")
    messy = " ".join(["１１０１０５", "19491231", "002x"])
    assert parse_id_number(messy).number == n
    assert normalise("３３０") == "330"


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("3.30106E+17", "科学计数法"),
        (3.30106199001011e17, "存成了数字"),
        ("330106199002301234", "出生日期"),
        ("33010619900101123", "18位"),
        ("330106900101123", "15位"),
        ("", "不能为空"),
    ],
)
def test_rejects_with_chinese_message(value, fragment):
    with pytest.raises(ServiceError) as e:
        parse_id_number(value)
    assert fragment in e.value.message


def test_rejects_bad_checksum():
    n = make_id_number("330106", dt.date(1990, 1, 1), 5, "M")
    bad = n[:-1] + ("0" if n[-1] != "0" else "1")
    with pytest.raises(ServiceError, match="校验位"):
        parse_id_number(bad)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2008, 12, 31)), st.integers(0, 999),
       st.sampled_from(["M", "F"]), st.sampled_from(["330114", "330104", "110105", "999999"]))
def test_any_well_formed_number_roundtrips(birth, seq, gender, region):
    info = parse_id_number(make_id_number(region, birth, seq, gender))
    assert (info.birth_date, info.gender, info.region_code) == (birth, gender, region)


def test_region_lookup_is_information_only():
    assert region_name("330106").startswith("浙江省")
    assert region_name("999999") == ""


def test_uscc_with_leading_letters_is_legal():
    from stdnum.cn import uscc

    body = "N2330114MA2B1C2D"[:17].ljust(17, "0")
    code = body + uscc.calc_check_digit(body)
    assert parse_uscc(code.lower()) == code
    with pytest.raises(ServiceError, match="GB 32100"):
        parse_uscc(code[:-1] + ("0" if code[-1] != "0" else "1"))


def test_mobile_and_masks():
    assert parse_mobile("+86 138-0013-8000") == "13800138000"
    with pytest.raises(ServiceError, match="手机号"):
        parse_mobile("1380013800")
    assert mask_mobile("13800138000") == "138****8000"
    assert mask_id("33010619900101123X") == "3301**********123X"


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True) | st.from_regex(r"1795\d{7}", fullmatch=True))
def test_mobile_ranges_agree_with_phonenumbers(number):
    import phonenumbers

    try:
        expected = phonenumbers.is_valid_number(phonenumbers.parse(number, "CN"))
    except phonenumbers.NumberParseException:
        expected = False
    try:
        parse_mobile(number)
        got = True
    except ServiceError:
        got = False
    assert got == expected


def test_numbers_pasted_with_invisible_marks_or_typed_into_number_cells_are_read():
    """Phones wrap copied numbers in bidi marks (U+202D … U+202C) and web pages leave zero-width spaces: the
    forms, the API and the roster import read the number they show. A mobile typed into an Excel number cell
    arrives as a float."""
    n = make_id_number("330106", dt.date(1990, 1, 1), 7, "M")
    assert parse_id_number(f"\u202d{n}\u202c").number == n
    assert parse_id_number(f"{n[:6]}\u200b{n[6:]}\ufeff").number == n
    assert parse_mobile("\u202d138\u200b0013\u20608000\u202c") == "13800138000"
    assert parse_mobile(13800138000.0) == "13800138000"
    with pytest.raises(ServiceError, match="13800138000.5"):
        parse_mobile(13800138000.5)


@given(st.one_of(st.text(), st.floats(allow_nan=False), st.integers(-(10**20), 10**20)))
def test_normalise_is_idempotent(value):
    once = normalise(value)
    assert normalise(once) == once
