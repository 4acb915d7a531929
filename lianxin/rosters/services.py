"""Every write of the roster import, and the export.

An import runs in two passes over the uploaded file, both as background tasks:

1. **check** (:func:`check_job`): read, validate, seal, look up — nothing written except the job's own row —
   so the preview can show every row's problems and what an import *would* do (add / update / unchanged).
2. **import** (:func:`import_job`): the same pipeline again (the database may have moved since the check),
   this time writing, all inside ONE transaction. A killed worker, a crash or an all-or-nothing import that
   meets a bad row leaves nothing behind: PostgreSQL rolls the transaction back. The job's final status, its
   counts and the audit entry commit in that same transaction, so "done" and the data are never out of step.

Speed (DESIGN: close to the database): rows stream from python-calamine in chunks; each chunk is validated
with the members app's ``check_identity`` / ``seal_identity`` — for big files in a forked reader process, so
checking the next chunk overlaps writing this one — looked up with ONE blind-index query (the active
membership joined in), classified, and written with PostgreSQL ``COPY`` (ids drawn from the sequence in one
round trip) — ``bulk_create`` on SQLite — people and their memberships together. Member numbers are reserved
per chunk from the gap-free counter, whose lock the import takes before any person's (the same order as
``admit_member``). Memory holds a chunk or two, the in-file duplicate map and the problems list.

Progress during the write transaction is reported through a second, autocommit connection (PostgreSQL), so
the htmx progress bar moves while the import's own transaction stays uncommitted.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F, FilteredRelation, Q
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import ServiceError
from lianxin.core.excel import (
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    SpreadsheetRefused,
    find_header,
    open_table,
    probe_sheet,
    scrub,
    sniff,
)
from lianxin.core.scoping import can, require
from lianxin.members.models import ACTIVE_STATUSES, Membership, MembershipStatus, Person
from lianxin.members.services import lock_member_numbers, reserve_member_numbers
from lianxin.orgs.models import MEMBER_HOLDING_KINDS, Organization

from .columns import ALIASES, BY_KEY, PROFILE_KEYS, REQUIRED, CleanRow, RowChecker, check_chunk
from .models import RUNNING_STATUSES, ImportJob, ImportMode, JobStatus

log = logging.getLogger(__name__)

CHUNK = 5000  # rows per lookup and COPY: measured best of 1,000 / 2,000 / 5,000 / 10,000 on 100,000 rows
HEAD_SCAN = 15
MAX_PROBLEMS_KEPT = 200_000
EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".et"}
STALE_AFTER = dt.timedelta(minutes=10)
LAST_TIMINGS: dict = {}  # phase timings of this process's last import (read by the benchmark)


def storage_dir() -> Path:
    d = Path(settings.MEDIA_ROOT) / "rosters"
    d.mkdir(parents=True, exist_ok=True)
    return d


def job_file(job: ImportJob) -> Path:
    return storage_dir() / job.stored_name


# ------------------------------------------------------------------------------------------------ upload

def start_import(*, actor, org: Organization, upload) -> ImportJob:
    """Store an uploaded roster privately and open a job for it. The file is identified by content; anything
    that is not a readable spreadsheet is refused here with a message, before any task runs."""
    require(actor, "change", org.path, "您无权向该组织导入人员")
    if upload is None:
        raise ServiceError("请选择要上传的花名册文件", field="file")
    # visible text only: the name is stored and audited (PostgreSQL refuses a NUL); Django's multipart parser
    # cleans names too, but this service also takes uploads built elsewhere
    name = scrub(os.path.basename(str(getattr(upload, "name", "") or "")))[:200] or "roster"
    if getattr(upload, "size", 0) and upload.size > MAX_UPLOAD_BYTES:
        raise SpreadsheetRefused(f"文件过大（{upload.size / 1048576:.1f} MB），上限为 {MAX_UPLOAD_BYTES // 1048576} MB",
                                 code="too_large")
    stored = f"{uuid.uuid4().hex}"
    path = storage_dir() / stored
    size = 0
    try:
        with open(path, "wb") as f:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise SpreadsheetRefused(f"文件过大，上限为 {MAX_UPLOAD_BYTES // 1048576} MB", code="too_large")
                f.write(chunk)
        kind = sniff(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        job = ImportJob.objects.create(org=org, created_by=actor if getattr(actor, "pk", None) else None,
                                       original_name=name, stored_name=stored, kind=kind, size=size,
                                       status=JobStatus.QUEUED, phase="排队中")
        audit.record(actor=actor, action="rosters.upload", obj=job, org_path=org.path,
                     detail={"file": name, "size": size, "kind": kind})
    return job


def enqueue_check(job: ImportJob) -> None:
    from .tasks import check_roster

    result = check_roster.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])


def request_import(*, actor, job: ImportJob, mode: str) -> ImportJob:
    """The user chose how to import a checked file: mark the job and hand it to the worker."""
    if mode not in ImportMode.values:
        raise ServiceError("请选择导入方式", field="mode")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("org").get(pk=job.pk)
        require(actor, "change", job.org.path, "您无权向该组织导入人员")
        if job.status != JobStatus.READY:
            raise ServiceError(f"该文件当前状态为“{job.get_status_display()}”，不能再次导入", code="state")
        if mode == ImportMode.ALL_OR_NOTHING and job.preview.get("rejected"):
            raise ServiceError(f"文件中有 {job.preview['rejected']} 行错误，无法“全部导入”；请修正后重新上传，"
                               "或选择“只导入正确的行”", field="mode", code="has_errors")
        job.mode, job.status, job.progress, job.phase = mode, JobStatus.IMPORTING, 0, "排队等待导入"
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["mode", "status", "progress", "phase", "heartbeat_at"])
    from .tasks import import_roster

    result = import_roster.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


# ------------------------------------------------------------------------------------------------ pipeline

@dataclass
class Outcome:
    total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    members_added: int = 0
    problems: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)  # seconds per phase, for the benchmark and the logs

    def tick(self, phase: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - since
        return now

    @property
    def rejected(self) -> int:
        return len(self.problems)

    def counts(self) -> dict:
        return {"total": self.total, "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "members_added": self.members_added}


class Progress:
    """Report a job's progress without touching its transaction, throttled. Inside the import's transaction
    the job's row cannot carry it: on PostgreSQL the update goes through a separate autocommit connection; on
    SQLite a second connection would wait for the import's write lock, so the figures go to a small sidecar file
    next to the upload (:func:`live_progress` lays it over the job for the progress page) and the job row gets
    them when the transaction ends. Outside a transaction (the check pass) through the ORM."""

    def __init__(self, job_id: int, *, side_connection: bool):
        self.job_id, self.last, self.last_at = job_id, -1, None
        self.conn = self.file = None
        if side_connection and connection.vendor == "postgresql":
            real = connections[DEFAULT_DB_ALIAS]
            self.conn = type(real)(dict(real.settings_dict), alias="rosters_progress")
        elif side_connection:
            self.file = progress_file(job_id)

    def __call__(self, pct: int, phase: str, force: bool = False) -> None:
        now = timezone.now()
        if not force and pct == self.last and self.last_at and (now - self.last_at).total_seconds() < 5:
            return
        self.last, self.last_at = pct, now
        pct = max(0, min(100, int(pct)))
        if self.conn is not None:
            with self.conn.cursor() as c:
                c.execute("UPDATE rosters_importjob SET progress = %s, phase = %s, heartbeat_at = %s WHERE id = %s",
                          [pct, phase[:60], now, self.job_id])
        elif self.file is not None:
            tmp = self.file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"progress": pct, "phase": phase[:60], "at": now.isoformat()}))
            os.replace(tmp, self.file)  # atomic: a reader sees the old figures or the new, never half
        else:
            ImportJob.objects.filter(pk=self.job_id).update(progress=pct, phase=phase[:60], heartbeat_at=now)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.file is not None:
            self.file.unlink(missing_ok=True)
            self.file = None


def progress_file(job_id: int) -> Path:
    return storage_dir() / f"job-{job_id}.progress"


def live_progress(job: ImportJob) -> ImportJob:
    """The job with the progress its import wrote to the sidecar file (SQLite; see :class:`Progress`), if any
    and newer than the row's. Only the in-memory object changes."""
    if job.status != JobStatus.IMPORTING:
        return job
    try:
        data = json.loads(progress_file(job.pk).read_text())
        at = dt.datetime.fromisoformat(data["at"])
        pct, phase = int(data["progress"]), str(data["phase"])
    except (OSError, ValueError, KeyError, TypeError):
        return job
    if job.heartbeat_at is None or at > job.heartbeat_at:
        job.progress, job.phase, job.heartbeat_at = pct, phase, at
    return job


def _blank(cells) -> bool:
    """No value in the row: every cell None, empty or whitespace (any non-text value counts as a value)."""
    for c in cells:
        if c is None or c == "":
            continue
        if type(c) is not str or c.strip():
            return False
    return True


def _chunks(table, header_row: int, columns: dict, first_rows: list) -> Iterator[tuple[list, list[int]]]:
    """Non-empty data rows in chunks, with their spreadsheet row numbers. Enforces the row limit."""
    rows = itertools.chain(first_rows[header_row + 1:], table.rows)
    row_no = header_row + 1  # the header's 1-based row number; data starts below it
    batch, numbers, count = [], [], 0
    for cells in rows:
        row_no += 1
        if _blank(cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise SpreadsheetRefused(f"文件超过 {MAX_ROWS} 行数据的上限，请拆分后分批导入", code="too_many_rows")
        batch.append(list(cells))
        numbers.append(row_no)
        if len(batch) >= CHUNK:
            yield batch, numbers
            batch, numbers = [], []
    if batch:
        yield batch, numbers


def read_header(path, kind: str):
    """Open the file and find its header; refuse when the header or a required column cannot be found."""
    table = open_table(path, kind)
    first_rows = list(itertools.islice(table.rows, HEAD_SCAN))
    match = find_header(first_rows, ALIASES)
    if match is None:
        raise SpreadsheetRefused("找不到表头：前15行中没有“姓名”“身份证号”等列名，请使用导入模板", code="no_header")
    missing = [BY_KEY[k].label for k in REQUIRED if k not in match.columns]
    if missing:
        raise SpreadsheetRefused(f"缺少必填列：{'、'.join(missing)}（表头应包含 姓名、身份证号）", code="missing_column")
    return table, first_rows, match


def _checked(chunks, columns: dict, out: Outcome) -> Iterator[tuple[list, int]]:
    """(results, rows in chunk) per chunk, in file order; the time spent reading and checking is recorded as
    the ``read_validate_seal`` phase."""
    t = time.perf_counter()
    check = RowChecker(columns)
    for batch, numbers in chunks:
        results = check_chunk((batch, columns, numbers), check)
        t = out.tick("read_validate_seal", t)
        yield results, len(batch)
        t = time.perf_counter()


FORK_MIN_ROWS = 5_000


def _may_fork(height: int) -> bool:
    """Whether to read and check in a forked child (see :class:`ForkedReader`): a big enough file, a second
    core, and a process with no other thread (forking a threaded process can copy a lock that some other
    thread holds — a live-server test, for one, runs imports in a request thread: those read inline)."""
    return (height >= FORK_MIN_ROWS and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


class ForkedReader:
    """Iterate a chunk source in a forked child process; results come back through a pipe, in order.

    After the header is found the sheet is in memory; a forked child inherits it and goes on reading rows and
    checking them (the ID rules, AES-GCM, HMAC: CPU-bound Python) while this process looks up and writes the
    chunks it has received, most of that being PostgreSQL's backend at work in its own process. Python threads
    could not do this: they share one interpreter lock, and the thread feeding PostgreSQL waited for the reader
    at every round trip (measured: no faster than reading inline). The pipe holds a chunk or two, so the child
    never runs far ahead and memory stays bounded.

    The child touches no database connection (the inherited socket stays the parent's; the child leaves with
    ``os._exit`` like every multiprocessing child), and dies with the parent (daemon; a dead reader end makes its
    next send fail). A refusal it meets (row limit) is re-raised here as the same ``SpreadsheetRefused``; any
    other failure as a RuntimeError, the import's generic system error."""

    def __init__(self, source, out: Outcome):
        self.source, self.out = source, out
        ctx = multiprocessing.get_context("fork")
        self.recv, self.send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=self._pump, name="roster-reader", daemon=True)

    def _pump(self) -> None:  # in the child
        self.recv.close()
        send = self.send
        try:
            for item in self.source:
                send.send(("chunk", item))
            send.send(("end", self.out.timings))
        except SpreadsheetRefused as e:
            send.send(("refused", (e.message, e.code)))
        except BaseException as e:  # noqa: BLE001 — reported to the parent, which fails the import
            send.send(("error", f"{type(e).__name__}: {e}"))
        finally:
            send.close()

    def __enter__(self):
        self.process.start()
        self.send.close()  # the child's end; ours would keep the pipe open after the child is gone
        return self

    def __iter__(self):
        while True:
            try:
                kind, payload = self.recv.recv()
            except EOFError:
                raise RuntimeError("roster reader process ended without finishing") from None
            if kind == "chunk":
                yield payload
            elif kind == "end":
                for phase, secs in payload.items():
                    self.out.timings[phase] = self.out.timings.get(phase, 0.0) + secs
                return
            elif kind == "refused":
                raise SpreadsheetRefused(payload[0], code=payload[1])
            else:
                raise RuntimeError(f"roster reader process failed: {payload}")

    def __exit__(self, *exc) -> None:
        self.recv.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


class Inline:
    """The same interface as :class:`ForkedReader`, reading in this process (small files, threaded processes)."""

    def __init__(self, source, out: Outcome):
        self.source = source

    def __enter__(self):
        return self.source

    def __exit__(self, *exc) -> None:
        pass


_LOOKUP_FIELDS = ("id", "id_bidx", "name", "org_id", "mobile_cipher", "mobile_bidx", "mobile_masked", *PROFILE_KEYS)


def _lookup(bidxs: list[str], *, lock: bool) -> dict[str, dict]:
    """ONE query per chunk: the people with these blind indexes and their active membership, if any. Locked
    (``FOR UPDATE OF`` the person) when importing, so a concurrent admission or edit waits for us — the same
    row lock ``members.services.admit_member`` takes. On PostgreSQL the keys travel as ONE comma-joined text
    parameter split by the server (blind indexes are hex): thousands of placeholders cost planning time, and a Python
    list adapted as an array costs ~4 ms of client CPU per chunk against ~0.3 ms for the string (measured)."""
    if connection.vendor == "postgresql":
        return _lookup_pg(bidxs, lock=lock)
    qs = (Person.objects.filter(id_bidx__in=bidxs).order_by()
          .annotate(am=FilteredRelation("memberships", condition=Q(memberships__status__in=ACTIVE_STATUSES)))
          .values(*_LOOKUP_FIELDS, org_path=F("org__path"), org_name=F("org__name"), am_id=F("am__id"),
                  am_union_id=F("am__union_id"), am_union_name=F("am__union__name"),
                  am_union_path=F("am__union__path")))
    if lock:
        qs = qs.select_for_update(of=("self",))
    return {r["id_bidx"]: r for r in qs}


def _lookup_pg(bidxs: list[str], *, lock: bool) -> dict[str, dict]:
    person, org, membership = (m._meta.db_table for m in (Person, Organization, Membership))
    fields = ", ".join(f"p.{f}" for f in _LOOKUP_FIELDS)
    sql = (f"SELECT {fields}, o.path, o.name, m.id, m.union_id, u.name, u.path "
           f"FROM {person} p JOIN {org} o ON o.id = p.org_id "
           f"LEFT JOIN {membership} m ON m.person_id = p.id AND m.status = ANY(%s) "
           f"LEFT JOIN {org} u ON u.id = m.union_id "
           f"WHERE p.id_bidx = ANY(string_to_array(%s, ','))" + (" FOR UPDATE OF p" if lock else ""))
    keys = (*_LOOKUP_FIELDS, "org_path", "org_name", "am_id", "am_union_id", "am_union_name", "am_union_path")
    with connection.cursor() as c:
        c.execute(sql, [[str(s) for s in ACTIVE_STATUSES], ",".join(bidxs)])
        return {r[1]: dict(zip(keys, r, strict=True)) for r in c.fetchall()}


@dataclass
class _Plan:
    inserts: list = field(default_factory=list)  # CleanRow
    updates: list = field(default_factory=list)  # (existing dict, changes dict)
    admit: list = field(default_factory=list)  # (person id or CleanRow, joined_on)


def _classify(row: CleanRow, e: dict | None, *, org: Organization, is_union: bool, actor, plan: _Plan,
              out: Outcome) -> str | None:
    """Decide what one clean row does. Returns a problem message, or None after recording the action."""
    if e is None:
        plan.inserts.append(row)
        out.added += 1
        if is_union:
            plan.admit.append((row, row.joined_on))
        return None
    if e["am_id"] and e["am_union_id"] != org.pk and (is_union or not e["am_union_path"].startswith(org.path)):
        return (f"{e['name']}已是“{e['am_union_name']}”的会员，不能重复入会；如本人已调入本单位，"
                "请在人员页面办理转会")
    if not e["am_id"] and not is_union and not can(actor, "change", e["org_path"]):
        return f"该身份证号已由“{e['org_name']}”登记，不在您的管理范围内，请联系该组织"
    changes: dict = {}
    if row.name != e["name"]:
        changes["name"] = row.name
    s = row.sealed_fields
    if s["mobile_bidx"] and s["mobile_bidx"] != e["mobile_bidx"]:
        changes.update(mobile_cipher=s["mobile_cipher"], mobile_bidx=s["mobile_bidx"],
                       mobile_masked=s["mobile_masked"])
    for k, v in row.profile.items():
        if e[k] != v:
            changes[k] = v
    if (is_union and e["org_id"] != org.pk and (not e["am_id"] or e["am_union_id"] == org.pk)) or (
            not is_union and not e["am_id"] and not e["org_path"].startswith(org.path)):
        changes["org_id"] = org.pk
    admit = is_union and not e["am_id"]
    if admit:
        plan.admit.append((e["id"], row.joined_on))
    if changes:
        plan.updates.append((e, changes))
    if changes or admit:
        out.updated += 1
    else:
        out.unchanged += 1
    return None


PERSON_INSERT_COLUMNS = ("name", "id_cipher", "id_key", "id_bidx", "id_masked", "birth_date", "gender", "region_code",
                         "mobile_cipher", "mobile_bidx", "mobile_masked", "org_id", "employer_id",
                         "employer_name", "job", "education", "ethnicity", "political_status", "is_migrant",
                         "is_frontline", "is_model_worker", "created_at", "updated_at")
PERSON_UPDATE_FIELDS = ("name", "mobile_cipher", "mobile_bidx", "mobile_masked", "org_id", *PROFILE_KEYS)
_PERSON_DEFAULTS = {"employer_name": "", "job": "", "education": "", "ethnicity": "汉族", "political_status": "",
                    "is_migrant": False, "is_frontline": False, "is_model_worker": False}


def _copy_types(model, columns: tuple[str, ...]) -> list[str]:
    """PostgreSQL type names of the columns, for a binary COPY (``varchar(50)`` -> ``varchar``)."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    return [by_column[c].db_type(connection).split("(")[0].strip() for c in columns]


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """Insert plain tuples and return their ids, in order. PostgreSQL: ids from the table's sequence in one
    query, then ``COPY ... FROM STDIN`` (the fastest path into PostgreSQL, inside the current transaction) in
    binary format: the server then parses no text (timestamps, dates and booleans cost the most), and the
    values are still typed by their columns, so a bad value fails the COPY as it would in text.
    Other databases: ``bulk_create``."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        qn = connection.ops.quote_name
        with connection.cursor() as c:
            c.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                      [table, len(rows)])
            ids = [r[0] for r in c.fetchall()]
            cols = ", ".join(qn(x) for x in ("id", *columns))
            with c.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN (FORMAT BINARY)") as cp:
                cp.set_types(_copy_types(model, ("id", *columns)))
                for pk, r in zip(ids, rows, strict=True):
                    cp.write_row((pk, *r))
        return ids
    objs = [model(**dict(zip(columns, r, strict=True))) for r in rows]
    model.objects.bulk_create(objs, batch_size=500)
    return [o.pk for o in objs]


def _write(plan: _Plan, org: Organization, now) -> dict:
    """Write one chunk's inserts and updates; returns {row_no: new person id} for later admissions."""
    rows = []
    for r in plan.inserts:
        s = r.sealed_fields
        p = {**_PERSON_DEFAULTS, **r.profile}
        rows.append((r.name, s["id_cipher"], s["id_key"], r.bidx, s["id_masked"], s["birth_date"], s["gender"],
                     s["region_code"], s["mobile_cipher"], s["mobile_bidx"], s["mobile_masked"], org.pk, None,
                     p["employer_name"], p["job"], p["education"], p["ethnicity"], p["political_status"],
                     p["is_migrant"], p["is_frontline"], p["is_model_worker"], now, now))
    ids = insert_rows(Person, PERSON_INSERT_COLUMNS, rows)
    new_ids = {r.row_no: pk for r, pk in zip(plan.inserts, ids, strict=True)}
    if plan.updates:
        objs = []
        for e, changes in plan.updates:
            p = Person(pk=e["id"], updated_at=now)
            for k in PERSON_UPDATE_FIELDS:
                setattr(p, k, changes.get(k, e[k]))
            objs.append(p)
        Person.objects.bulk_update(objs, [*PERSON_UPDATE_FIELDS, "updated_at"], batch_size=500)
    return new_ids


MEMBERSHIP_COLUMNS = ("person_id", "union_id", "status", "member_no", "joined_on", "left_on", "transferred_from_id",
                      "note", "created_at", "updated_at")


def _run(job: ImportJob, *, write: bool, progress: Progress) -> Outcome:
    """The shared pipeline. With ``write`` it must be called inside a transaction.

    Big files are read and checked by a :class:`ForkedReader` child while this process looks each chunk up,
    classifies it and (``write``) COPYs its people and memberships, so PostgreSQL writes chunk k while the child
    checks chunk k+1. When writing into a union, the member-number counter is locked *before* any person row
    (the order ``members.services.admit_member`` takes them in too), so numbers can be reserved chunk by chunk
    without risking a deadlock, and memberships written with their people rather than all at the end. The
    numbers stay gap-free: a rolled-back import gives them all back."""
    actor, org = job.created_by, job.org
    is_union = org.kind in MEMBER_HOLDING_KINDS
    if not job.stored_name:
        raise SpreadsheetRefused("上传的文件已超过保留期限被清理，请重新上传", code="expired")
    path = job_file(job)
    if not write:  # the check pass opens a workbook in a capped process first (see core.excel.probe_sheet)
        probe_sheet(path, job.kind)
    table, first_rows, match = read_header(path, job.kind)
    job.header_row, job.header = match.row_index + 1, match.labels
    out = Outcome()
    seen: dict[str, int] = {}
    height = max(table.height - match.row_index - 1, 1)
    now, today = timezone.now(), timezone.localdate()
    aborting = False
    verb = "导入" if write else "检查"
    if write and is_union:
        lock_member_numbers()
    chunks = _chunks(table, match.row_index, match.columns, first_rows)
    reader = ForkedReader if _may_fork(height) else Inline
    with reader(_checked(chunks, match.columns, out), out) as checked:
        t = time.perf_counter()
        for results, n in checked:
            t = out.tick("wait_for_rows", t)
            out.total += n
            clean = []
            for r in results:
                if isinstance(r, CleanRow):
                    first = seen.setdefault(r.number, r.row_no)
                    if first != r.row_no:
                        out.problems.append([r.row_no, f"与第 {first} 行是同一人（身份证号重复），请删除重复行"])
                    else:
                        clean.append(r)
                else:
                    out.problems.append([r[0], "；".join(r[1])])
            existing = _lookup([r.bidx for r in clean], lock=write) if clean else {}
            t = out.tick("lookup", t)
            plan = _Plan()
            for r in clean:
                problem = _classify(r, existing.get(r.bidx), org=org, is_union=is_union, actor=actor, plan=plan,
                                    out=out)
                if problem:
                    out.problems.append([r.row_no, problem])
            t = out.tick("classify", t)
            if write and job.mode == ImportMode.ALL_OR_NOTHING and out.problems:
                aborting = True  # keep reading to report every problem, but write nothing more
            if write and not aborting:
                new_ids = _write(plan, org, now)
                t = out.tick("write", t)
                if plan.admit:
                    numbers = reserve_member_numbers(len(plan.admit))
                    insert_rows(Membership, MEMBERSHIP_COLUMNS, [
                        (pid if isinstance(pid, int) else new_ids[pid.row_no], org.pk, MembershipStatus.MEMBER, no,
                         on or today, None, None, "花名册导入", now, now)
                        for (pid, on), no in zip(plan.admit, numbers, strict=True)])
                    t = out.tick("memberships", t)
            out.members_added += len(plan.admit)
            if len(out.problems) > MAX_PROBLEMS_KEPT:
                raise SpreadsheetRefused("错误行过多，请核对是否选错了文件或表头", code="too_many_errors")
            progress(min(97, 5 + 90 * out.total // height), f"正在{verb}：已处理 {out.total} 行")
            t = time.perf_counter()
    out.problems.sort(key=lambda p: p[0])
    return out


def _finish_refused(job_id: int, message: str, status: str = JobStatus.REFUSED) -> None:
    ImportJob.objects.filter(pk=job_id).update(status=status, message=message[:500], phase="",
                                               finished_at=timezone.now(), heartbeat_at=timezone.now())


def check_job(job_id: int) -> None:
    """Task body of the check pass. Never raises: a refusal or crash is recorded on the job."""
    job = ImportJob.objects.select_related("org", "created_by").get(pk=job_id)
    if job.status not in (JobStatus.QUEUED, JobStatus.CHECKING):
        return
    ImportJob.objects.filter(pk=job_id).update(status=JobStatus.CHECKING, progress=1, phase="正在读取文件",
                                               heartbeat_at=timezone.now())
    progress = Progress(job_id, side_connection=False)
    try:
        out = _run(job, write=False, progress=progress)
    except ServiceError as e:
        _finish_refused(job_id, e.message)
        return
    except Exception:
        log.exception("roster check %s failed", job_id)
        _finish_refused(job_id, "检查文件时发生系统错误，请稍后重试或联系管理员")
        return
    if out.total == 0:
        _finish_refused(job_id, "表头下面没有数据行")
        return
    counts = out.counts()
    ImportJob.objects.filter(pk=job_id).update(
        status=JobStatus.READY, progress=100, phase="", header_row=job.header_row, header=job.header,
        total_rows=out.total, preview=counts, problems=out.problems, heartbeat_at=timezone.now())


def import_job(job_id: int, *, progress: Progress | None = None) -> None:
    """Task body of the import pass: everything in one transaction, the job's result committed with it."""
    job = ImportJob.objects.select_related("org", "created_by").get(pk=job_id)
    if job.status != JobStatus.IMPORTING:
        return
    actor = job.created_by
    progress = progress or Progress(job_id, side_connection=True)
    outcome: Outcome | None = None
    started = time.perf_counter()
    try:
        require(actor, "change", job.org.path, "您已无权向该组织导入人员")
        with transaction.atomic():
            outcome = _run(job, write=True, progress=progress)
            if job.mode == ImportMode.ALL_OR_NOTHING and outcome.problems:
                transaction.set_rollback(True)
            else:
                progress(99, "正在提交", force=True)
                _record_done(job, outcome, actor)
    except IntegrityError:
        log.warning("roster import %s hit a constraint", job_id, exc_info=True)
        _finish_refused(job_id, "导入期间有人同时登记或办理了其中的人员，为避免重复，本次未导入任何数据；请重新导入",
                        JobStatus.FAILED)
        return
    except ServiceError as e:
        _finish_refused(job_id, e.message, JobStatus.FAILED)
        return
    except Exception:
        log.exception("roster import %s failed", job_id)
        _finish_refused(job_id, "导入时发生系统错误，本次未导入任何数据", JobStatus.FAILED)
        return
    finally:
        progress.close()
        if outcome is not None:
            log.info("roster import %s: %.2fs %s", job_id, time.perf_counter() - started, outcome.timings)
            LAST_TIMINGS.clear()
            LAST_TIMINGS.update(outcome.timings)
    if job.mode == ImportMode.ALL_OR_NOTHING and outcome.problems:
        with transaction.atomic():
            ImportJob.objects.filter(pk=job_id).update(
                status=JobStatus.FAILED, finished_at=timezone.now(), phase="", progress=100,
                total_rows=outcome.total, problems=outcome.problems, rejected=outcome.rejected,
                message=f"发现 {outcome.rejected} 行错误；按“全部正确才导入”，本次未导入任何数据")
            audit.record(actor=actor, action="rosters.import_rejected", obj=job, org_path=job.org.path,
                         detail={"file": job.original_name, **outcome.counts()})


def _record_done(job: ImportJob, out: Outcome, actor) -> None:
    if out.added == out.updated == 0:
        msg = f"本次导入没有任何变化：{out.unchanged} 行与系统中已有数据一致"
    else:
        msg = f"新增 {out.added} 人，更新 {out.updated} 人，无变化 {out.unchanged} 人"
        if out.members_added:
            msg += f"，其中新入会 {out.members_added} 人"
    if out.rejected:
        msg += f"；{out.rejected} 行有错误未导入，请下载错误报告"
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, progress=100, phase="", finished_at=timezone.now(), message=msg[:500],
        total_rows=out.total, problems=out.problems, added=out.added, updated=out.updated,
        unchanged=out.unchanged, rejected=out.rejected, members_added=out.members_added)
    audit.record(actor=actor, action="rosters.import", obj=job, org_path=job.org.path,
                 detail={"file": job.original_name, "mode": job.mode, **out.counts()})


RETENTION = dt.timedelta(days=30)


def remove_old_files(*, older_than: dt.timedelta = RETENTION) -> int:
    """Delete uploaded rosters (full ID numbers and mobiles, in the clear) once their job ended longer ago than
    ``older_than``: done, failed or refused jobs by their end, checked files nobody imported by their upload.
    Running jobs keep theirs. The job rows, counts and problems stay; only the error report, which re-reads the
    file, is no longer available ("原始文件已清理"). Returns the number of files removed."""
    cutoff = timezone.now() - older_than
    ended = (Q(status__in=(JobStatus.DONE, JobStatus.FAILED, JobStatus.REFUSED), finished_at__lt=cutoff)
             | Q(status=JobStatus.READY, created_at__lt=cutoff)
             # a "running" job whose worker has not reported for that long died with it (see is_stale)
             | Q(status__in=RUNNING_STATUSES, created_at__lt=cutoff, heartbeat_at__lt=cutoff))
    jobs = list(ImportJob.objects.filter(ended).exclude(stored_name="").values_list("id", "stored_name"))
    removed = 0
    for job_id, name in jobs:
        path = storage_dir() / name
        if path.exists():
            path.unlink()
            removed += 1
        progress_file(job_id).unlink(missing_ok=True)  # left by an import that was killed (SQLite)
    ImportJob.objects.filter(pk__in=[job_id for job_id, _name in jobs]).update(stored_name="")
    return removed


def is_stale(job: ImportJob) -> bool:
    """A running job whose worker stopped reporting (killed, machine restarted): nothing was written."""
    ref = job.heartbeat_at or job.created_at
    return job.is_running and timezone.now() - ref > STALE_AFTER


# ------------------------------------------------------------------------------------- template and reports

def template_workbook() -> bytes:
    """The import template: an instructions row, the Chinese header, drop-down lists on coded columns and
    text format on the ID and mobile columns (so Excel cannot turn an ID into 3.30106E+17)."""
    import io

    import xlsxwriter

    from .columns import COLUMNS

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("花名册")
    note = wb.add_format({"text_wrap": True, "valign": "top", "font_color": "#9C0006", "bg_color": "#FFF2CC"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
    req = wb.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1, "align": "center"})
    text = wb.add_format({"num_format": "@"})
    ws.merge_range(0, 0, 0, len(COLUMNS) - 1,
                   "填表说明：第2行为表头，请勿修改；从第3行起每行一人。带 * 的列必填。身份证号、手机号码请按文本填写"
                   "（本模板已设为文本格式，勿粘贴为数字）。性别、出生日期可不填，由身份证号推算，填写时须与身份证号一致。"
                   "学历、政治面貌、是否农民工等请从下拉列表选择。日期如 1990-01-01。同一身份证号重复导入只更新，不会重复登记。",
                   note)
    ws.set_row(0, 60)
    for j, c in enumerate(COLUMNS):
        ws.write_string(1, j, ("*" if c.required else "") + c.label, req if c.required else head)
        ws.set_column(j, j, c.width, text if c.key in ("id_number", "mobile") else None)
        if c.options:
            ws.data_validation(2, j, 20001, j, {"validate": "list", "source": list(c.options),
                                                "error_title": "请从下拉列表选择",
                                                "error_message": f"{c.label}只能填写：{'、'.join(c.options)}"})
        if c.hint:
            ws.write_comment(1, j, c.hint)
    ws.freeze_panes(2, 0)
    wb.close()
    return buf.getvalue()


def error_report(*, actor, job: ImportJob):
    """The rows that were not imported, as the user wrote them, with a 错误说明 column, as an xlsx file object.
    The original file holds full ID numbers, so only someone who may change the organisation gets it; audited."""
    from lianxin.core.excel import error_report as rows_report

    require(actor, "change", job.org.path, "您无权下载该导入的错误报告")
    if not job.problems:
        raise ServiceError("该导入没有错误行")
    path = job_file(job)
    if not job.stored_name or not path.exists():
        raise ServiceError("原始文件已清理，无法生成错误报告")
    wanted = {int(no): msg for no, msg in job.problems}
    f = rows_report(path, job.kind, job.header, wanted)
    audit.record(actor=actor, action="rosters.error_report", obj=job, org_path=job.org.path,
                 detail={"rows": len(wanted)})
    return f


# -------------------------------------------------------------------------------------------------- export

EXPORT_HEADER = ["姓名", "身份证号", "手机号码", "性别", "出生日期", "所属组织", "工作单位", "岗位/职务", "学历", "民族",
                 "政治面貌", "农民工", "一线职工", "劳模", "会员状态", "会员编号", "入会日期"]
EXPORT_WIDTHS = [10, 22, 14, 6, 12, 26, 26, 12, 14, 8, 12, 8, 9, 6, 8, 16, 12]


@dataclass
class Export:
    filename: str
    content_type: str
    rows: int
    stream: object  # csv: an iterator of bytes; xlsx: an open file


def export_people(*, actor, fmt: str = "xlsx", q: str = "", org: Organization | None = None, status: str = "",
                  reveal: bool = False, reason: str = "") -> Export:
    """A scoped list of people (the same filters as the person list) to xlsx or csv. Masked by default; with
    ``reveal`` the full ID and mobile, only for a role that may reveal across the whole export, with a
    reason; always audited. Streams: rows come from a server-side cursor in chunks."""
    from lianxin.core import crypto
    from lianxin.core.excel import XlsxStreamWriter, csv_stream
    from lianxin.core.scoping import scope_for
    from lianxin.members.models import Education, Gender, Political
    from lianxin.members.selectors import person_list
    from lianxin.members.services import ID_CTX, MOBILE_CTX

    if fmt not in ("xlsx", "csv"):
        raise ServiceError("导出格式只能是 xlsx 或 csv", field="fmt")
    reason = (reason or "").strip()
    if reveal:
        if len(reason) < 2:
            raise ServiceError("导出完整身份证号和手机号须填写事由", field="reason")
        if org is not None:
            require(actor, "reveal", org.path, "您的角色无权导出该组织人员的完整个人信息")
        else:
            scope = scope_for(actor)
            reveal_paths = scope.paths("reveal")
            if not scope.superuser and (not reveal_paths or any(
                    not any(p.startswith(r) for r in reveal_paths) for p in scope.paths("export"))):
                raise ServiceError("您的角色无权导出完整个人信息；请选择您可查看完整信息的组织后再导出",
                                   field="reveal", code="forbidden")
    if org is not None:
        require(actor, "export", org.path, "该组织不在您的管理范围内")
    qs = person_list(actor=actor, q=q, org=org, status=status, action="reveal" if reveal else "export")
    # the active membership as ONE left join (at most one per person, by constraint), not three subqueries
    qs = qs.annotate(am=FilteredRelation("memberships", condition=Q(memberships__status__in=ACTIVE_STATUSES))
                     ).order_by("org__path", "id")
    cols = ["name", "id_cipher" if reveal else "id_masked", "mobile_cipher" if reveal else "mobile_masked", "gender",
            "birth_date", "org__name", "employer_name", "job", "education", "ethnicity", "political_status",
            "is_migrant", "is_frontline", "is_model_worker", "am__status", "am__member_no", "am__joined_on"]
    count = qs.count()
    with transaction.atomic():
        audit.record(actor=actor, action="rosters.export_reveal" if reveal else "rosters.export",
                     org_path=org.path if org else "", reason=reason, object_type="members.person",
                     detail={"fmt": fmt, "q": q, "org": org.pk if org else None, "status": status, "rows": count,
                             "reveal": reveal})
    labels = {"gender": dict(Gender.choices), "education": dict(Education.choices),
              "political_status": dict(Political.choices), "m_status": dict(MembershipStatus.choices)}
    yes_no = {True: "是", False: "否"}

    def rows():
        for r in qs.values_list(*cols).iterator(chunk_size=2000):
            r = list(r)
            if reveal:
                r[1] = crypto.decrypt(r[1], context=ID_CTX) if r[1] else ""
                r[2] = crypto.decrypt(r[2], context=MOBILE_CTX) if r[2] else ""
            r[3] = labels["gender"].get(r[3], r[3])
            r[8] = labels["education"].get(r[8], r[8])
            r[10] = labels["political_status"].get(r[10], r[10])
            r[11], r[12], r[13] = yes_no[r[11]], yes_no[r[12]], yes_no[r[13]]
            r[14] = labels["m_status"].get(r[14], "非会员") if r[14] else "非会员"
            yield r

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"人员名单-{'完整' if reveal else '脱敏'}-{stamp}.{fmt}"
    if fmt == "csv":
        return Export(name, "text/csv; charset=utf-8", count, csv_stream(EXPORT_HEADER, rows()))
    w = XlsxStreamWriter(EXPORT_HEADER, sheet="人员名单", widths=EXPORT_WIDTHS, text_columns=(1, 2))
    try:
        for r in rows():
            w.row(r)
        f = w.open()
    except BaseException:
        w.discard()
        raise
    return Export(name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", count, f)
