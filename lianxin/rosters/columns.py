"""The roster's columns: what the template offers, which header spellings we accept, and how one row becomes
clean values. Row checking touches no database, so it can run in the import's forked reader process; the
identity rules are the members app's (``check_identity`` / ``seal_identity``), never a second validator."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lianxin.core.errors import ServiceError
from lianxin.core.excel import cell_text, norm_header, scrub, to_date
from lianxin.core.idnumbers import mask_id
from lianxin.members.models import Education, Gender, Political
from lianxin.members.services import check_identity, seal_identity


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # template header
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: dict[str, str] | None = None  # accepted text (normalised) -> stored code
    options: tuple[str, ...] = ()  # the drop-down list in the template
    width: int = 12
    hint: str = ""


YES_NO = {"是": True, "否": False, "Y": True, "N": False, "YES": True, "NO": False, "1": True, "0": False,
          "√": True, "✓": True, "×": False, "TRUE": True, "FALSE": False, "": False}

_EDU = {label: code for code, label in Education.choices} | {
    "小学": "primary", "初中及以下": "junior", "高中": "senior", "中专": "senior", "技校": "senior", "职高": "senior",
    "中技": "senior", "大专": "college", "专科": "college", "高职": "college", "本科": "bachelor", "大学本科": "bachelor",
    "大学": "bachelor", "学士": "bachelor", "研究生": "master", "硕士研究生": "master", "博士研究生": "doctor"}
_POL = {label: code for code, label in Political.choices} | {
    "党员": "cpc", "共产党员": "cpc", "中共党员": "cpc", "预备党员": "probationary", "团员": "league",
    "共青团员": "league", "民主党派成员": "democratic", "无党派人士": "masses", "无党派": "masses", "无": "masses"}
_GENDER = {"男": "M", "女": "F", "M": "M", "F": "F", "男性": "M", "女性": "F"}

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("姓名", "职工姓名", "会员姓名", "名字", "员工姓名"), required=True, width=10),
    Column("id_number", "身份证号", ("身份证号", "身份证号码", "公民身份号码", "身份证", "居民身份证号码",
                                     "居民身份证号", "证件号码", "身份证件号码"), required=True, width=22,
           hint="18位，按文本填写（勿用科学计数法）"),
    Column("mobile", "手机号码", ("手机号码", "手机", "手机号", "联系电话", "联系方式", "电话", "移动电话", "电话号码"),
           width=14),
    Column("gender", "性别", ("性别",), choices=_GENDER, options=("男", "女"), width=6, hint="可不填，按身份证号推算"),
    Column("birth_date", "出生日期", ("出生日期", "出生年月日", "生日", "出生年月"), width=12,
           hint="可不填；如 1990-01-01"),
    Column("employer_name", "工作单位", ("工作单位", "单位", "单位名称", "所在单位", "企业名称", "工作单位名称"),
           width=24),
    Column("job", "岗位/职务", ("岗位/职务", "岗位", "职务", "职位", "工种", "岗位职务"), width=12),
    Column("education", "学历", ("学历", "文化程度", "最高学历"), choices=_EDU,
           options=tuple(label for _c, label in Education.choices), width=14),
    Column("ethnicity", "民族", ("民族",), width=8),
    Column("political_status", "政治面貌", ("政治面貌",), choices=_POL,
           options=tuple(label for _c, label in Political.choices), width=12),
    Column("is_migrant", "农民工", ("农民工", "是否农民工"), choices=YES_NO, options=("是", "否"), width=8),
    Column("is_frontline", "一线职工", ("一线职工", "是否一线职工", "一线"), choices=YES_NO, options=("是", "否"),
           width=9),
    Column("is_model_worker", "劳模", ("劳模", "是否劳模", "劳动模范"), choices=YES_NO, options=("是", "否"), width=6),
    Column("joined_on", "入会日期", ("入会日期", "入会时间"), width=12, hint="可不填，默认导入当天"),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)
ALIASES = {c.key: {norm_header(a) for a in (c.label, *c.aliases)} for c in COLUMNS}
PROFILE_KEYS = ("employer_name", "job", "education", "ethnicity", "political_status", "is_migrant", "is_frontline",
                "is_model_worker")


_LIMITS = {"employer_name": 150, "job": 60, "ethnicity": 20}
MEMO_LIMIT = 20_000  # distinct values remembered per profile column and file
_QUOTED = re.compile(r"“([^”]*)”")


def _text(v) -> str:
    """A cell as clean text: full-width forms folded (NFKC), spaces trimmed, control and invisible format
    characters dropped (``core.excel.scrub``: NUL, zero-width spaces, bidi marks), 12.0 -> "12". Text that is
    ASCII and printable — most cells — costs two C-level tests."""
    if v is None:
        return ""
    if type(v) is str:
        return scrub(v)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return scrub(cell_text(v) if isinstance(v, int) else str(v))


def _q(s: str, limit: int = 30) -> str:
    """A value quoted back in a message, cut short: a 100,000-character cell must not become the message."""
    return s if len(s) <= limit else s[:limit] + "…"


def _shorten(message: str) -> str:
    """A message from ``check_identity`` that quotes a long value, with the quote cut short (see :func:`_q`)."""
    if len(message) <= 120:
        return message
    return _QUOTED.sub(lambda m: "“" + _q(m[1]) + "”", message)[:300]


@dataclass(slots=True)
class CleanRow:
    """One row that passed every check: identity sealed (ciphertext, blind index, masks), profile cleaned.
    ``profile`` holds only the columns the file had and filled: an empty cell never erases stored data."""

    row_no: int
    name: str
    number: str  # the normalised ID number, used for in-file duplicate detection only
    bidx: str
    sealed_fields: dict
    profile: dict
    joined_on: dt.date | None


class RowChecker:
    """Validates rows of one file. Built once per file (per column map): which column holds which field is
    resolved here, not per cell, and every row reads its cells by position. That per-row bookkeeping, not the
    identity rules, was most of the import's validation time (measured: ~30 µs of ~65 µs a row)."""

    __slots__ = ("name_j", "id_j", "mobile_j", "gender_j", "birth_j", "joined_j", "profile", "width")

    def __init__(self, columns: dict[str, int]):
        get = columns.get
        self.name_j, self.id_j, self.mobile_j = get("name"), get("id_number"), get("mobile")
        self.gender_j, self.birth_j, self.joined_j = get("gender"), get("birth_date"), get("joined_on")
        # (key, column, memo) for the profile columns the file has. These columns repeat a few values over and
        # over (是/否, 本科, 汉族, the employer), so each cell value is cleaned and checked once per file and the
        # outcome remembered: per row that is a dict lookup instead of NFKC and a choices lookup per cell.
        self.profile = tuple((k, columns[k], {}) for k in PROFILE_KEYS if k in columns)
        self.width = max(columns.values(), default=-1) + 1

    @staticmethod
    def _profile_value(key: str, cell) -> tuple[bool, object] | None:
        """One profile cell -> None (empty), (True, stored value) or (False, the problem in Chinese)."""
        raw = _text(cell)
        if not raw:
            return None
        column = BY_KEY[key]
        if column.choices is not None:
            code = column.choices.get(raw.upper())
            if code is None:
                return False, f"{column.label}“{_q(raw)}”不在可选范围内（{'、'.join(column.options)}）"
            return True, code
        limit = _LIMITS.get(key, 0)
        if len(raw) > limit:
            return False, f"{column.label}过长（不超过{limit}字）"
        return True, raw

    def __call__(self, cells: list, row_no: int, today: dt.date | None = None) -> CleanRow | list[str]:
        """One row -> a CleanRow, or the list of Chinese problems found in it. ``today`` may be passed in by
        the caller (one ``date.today()`` per chunk rather than per row)."""
        if len(cells) < self.width:
            cells = [*cells, *([None] * (self.width - len(cells)))]
        problems: list[str] = []
        name = _text(cells[self.name_j]) if self.name_j is not None else ""
        if not name:
            problems.append("姓名不能为空")
        elif len(name) > 50:
            problems.append("姓名过长（不超过50字）")
        gender = birth = joined = None
        if self.gender_j is not None:
            g = _text(cells[self.gender_j]).upper()
            if g:
                gender = _GENDER.get(g)
                if gender is None:
                    problems.append(f"性别“{_q(g)}”无法识别，请填“男”或“女”")
        if self.birth_j is not None:
            raw = cells[self.birth_j]
            if type(raw) is dt.datetime:  # the usual case: an Excel date cell
                birth = raw.date()
            else:
                try:
                    birth = to_date(raw)
                except (ValueError, OverflowError):
                    problems.append(f"{BY_KEY['birth_date'].label}“{_q(_text(raw))}”不是有效日期（如 1990-01-01）")
        if self.joined_j is not None:
            raw = cells[self.joined_j]
            try:
                joined = to_date(raw)
            except (ValueError, OverflowError):
                problems.append(f"{BY_KEY['joined_on'].label}“{_q(_text(raw))}”不是有效日期（如 1990-01-01）")
            else:
                if joined and joined > (today or dt.date.today()):
                    problems.append(f"入会日期 {joined.isoformat()} 晚于今天")
        profile: dict = {}
        for key, j, memo in self.profile:
            cell = cells[j]
            # text cells are their own key; others carry their type (1, 1.0 and True are equal as dict keys)
            mkey = cell if cell.__class__ is str else (cell.__class__, cell)
            try:
                found = memo[mkey]
            except KeyError:
                found = self._profile_value(key, cell)
                if len(memo) < MEMO_LIMIT:
                    memo[mkey] = found
            except TypeError:  # an unhashable cell value: not from a spreadsheet reader, but be safe
                found = self._profile_value(key, cell)
            if found is None:
                continue
            if found[0]:
                profile[key] = found[1]
            else:
                problems.append(found[1])
        number = cells[self.id_j] if self.id_j is not None else None
        if number.__class__ is str and not (number.isascii() and number.isprintable()):
            number = scrub(number)  # a zero-width space or bidi mark pasted with the number; NUL
        mobile = cells[self.mobile_j] if self.mobile_j is not None else None
        if mobile.__class__ is str:
            if not (mobile.isascii() and mobile.isprintable()):
                mobile = scrub(mobile)
        elif mobile is not None:
            mobile = _text(mobile)  # a mobile typed into a number cell: 13912345678.0 -> "13912345678"
        try:
            info, phone = check_identity(number, gender=gender, birth_date=birth, mobile=mobile)
        except ServiceError as e:
            problems.append(_shorten(e.message))
            return problems
        if joined is not None and joined < info.birth_date:
            problems.append(f"入会日期 {joined.isoformat()} 早于出生日期 {info.birth_date.isoformat()}")
        if problems:
            return problems
        sealed = seal_identity(info, phone)
        return CleanRow(row_no, name, info.number, sealed.id_bidx, {
            "id_cipher": sealed.id_cipher, "id_key": sealed.id_key, "id_masked": mask_id(info.number),
            "birth_date": info.birth_date, "gender": info.gender, "region_code": info.region_code,
            "mobile_cipher": sealed.mobile_cipher, "mobile_bidx": sealed.mobile_bidx,
            "mobile_masked": sealed.mobile_masked,
        }, profile, joined)


def check_row(cells: list, columns: dict[str, int], row_no: int) -> CleanRow | list[str]:
    """Validate one data row. Returns a CleanRow, or the list of Chinese problems found in it."""
    return RowChecker(columns)(cells, row_no)


def check_chunk(args, check: RowChecker | None = None) -> list:
    """(rows, columns, row numbers) -> list of CleanRow | (row_no, problems). Pass the file's ``check`` to
    reuse what it has learnt (its memo of profile values) across chunks."""
    rows, columns, numbers = args
    check, today = check or RowChecker(columns), dt.date.today()
    out = []
    for cells, no in zip(rows, numbers, strict=True):
        r = check(cells, no, today)
        out.append(r if r.__class__ is CleanRow else (no, r))
    return out


GENDER_LABEL = dict(Gender.choices)
