"""Chinese identity numbers (GB 11643), credit codes (GB 32100) and mobiles, as union offices type them.

Validity is the checksum and a real birth date (DESIGN rule 10). The 6-digit region code is the code at issue,
which may be newer than the holder's birth or than any table (330114 钱塘区, created 2021): region lookup is
information only and never a reason to reject. We use python-stdnum's checksum part, not its ``validate``,
because that also insists on a region-table match and rejects real people.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from typing import NamedTuple

from phonenumbers import PhoneMetadata
from stdnum.cn import ric, uscc

from .errors import ServiceError

_SPACES = re.compile(r"[\s\u3000\-]+")


def normalise(value: object) -> str:
    """Full-width digits and letters to ASCII (NFKC), other scripts' digits to ASCII digits, invisible format
    characters (zero-width spaces, bidi marks such as the U+202D…U+202C that phones wrap numbers in) removed,
    spaces and dashes dropped, letters upper-cased; a whole float (a mobile typed into a number cell) without
    its ".0". Idempotent."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        value = int(value)
    s = str(value)
    if s.isascii():  # ASCII is already NFKC-normal; most cells are, and skipping the work is measurable
        return _SPACES.sub("", s).upper()
    s = unicodedata.normalize("NFKC", s)
    # digits of other scripts (٣, ३…), which NFKC keeps, as ASCII digits; format characters (Cf) dropped
    s = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in s
                if c.isascii() or unicodedata.category(c) != "Cf")
    s = _SPACES.sub("", s)
    if not s.isascii():  # dropping a space may let NFKC compose again ("A ́" -> "Á"): compose now, once
        s = unicodedata.normalize("NFKC", s)
    return s.upper()


class IdNumber(NamedTuple):
    """A valid ID number and what it says (immutable; a tuple, which is several times cheaper to build than a
    frozen dataclass — an import builds one per row)."""

    number: str
    birth_date: dt.date
    gender: str  # "M" / "F"
    region_code: str

    @property
    def region_name(self) -> str:
        return region_name(self.region_code)


_today_cache: list = [0.0, None]


def _today() -> dt.date:
    """``date.today()``, re-read at most once a second (it costs more than the rest of an ID check's date test)."""
    now = time.monotonic()
    if now >= _today_cache[0]:
        _today_cache[:] = [now + 1.0, dt.date.today()]
    return _today_cache[1]


def id_check_char(body17: str) -> str:
    """GB 11643 check character for the first 17 digits (python-stdnum's helper expects 18 characters)."""
    return ric.calc_check_digit(body17 + "0")


_EXCEL_FLOAT = re.compile(r"\d(\.\d+)?E\+?\d+", re.I)
_ID18 = re.compile(r"\d{17}[\dX]")


def looks_like_excel_float(raw: str) -> bool:
    """3.30106E+17: a number Excel stored as a float has lost its last digits."""
    return bool(_EXCEL_FLOAT.fullmatch(raw))


def parse_id_number(value: object, *, field: str = "身份证号", label: str | None = None) -> IdNumber:
    """The number checked, or a ServiceError saying what is wrong in words a union chair knows. ``field`` is the
    form field (or column) blamed; ``label`` what the message calls it (by default ``field``)."""
    label = label or field
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        raise ServiceError(
            f"{label}被 Excel 存成了数字，末几位已丢失，请把该列设为文本后重新填写", field=field
        )
    raw = normalise(value)
    if not raw:
        raise ServiceError(f"{label}不能为空", field=field)
    if looks_like_excel_float(raw):
        raise ServiceError(
            f"{label}“{raw}”被 Excel 存成了科学计数法，末几位已丢失，请把该列设为文本后重新填写", field=field
        )
    if len(raw) == 15 and raw.isdigit():
        raise ServiceError(f"{label}为15位旧号码，请填写18位身份证号", field=field)
    if not _ID18.fullmatch(raw):
        raise ServiceError(f"{label}“{raw}”应为18位，前17位为数字，最后一位为数字或X", field=field)
    try:
        birth = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise ServiceError(f"{label}中的出生日期 {raw[6:14]} 不存在", field=field) from None
    if birth.year < 1900 or birth > _today():
        raise ServiceError(f"{label}中的出生日期 {birth:%Y-%m-%d} 不合理", field=field)
    if id_check_char(raw[:17]) != raw[17]:
        raise ServiceError(f"{label}校验位不正确，请核对号码是否抄错", field=field)
    return IdNumber(raw, birth, "M" if int(raw[16]) % 2 else "F", raw[:6])


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years from ``birth`` to ``day`` (a birthday on ``day`` counts)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def region_name(code: str) -> str:
    """Best-effort name of a region code from python-stdnum's table; '' when unknown (never an error)."""
    from stdnum import numdb

    info: dict[str, str] = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    county = info.get("county", "").split(",")[-1]
    county = re.sub(r"^\[[^\]]*\]", "", county)
    return "".join(v for v in (info.get("province", ""), info.get("city", ""), county) if v)


def make_id_number(region: str, birth: dt.date, seq: int, gender: str) -> str:
    """Build a valid number (demo data and tests): 3-digit sequence whose parity carries the gender."""
    seq = seq % 500 * 2 + (1 if gender == "M" else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_char(body)


# GB 32100: registration authority (1-9 or a letter such as A, N, Y), organisation type, 6-digit region, 9-char
# organisation code, check character. python-stdnum's ``validate`` insists the first 8 are digits, which rejects
# legal codes such as N2… (农业) or Y1… (其他), so we check the format ourselves and use its check-digit part.
_USCC = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}")


def parse_uscc(value: object, *, field: str = "统一社会信用代码") -> str:
    raw = normalise(value)
    if not raw:
        raise ServiceError(f"{field}不能为空", field=field)
    if len(raw) != 18 or not _USCC.fullmatch(raw):
        raise ServiceError(f"{field}“{raw}”格式不符合 GB 32100（18位，不含 I、O、S、V、Z）", field=field)
    if uscc.calc_check_digit(raw[:17]) != raw[17]:
        raise ServiceError(f"{field}“{raw}”校验位不正确（GB 32100）", field=field)
    return raw


_MOBILE = re.compile(r"1[3-9]\d{9}")


def parse_mobile(value: object, *, field: str = "手机号码") -> str:
    raw = normalise(value)
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("86") and len(raw) == 13:
        raw = raw[2:]
    if not raw:
        raise ServiceError(f"{field}不能为空", field=field)
    if not _MOBILE.fullmatch(raw):
        raise ServiceError(f"{field}“{raw}”不是有效的11位手机号", field=field)
    if not _MOBILE_RANGES.fullmatch(raw):
        raise ServiceError(f"{field}“{raw}”号段无效", field=field)
    return raw


# The number ranges China's carriers have opened, straight from phonenumbers' metadata (the pattern behind its
# ``is_valid_number`` for CN mobiles), so a phonenumbers upgrade brings new ranges with it. For an 11-digit number
# starting 13–19 ``is_valid_number`` accepts exactly the numbers this pattern matches (checked for every 7-digit
# prefix; core/tests/test_id_numbers.py compares random numbers), but costs ~25 µs a call against ~0.3 µs: the difference was
# half of a roster import's validation time.
_MOBILE_RANGES = re.compile(PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern)


def mask_id(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


def mask_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:] if len(number) == 11 else "*" * len(number)
