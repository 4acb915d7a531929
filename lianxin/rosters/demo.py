"""Demo roster import for ``manage.py seed_demo``: a base union in 白杨街道 uploads a 24-row roster typed the
way offices type it (title row, header variants, a lower-case x, an ID Excel turned into 3.30106E+17, a
duplicate, a bad mobile) and imports the valid rows, so the console shows a finished job with its error
report. Runs the task bodies directly (the demo must not wait for a worker). Deterministic and fast."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.core.idnumbers import make_id_number
from lianxin.orgs.models import OrgKind

from . import services
from .models import ImportMode, JobStatus

SURNAMES = "王李张刘陈杨黄赵吴周徐孙"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳"


def _roster(rng) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("花名册")
    ws.write_string(0, 0, "2026年度会员花名册")
    ws.write_row(1, 0, ["序号", "姓名", "身份证号码", "联系电话", "性别", "岗位", "文化程度", "政治面貌"])
    rows = []
    for i in range(20):
        gender = "M" if i % 2 else "F"
        birth = dt.date(1970 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28))
        number = make_id_number("330104", birth, 400 + i, gender)
        rows.append([str(i + 1), rng.choice(SURNAMES) + rng.choice(GIVEN), number.lower(),
                     f"139{rng.randrange(10**8):08d}", "男" if gender == "M" else "女",
                     rng.choice(["操作工", "质检员", "技术员"]), rng.choice(["高中", "大专", "本科"]),
                     rng.choice(["群众", "共青团员", "中共党员"])])
    rows.append(["21", "错号", "3.30106E+17", "", "", "", "", ""])
    rows.append(["22", rows[0][1], rows[0][2], "", "", "", "", ""])  # the same person twice
    rows.append(["23", "号码短", make_id_number("330104", dt.date(1988, 8, 8), 470, "M"), "138123", "", "", "", ""])
    rows.append(["24", "性别错", make_id_number("330104", dt.date(1990, 9, 9), 471, "M"), "", "女", "", "", ""])
    for r, row in enumerate(rows, start=2):
        for j, v in enumerate(row):
            ws.write_string(r, j, v)
    wb.close()
    return buf.getvalue()


def seed(ctx) -> None:
    actor = ctx.users.get("by_admin") or ctx.users.get("qt_admin")
    if actor is None:
        return
    street = ctx.streets[0]
    union = next((u for u in ctx.unions if u.kind == OrgKind.BASE and u.path.startswith(street.path)), None)
    if union is None:
        return
    job = services.start_import(actor=actor, org=union,
                                upload=SimpleUploadedFile("2026年度会员花名册.xlsx", _roster(ctx.rng)))
    services.check_job(job.pk)
    job.refresh_from_db()
    if job.status != JobStatus.READY:
        ctx.log(f"rosters: demo roster not ready: {job.message}")
        return
    from .models import ImportJob

    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.IMPORTING, mode=ImportMode.VALID_ROWS)
    services.import_job(job.pk)
    job.refresh_from_db()
    ctx.log(f"rosters: demo import into {union.name}: {job.message}")
