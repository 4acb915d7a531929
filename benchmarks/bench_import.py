"""Roster import and export against the floor and the peer (issue 3).

    make bench BENCH=import       # on a throwaway PostgreSQL (scripts/with_postgres.py)

Data: a generated 100,000-row roster xlsx (a title row above the header, 15 realistic columns: 序号, 姓名,
身份证号, 手机号码, 性别, 出生日期 (Excel dates), 工作单位, 岗位/职务, 学历, 民族, 政治面貌, three yes/no flags).

Each measurement runs in its own child process (``python -m benchmarks.bench_import child <what>``) so its
peak memory is that process's peak resident set plus the largest child it forked (the import's reader
process), not the parent's leftovers. (The forked reader shares the loaded sheet with its parent copy-on-write,
so this sum counts those pages twice: it overstates, never understates.)

- **ours**: ``rosters.services.import_job`` end to end on the file — read (python-calamine), header detection,
  validation (``members.services.check_identity``), encryption and blind index (``seal_identity``) in the forked
  reader process, dedupe in the file, one blind-index query per 5,000-row chunk, PostgreSQL COPY of people and
  (the target is a base union) their memberships with reserved member numbers, audit, all in one transaction,
  COMMIT included. The check/preview pass and an idempotent re-import of the same file are timed too (printed
  for information); nothing from the check pass is reused by the import.
- **floor**: python-calamine parse of the same file + psycopg ``COPY`` of the same rows as text into a bare
  table with no constraints, no validation, no encryption.
- **peer**: django-import-export 4 (``use_bulk=True, batch_size=1000, skip_diff=True``) importing the first
  20,000 rows into the same ``members.Person`` model. Its Resource validates and encrypts with the same
  ``check_identity`` / ``seal_identity`` in ``before_import_row`` (filling the ciphertext, blind index, masks,
  birth date, gender and region columns), uses the blind index as ``import_id_fields`` (so it upserts like ours)
  and sets the organisation in ``before_save_instance``. It creates Person rows only (no memberships), so it does
  strictly less work than ours. The rows are handed to it as a tablib Dataset read with python-calamine
  (tablib's own xlsx reader needs openpyxl, which is not installed); that read is inside its timing, as ours is.
- **schema write** (for information): the rows already read, checked and sealed (untimed), then only the
  import's binary COPY of people and memberships into the real tables, with their indexes, constraints and the
  deferred foreign-key checks (forced before a rollback). With ``sheet_open_seconds`` (python-calamine loading
  the sheet, which must finish before any row exists) it gives ``sheet_open_plus_schema_write_vs_floor``: the
  ratio no import of this design can beat on this machine, whatever its validation costs.
- **export**: ``rosters.services.export_people`` (masked) of the 100,000 people to xlsx, end to end (scoped
  query with membership columns, server-side cursor, defused cells, xlsxwriter constant_memory) against raw
  xlsxwriter (constant_memory) writing the same 100,000 rows already in memory. Memory flatness: the same
  export of the subset whose names contain 王 (~5%) is measured in its own process for comparison.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
PEER_ROWS = min(20_000, ROWS)
HEADER = ["序号", "姓名", "身份证号", "手机号码", "性别", "出生日期", "工作单位", "岗位/职务", "学历", "民族", "政治面貌",
          "农民工", "一线职工", "劳模"]


MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                   "156", "158", "159", "177", "180", "185", "186", "187", "188", "189", "199"]


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings_bench")
    import django

    django.setup()


def _maxrss_mb() -> float:
    """Peak resident memory of this process (VmHWM: reset at exec, unlike ru_maxrss, which a child started
    with fork+exec inherits from its parent), plus the largest worker process it forked, if any."""
    own_kb = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                own_kb = int(line.split()[1])
    kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own_kb + kids_kb) / 1024, 1)


def generate(path: str, n: int) -> None:
    import xlsxwriter

    from lianxin.core.idnumbers import make_id_number

    rng = random.Random(3)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    jobs = ["操作工", "装配工", "质检员", "仓管员", "司机", "技术员", "销售", "会计", "班组长", "电工"]
    edu = ["初中", "高中/中专/技校", "大专", "本科", "硕士"]
    pol = ["群众", "共青团员", "中共党员"]
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("花名册")
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, "杭州甲科技有限公司工会会员花名册（2026年）")
    ws.write_row(1, 0, HEADER)
    for i in range(n):
        # (birth day, sequence) = (7919·i mod 13870, i mod 500) is unique for i < 693,500: no duplicate IDs
        birth = dt.date(1966, 1, 1) + dt.timedelta(days=7919 * i % 13870)
        gender = "M" if i % 2 else "F"
        region = rng.choice(["330114", "330104", "330102", "330106", "330184", "341222", "412723"])
        number = make_id_number(region, birth, i, gender)
        r = 2 + i
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, rng.choice(surnames) + rng.choice(given) + rng.choice(given))
        ws.write_string(r, 2, number)
        ws.write_string(r, 3, f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}")
        ws.write_string(r, 4, "男" if gender == "M" else "女")
        ws.write_datetime(r, 5, dt.datetime(birth.year, birth.month, birth.day), datef)
        ws.write_string(r, 6, "杭州甲科技有限公司")
        ws.write_string(r, 7, rng.choice(jobs))
        ws.write_string(r, 8, rng.choice(edu))
        ws.write_string(r, 9, "汉族")
        ws.write_string(r, 10, rng.choice(pol))
        ws.write_string(r, 11, rng.choice(["是", "否"]))
        ws.write_string(r, 12, "是")
        ws.write_string(r, 13, "否")
    wb.close()


# ------------------------------------------------------------------------------------------------- children

def child_floor(path: str) -> dict:
    from django.db import connection
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows()
    next(rows), next(rows)
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_floor")
        c.execute("CREATE TABLE bench_floor (" + ", ".join(f"c{j} text" for j in range(len(HEADER))) + ")")
        with c.cursor.copy("COPY bench_floor FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)  # psycopg's own text dumpers for str, float and date: the cheapest path
        c.execute("SELECT count(*) FROM bench_floor")
        n = c.fetchone()[0]
    return {"seconds": time.perf_counter() - t, "rows": n, "maxrss_mb": _maxrss_mb()}


def _make_job(path: str, org_id: int, user_id: int, kind: str = "xlsx"):
    import shutil
    import uuid

    from lianxin.rosters import services
    from lianxin.rosters.models import ImportJob, JobStatus

    stored = uuid.uuid4().hex
    shutil.copyfile(path, services.storage_dir() / stored)
    return ImportJob.objects.create(org_id=org_id, created_by_id=user_id, original_name=os.path.basename(path),
                                    stored_name=stored, kind=kind, size=os.path.getsize(path),
                                    status=JobStatus.QUEUED)


def child_ours(path: str, org_id: int, user_id: int) -> dict:
    from lianxin.rosters import services
    from lianxin.rosters.models import ImportJob, ImportMode, JobStatus

    job = _make_job(path, org_id, user_id)
    t = time.perf_counter()
    services.check_job(job.pk)
    check_s = time.perf_counter() - t
    job.refresh_from_db()
    assert job.status == JobStatus.READY, job.message
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.IMPORTING, mode=ImportMode.ALL_OR_NOTHING)
    t = time.perf_counter()
    services.import_job(job.pk)
    seconds = time.perf_counter() - t
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    return {"seconds": seconds, "check_seconds": check_s, "timings": dict(services.LAST_TIMINGS), "added": job.added, "updated": job.updated,
            "unchanged": job.unchanged, "rejected": job.rejected, "members_added": job.members_added,
            "message": job.message, "maxrss_mb": _maxrss_mb()}


def child_schema_write(path: str, org_id: int) -> dict:
    """What writing alone costs in the real schema: the file's rows are read, checked and sealed first
    (untimed), then timed: the same binary COPY of people and memberships, chunk by chunk, that the import
    does, and the deferred foreign-key checks it pays at COMMIT (forced with SET CONSTRAINTS ALL IMMEDIATE),
    then rolled back. No reading, no validation, no lookup. Also timed apart: python-calamine opening the sheet,
    the part of the floor's work that an import cannot overlap with writing (no row exists before it ends)."""
    from django.db import connection, transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from lianxin.members.models import Membership, MembershipStatus
    from lianxin.members.services import reserve_member_numbers
    from lianxin.orgs.models import Organization
    from lianxin.rosters import services
    from lianxin.rosters.columns import CleanRow, RowChecker, check_chunk

    t = time.perf_counter()
    CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    sheet_open = time.perf_counter() - t
    org = Organization.objects.get(pk=org_id)
    table, first_rows, match = services.read_header(path, "xlsx")
    check = RowChecker(match.columns)
    chunks = [[r for r in check_chunk((batch, match.columns, numbers), check) if isinstance(r, CleanRow)]
              for batch, numbers in services._chunks(table, match.row_index, match.columns, first_rows)]
    del table
    now, today = timezone.now(), timezone.localdate()
    with transaction.atomic():
        t = time.perf_counter()
        for rows in chunks:
            new_ids = services._write(services._Plan(inserts=rows), org, now)
            numbers = reserve_member_numbers(len(rows))
            services.insert_rows(Membership, services.MEMBERSHIP_COLUMNS, [
                (new_ids[r.row_no], org.pk, MembershipStatus.MEMBER, no, today, None, None, "花名册导入", now, now)
                for r, no in zip(rows, numbers, strict=True)])
        with connection.cursor() as c:
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - t
        transaction.set_rollback(True)
    return {"seconds": seconds, "sheet_open_seconds": sheet_open, "rows": sum(map(len, chunks))}


def child_peer(path: str, org_id: int) -> dict:
    import tablib
    from import_export import resources
    from python_calamine import CalamineWorkbook

    from lianxin.core.excel import cell_text, to_date
    from lianxin.members.models import Person
    from lianxin.members.services import check_identity, seal_identity
    from lianxin.orgs.models import Organization

    org = Organization.objects.get(pk=org_id)
    genders = {"男": "M", "女": "F"}

    class PersonResource(resources.ModelResource):
        def before_import_row(self, row, **kwargs):
            info, phone = check_identity(row["身份证号"], gender=genders.get(row["性别"]),
                                         birth_date=to_date(row["出生日期"]), mobile=row["手机号码"])
            s = seal_identity(info, phone)
            row.update({"name": row["姓名"], "id_cipher": s.id_cipher, "id_key": s.id_key, "id_bidx": s.id_bidx,
                        "id_masked": info.number[:4] + "*" * 10 + info.number[-4:],
                        "birth_date": info.birth_date.isoformat(), "gender": info.gender,
                        "region_code": info.region_code, "mobile_cipher": s.mobile_cipher,
                        "mobile_bidx": s.mobile_bidx, "mobile_masked": s.mobile_masked,
                        "employer_name": row["工作单位"], "job": row["岗位/职务"], "ethnicity": row["民族"]})

        def before_save_instance(self, instance, row, **kwargs):
            instance.org = org

        class Meta:
            model = Person
            fields = ("name", "id_cipher", "id_key", "id_bidx", "id_masked", "birth_date", "gender", "region_code",
                      "mobile_cipher", "mobile_bidx", "mobile_masked", "employer_name", "job", "ethnicity")
            import_id_fields = ("id_bidx",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            skip_unchanged = False
            report_skipped = False

    t = time.perf_counter()
    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows()
    next(rows)
    header = [str(h) for h in next(rows)]
    computed = list(PersonResource._meta.fields)  # filled by before_import_row; declared so the header check passes
    data = tablib.Dataset(headers=header + computed)
    blanks = [""] * len(computed)
    for i, r in enumerate(rows):
        if i >= PEER_ROWS:
            break
        data.append([cell_text(v) for v in r] + blanks)
    result = PersonResource().import_data(data, dry_run=False, raise_errors=True, use_transactions=True)
    seconds = time.perf_counter() - t
    n = Person.objects.filter(org=org).count()
    assert not result.has_errors() and n == PEER_ROWS, (result.has_errors(), n)
    return {"seconds": seconds, "rows": n, "maxrss_mb": _maxrss_mb()}


def child_export(user_id: int, q: str = "") -> dict:
    from lianxin.accounts.models import User
    from lianxin.rosters import services

    user = User.objects.get(pk=user_id)
    t = time.perf_counter()
    export = services.export_people(actor=user, fmt="xlsx", q=q)
    size = os.fstat(export.stream.fileno()).st_size
    export.stream.close()
    return {"seconds": time.perf_counter() - t, "rows": export.rows, "bytes": size, "maxrss_mb": _maxrss_mb()}


def child_raw_writer(user_id: int) -> dict:
    """The same rows (fetched first, untimed) written by bare xlsxwriter in constant_memory mode."""
    import xlsxwriter

    from lianxin.accounts.models import User
    from lianxin.rosters import services

    user = User.objects.get(pk=user_id)
    export = services.export_people(actor=user, fmt="csv")
    import csv
    import io

    text = b"".join(export.stream).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, data = rows[0], rows[1:]
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        t = time.perf_counter()
        wb = xlsxwriter.Workbook(tmp.name, {"constant_memory": True})
        ws = wb.add_worksheet()
        ws.write_row(0, 0, header)
        for i, r in enumerate(data, start=1):
            ws.write_row(i, 0, r)
        wb.close()
        seconds = time.perf_counter() - t
    return {"seconds": seconds, "rows": len(data), "maxrss_mb": _maxrss_mb()}


def child_baseline() -> dict:
    from django.db import connection

    connection.ensure_connection()
    return {"maxrss_mb": _maxrss_mb()}


def _child(what: str, *args) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.bench_import", "child", what, *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise RuntimeError(f"benchmark child {what} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------------- parent

def run() -> None:
    _setup()
    from django.core.management import call_command
    from django.db import connection

    from lianxin.core.testing import build_district, make_user
    from lianxin.orgs import services as org_services
    from lianxin.orgs.models import OrgKind

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    d = build_district()
    from lianxin.core.testing import ROOT

    peer_org = org_services.create_organization(actor=ROOT, parent=d.joint_b, kind=OrgKind.BASE,
                                                name="对照组（django-import-export）工会")
    user = make_user("bench.admin", d.fed, "admin")
    connection.close()

    workdir = tempfile.mkdtemp(prefix="bench-import-")
    path = os.path.join(workdir, f"roster-{ROWS}.xlsx")
    t = time.perf_counter()
    generate(path, ROWS)
    print(f"generated_rows: {ROWS}")
    print(f"generate_seconds: {time.perf_counter() - t:.2f}")
    print(f"file_mb: {os.path.getsize(path) / 1048576:.2f}")

    base = _child("baseline")
    print(f"baseline_process_memory_mb: {base['maxrss_mb']}")

    floor = _child("floor", path)
    print(f"floor_peak_memory_mb: {floor['maxrss_mb']}")
    print(f"floor_seconds: {floor['seconds']:.2f}")
    print(f"floor_rows_per_s: {ROWS / floor['seconds']:.0f}")

    peer = _child("peer", path, peer_org.pk)
    peer_rate = peer["rows"] / peer["seconds"]
    print(f"peer_rows: {peer['rows']}")
    print(f"peer_seconds: {peer['seconds']:.2f}")
    print(f"peer_rows_per_s: {peer_rate:.0f}")
    print(f"peer_peak_memory_mb: {peer['maxrss_mb']}")
    with connection.cursor() as c:  # ours starts from the same empty tables as the peer did
        c.execute("DELETE FROM members_person WHERE org_id = %s", [peer_org.pk])
    connection.close()

    schema = _child("schema_write", path, d.base_a1.pk)
    print(f"schema_write_rows: {schema['rows']}")
    print(f"schema_write_seconds: {schema['seconds']:.2f}")
    print(f"sheet_open_seconds: {schema['sheet_open_seconds']:.2f}")
    # The peer's deleted rows and the schema write's rolled-back ones are dead tuples, and the rolled-back rows
    # carry the very blind indexes ours is about to insert: every unique check would visit them. Vacuum, as
    # autovacuum would have by then on a live database, so ours meets clean tables.
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE members_person, members_membership")
    connection.close()
    ours = _child("ours", path, d.base_a1.pk, user.pk)
    floor_after = _child("floor", path)
    print(f"floor_seconds_after: {floor_after['seconds']:.2f}")
    # the machine may be shared: the ratio uses the faster of the two floor runs (the stricter comparison)
    floor_s = min(floor["seconds"], floor_after["seconds"])
    rate = ROWS / ours["seconds"]
    print(f"import_check_seconds: {ours['check_seconds']:.2f}")
    print(f"import_seconds: {ours['seconds']:.2f}")
    print(f"import_rows_per_s: {rate:.0f}")
    print(f"import_added: {ours['added']}")
    print(f"import_members_added: {ours['members_added']}")
    for phase, secs in ours["timings"].items():
        print(f"import_phase_{phase}_seconds: {secs:.2f}")
    again = _child("ours", path, d.base_a1.pk, user.pk)
    print(f"reimport_seconds: {again['seconds']:.2f}")
    print(f"reimport_unchanged: {again['unchanged']}")
    print(f"reimport_added_plus_updated: {again['added'] + again['updated']}")

    exp = _child("export", user.pk)
    raw = _child("raw_writer", user.pk)
    small = _child("export", user.pk, "王")
    print(f"export_rows: {exp['rows']}")
    print(f"export_seconds: {exp['seconds']:.2f}")
    print(f"raw_writer_seconds: {raw['seconds']:.2f}")
    print(f"export_subset_rows: {small['rows']}")
    print(f"export_subset_peak_memory_mb: {small['maxrss_mb']}")

    # the best any import of this design could do here: the sheet must be open before the first row is written
    bound = (schema["sheet_open_seconds"] + schema["seconds"]) / floor_s
    print(f"sheet_open_plus_schema_write_vs_floor: {bound:.2f}")
    print(f"import_speedup_vs_django_import_export: {rate / peer_rate:.1f}")
    print(f"import_time_vs_floor: {ours['seconds'] / floor_s:.2f}")
    print(f"import_peak_memory_mb: {ours['maxrss_mb']}")
    print(f"export_time_vs_raw_writer: {exp['seconds'] / raw['seconds']:.2f}")
    print(f"export_peak_memory_mb: {exp['maxrss_mb']}")


def _child_main(argv: list[str]) -> None:
    _setup()
    what, args = argv[0], argv[1:]
    fn = {"floor": child_floor, "ours": child_ours, "schema_write": child_schema_write, "peer": child_peer, "export": child_export,
          "raw_writer": child_raw_writer, "baseline": child_baseline}[what]
    conv = [int(a) if a.isdigit() else a for a in args]
    print(json.dumps(fn(*conv), ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        _child_main(sys.argv[2:])
