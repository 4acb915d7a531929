"""上传慰问名单: a grassroots union's condolence list for a 两节送温暖 campaign, as a spreadsheet.

The template (:func:`template_workbook`) has the Chinese header, an instructions row and a drop-down of the
category labels. An upload (:func:`store_upload`) is kept privately under ``MEDIA_ROOT/assistance_uploads`` and
named by a signed token bound to the campaign and the user; :func:`check_upload` reads it with the project's
Excel reader (``lianxin.core.excel``: identified by content, probed, header variants) and checks every row as
:func:`services.propose_recipient` checks one (the same ``_check_proposal`` path for scope and membership). The
preview shows every row's problem; :func:`error_report` gives the rows with problems back as written, with a
错误说明 column (``core.excel.error_report``), to correct and upload again. :func:`apply_upload` re-reads and
re-checks the same file under the campaign's row lock and writes all rows or none — or, when the user chose
"只报送无误的行", exactly the rows that were good in the preview, the others skipped —, audited once
(``assistance.warmth_upload``). A plan (:func:`plan_of`: a digest of the good rows' numbers and amounts) binds
the confirmation to the preview the user saw: if anything moved, nothing is written."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.excel import (
    MAX_UPLOAD_BYTES,
    SpreadsheetRefused,
    cell_text,
    find_header,
    norm_header,
    open_table,
    probe_sheet,
    scrub,
    sniff,
    write_xlsx,
)
from lianxin.core.excel import error_report as rows_report
from lianxin.core.idnumbers import mask_id, parse_id_number
from lianxin.orgs.models import Organization
from lianxin.rosters.columns import BY_KEY

from .models import Campaign, Category, Recipient
from .services import _amount_for, _check_proposal, _lock_campaign, _open_for_proposals, yuan

MAX_LIST_ROWS = 2000  # a union's condolence list is tens of people; the preview shows every row
TOKEN_SALT = "assistance.warmth_upload"
TOKEN_MAX_AGE = 2 * 3600
HEADER = ["身份证号", "姓名", "慰问类别", "慰问事由", "慰问金额（元，可空＝标准）"]
INSTRUCTIONS = ("填表说明（本行不导入）：第1行为表头，请勿修改；从第3行起每行一人。身份证号按文本填写；姓名须与身份证号"
                "对应的会员一致；慰问类别从下拉列表选择；慰问事由 2 至 200 个字；慰问金额可不填，按本次活动标准发放。")
ALIASES = {
    "id_number": {norm_header(a) for a in (BY_KEY["id_number"].label, *BY_KEY["id_number"].aliases)},
    "name": {norm_header(a) for a in (BY_KEY["name"].label, *BY_KEY["name"].aliases)},
    "category": {norm_header(a) for a in ("慰问类别", "类别", "慰问对象类别", "人员类别")},
    "reason": {norm_header(a) for a in ("慰问事由", "事由", "慰问原因", "困难原因", "原因")},
    "amount": {norm_header(a) for a in ("慰问金额（元，可空＝标准）", "慰问金额", "慰问金", "金额", "慰问金额（元）")},
}
REQUIRED = {"id_number": "身份证号", "name": "姓名", "category": "慰问类别", "reason": "慰问事由"}
BY_LABEL = {label: value for value, label in Category.choices}
# Han characters (CJK unified ideographs and their extensions, compatibility ideographs, 〇 and 々): a name with
# one of them is a Chinese name, written without spaces.
_HAN = re.compile(r"[\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def name_key(name: str) -> str:
    """A name as compared with the ID's person: full-width forms folded and invisible marks dropped (NFKC,
    ``core.excel.scrub``); in a Chinese name every space is dropped — lists have 「张 三」 (two-character names padded
    to line up with three), full-width and trailing spaces —, in any other name runs of spaces count as one. Nothing
    else is folded: 「张三」 and 「张山」, 「张三」 and 「張三」 stay different names."""
    s = scrub(name or "")
    return "".join(s.split()) if _HAN.search(s) else " ".join(s.split())


def storage_dir() -> Path:
    d = Path(settings.MEDIA_ROOT) / "assistance_uploads"
    d.mkdir(parents=True, exist_ok=True)
    return d


def template_workbook() -> bytes:
    """The xlsx template, written by the project's writer (``write_xlsx``): header, instructions row, text format
    on the ID column, the category drop-down."""
    labels = [label for _, label in Category.choices]

    def before(wb, ws):
        ws.set_column(0, 0, 22, wb.add_format({"num_format": "@"}))
        ws.set_column(1, 2, 12)
        ws.set_column(3, 3, 40)
        ws.set_column(4, 4, 24)
        ws.data_validation(2, 2, MAX_LIST_ROWS + 2, 2, {
            "validate": "list", "source": labels, "error_title": "请从下拉列表选择",
            "error_message": f"慰问类别只能填写：{'、'.join(labels)}"})

    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        write_xlsx(path, HEADER, [[INSTRUCTIONS]], before=before)
        return Path(path).read_bytes()
    finally:
        os.unlink(path)


# ---------------------------------------------------------------------------------------------------- upload

def store_upload(*, actor, campaign: Campaign, upload) -> str:
    """Keep the uploaded file privately; refuse anything that is not a spreadsheet (by content) or is too large.
    Returns the signed token naming it for this campaign and user."""
    if upload is None:
        raise ServiceError("请选择要上传的慰问名单文件", field="file")
    if getattr(upload, "size", 0) and upload.size > MAX_UPLOAD_BYTES:
        raise SpreadsheetRefused(f"文件过大（{upload.size / 1048576:.1f} MB），上限为 {MAX_UPLOAD_BYTES // 1048576} MB",
                                 code="too_large")
    name = scrub(os.path.basename(str(getattr(upload, "name", "") or "")))[:100] or "慰问名单"
    _sweep()
    stored = uuid.uuid4().hex
    path = storage_dir() / stored
    try:
        with open(path, "wb") as f:
            for chunk in upload.chunks():
                f.write(chunk)
        kind = sniff(path)  # size limit, emptiness, content type
        probe_sheet(path, kind)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return signing.dumps({"f": stored, "k": kind, "n": name, "c": campaign.pk, "u": actor.pk}, salt=TOKEN_SALT)


def _sweep() -> None:
    """Forget files whose token has expired (previews never confirmed)."""
    import time

    cutoff = time.time() - TOKEN_MAX_AGE
    for f in storage_dir().iterdir():
        try:
            if f.stat().st_mtime < cutoff:
                f.unlink()
        except FileNotFoundError:
            pass


def open_token(*, actor, campaign: Campaign, token: str) -> dict:
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise ServiceError("上传的文件已过期或无效，请重新上传", code="stale") from None
    if data.get("c") != campaign.pk or data.get("u") != actor.pk or not (storage_dir() / data["f"]).is_file():
        raise ServiceError("上传的文件已过期或无效，请重新上传", code="stale")
    return data


def discard(data: dict) -> None:
    (storage_dir() / data["f"]).unlink(missing_ok=True)


@dataclass
class Row:
    row_no: int
    id_masked: str = ""
    name: str = ""
    category: str = ""
    reason: str = ""
    amount: str = ""
    error: str = ""
    person_id: int | None = None
    union_id: int | None = None
    category_value: str = ""
    fen: int = 0


def _read(path, kind):
    """The header row's cells as written, and (spreadsheet row number, {key: text}) of each non-blank data row,
    the instructions row skipped."""
    table = open_table(path, kind)
    head = list(itertools.islice(table.rows, 15))
    match = find_header(head, ALIASES)
    if match is None:
        raise SpreadsheetRefused("找不到表头：前15行中没有“身份证号”“姓名”“慰问类别”等列名，请使用下载的模板",
                                 code="no_header")
    missing = [label for key, label in REQUIRED.items() if key not in match.columns]
    if missing:
        raise SpreadsheetRefused(f"缺少必填列：{'、'.join(missing)}", code="missing_column")
    out = []
    for i, cells in enumerate(itertools.chain(head[match.row_index + 1:], table.rows), start=match.row_index + 2):
        values = {k: cell_text(cells[j]).strip() if j < len(cells) else "" for k, j in match.columns.items()}
        if not any(values.values()) or values["id_number"].startswith("填表说明"):
            continue
        out.append((i, values))
        if len(out) > MAX_LIST_ROWS:
            raise SpreadsheetRefused(f"一次最多上传 {MAX_LIST_ROWS} 人，请拆分后分批上传", code="too_many_rows")
    if not out:
        raise SpreadsheetRefused("文件里没有慰问对象（表头下方没有数据行）", code="empty")
    header = [cell_text(v) for v in head[match.row_index]]
    while header and not header[-1].strip():
        header.pop()
    return header, out


def check_upload(*, actor, campaign: Campaign, data: dict, c: Campaign | None = None) -> list[Row]:
    """Every row checked as :func:`services.propose_recipient` checks one. Refuses the file as a whole when the
    campaign no longer takes proposals."""
    return _checked(actor, c or campaign, data)[1]


def _checked(actor, c: Campaign, data: dict) -> tuple[list[str], list[Row]]:
    """The file read once: its header row as written, and every data row checked."""
    from lianxin.members.models import Person
    from lianxin.members.services import id_bidx

    _open_for_proposals(c)
    if timezone.localdate() > c.deadline:
        raise ServiceError(f"报送已于 {c.deadline:%Y-%m-%d} 截止")
    header, rows = _read(storage_dir() / data["f"], data["k"])
    listed = {p: u for p, u in Recipient.objects.filter(campaign=c).values_list("person_id", "union__name")}
    seen: dict[str, int] = {}
    result = []
    for row_no, v in rows:
        r = Row(row_no, name=scrub(v["name"])[:50], category=v["category"][:20], reason=v["reason"][:200],
                amount=v.get("amount", "")[:20])
        result.append(r)
        try:
            info = parse_id_number(v["id_number"])
        except ServiceError as e:
            r.id_masked, r.error = v["id_number"][:6] + "…" if v["id_number"] else "", e.message
            continue
        r.id_masked = mask_id(info.number)
        if info.number in seen:
            r.error = f"与第 {seen[info.number]} 行是同一人"
            continue
        seen[info.number] = row_no
        if not r.name:
            r.error = "姓名不能为空"
            continue
        refusal = f"{r.name}不在您的管理范围内"  # the same words for no such person and someone else's member
        person = Person.objects.select_related("org").filter(id_bidx=id_bidx(info.number)).first()
        if person is None:
            r.error = refusal
            continue
        try:
            union = _check_proposal(actor, c, person)
        except PermissionDenied:
            r.error = refusal
            continue
        except ServiceError as e:
            r.error = e.message.replace(person.name, r.name) if person.name != r.name else e.message
            continue
        if name_key(person.name) != name_key(r.name):
            r.error = "姓名与身份证号不符"
            continue
        r.category_value = BY_LABEL.get(r.category, r.category if r.category in Category.values else "")
        if not r.category_value:
            r.error = f"慰问类别应为：{'、'.join(BY_LABEL)}"
            continue
        if not 2 <= len(v["reason"]) <= 200:
            r.error = "请填写慰问事由（2 至 200 个字）"
            continue
        try:
            r.fen = _amount_for(c, r.amount)
        except ServiceError as e:
            r.error = e.message
            continue
        if person.pk in listed:
            r.error = f"{r.name}已在本次慰问名单中（{listed[person.pk]}已报送）"
            continue
        r.person_id, r.union_id = person.pk, union.pk
    return header, result


def plan_of(rows: list[Row]) -> str:
    """What a confirmation writes, as a digest: the good rows' numbers and amounts."""
    good = ";".join(f"{r.row_no}:{r.fen}" for r in rows if not r.error)
    return hashlib.sha256(good.encode()).hexdigest()[:24]


def error_report(*, actor, campaign: Campaign, data: dict):
    """The rows with problems as the user wrote them (original row number first, 错误说明 last), as an open
    xlsx file: corrected, the file can be uploaded again as it is. It holds full ID numbers as written, so only
    the uploader gets it (the token is theirs); audited."""
    header, rows = _checked(actor, campaign, data)
    problems = {r.row_no: r.error for r in rows if r.error}
    if not problems:
        raise ServiceError("名单没有有问题的行，无需下载错误报告", code="no_problems")
    f = rows_report(storage_dir() / data["f"], data["k"], header, problems)
    audit.record(actor=actor, action="assistance.warmth_error_report", obj=campaign, org_path=campaign.org.path,
                 detail={"campaign": campaign.name, "file": data["n"], "rows": len(problems)})
    return f


@transaction.atomic
def apply_upload(*, actor, campaign: Campaign, data: dict, plan: str, valid_only: bool = False
                 ) -> tuple[int, int, int]:
    """Write the checked list under the campaign's row lock (so a single proposal of one of its people queues
    behind it or before it), re-checked now against the preview's ``plan``: all rows or none; with
    ``valid_only`` the rows that were good in the preview, the others skipped. Returns (people, fen, skipped)."""
    c = _lock_campaign(campaign)
    rows = check_upload(actor=actor, campaign=campaign, data=data, c=c)
    bad = [r for r in rows if r.error]
    good = [r for r in rows if not r.error]
    if valid_only and not good:
        raise ServiceError("名单中没有可报送的行，未写入任何记录。请修改后重新上传", code="changed")
    if plan_of(rows) != plan:
        first = "；".join(f"第 {r.row_no} 行：{r.error}" for r in bad[:3])
        raise ServiceError(f"预览之后情况有变化，未写入任何记录{f'（{first}' if first else ''}"
                           f"{'等' if len(bad) > 3 else ''}{'）' if first else ''}。请修改后重新上传", code="changed")
    if bad and not valid_only:
        raise ServiceError(f"名单中有 {len(bad)} 行有问题，未写入任何记录。请修改后重新上传，或选择只报送无误的行",
                           code="changed")
    who = actor if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            Recipient.objects.bulk_create([
                Recipient(campaign=c, person_id=r.person_id, union_id=r.union_id, category=r.category_value,
                          amount_fen=r.fen, reason=r.reason.strip(), proposed_by=who) for r in good])
    except IntegrityError:  # a writer that skipped the campaign's lock listed one of them meanwhile
        raise ServiceError("名单中有人刚刚被报送，未写入任何记录。请重新上传", code="duplicate") from None
    total = sum(r.fen for r in good)
    unions = set(Organization.objects.filter(pk__in={r.union_id for r in good}).values_list("path", flat=True))
    detail = {"campaign": c.name, "file": data["n"], "count": len(good), "amount": yuan(total)}
    if bad:
        detail["skipped"] = len(bad)
    audit.record(actor=actor, action="assistance.warmth_upload", obj=c,
                 org_path=unions.pop() if len(unions) == 1 else c.org.path, detail=detail)
    transaction.on_commit(lambda: discard(data))
    return len(good), total, len(bad)
