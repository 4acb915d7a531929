"""Build roster files the way union offices make them, for the tests."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.rosters import services
from lianxin.rosters.models import ImportJob

HEADER = ["姓名", "身份证号", "手机号码", "性别", "出生日期", "工作单位", "学历", "政治面貌", "农民工"]


def xlsx_bytes(rows: list[list], *, title_rows: list[list] | None = None, merged_header: bool = False) -> bytes:
    """``rows`` includes the header row. Strings are written as text, numbers as numbers, dates as dates."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("花名册")
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    r0 = 0
    for t in title_rows or []:
        ws.write_row(r0, 0, t)
        r0 += 1
    if merged_header:
        # "基本信息" spans name+ID over a second header row; "手机号码" is merged vertically over both rows
        header, *data = rows
        ws.merge_range(r0, 0, r0, 1, "基本信息")
        for j, h in enumerate(header[2:], start=2):
            ws.merge_range(r0, j, r0 + 1, j, h)
        ws.write_string(r0 + 1, 0, header[0])
        ws.write_string(r0 + 1, 1, header[1])
        r0 += 2
        rows = data
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if isinstance(v, (dt.date, dt.datetime)):
                ws.write_datetime(r0 + i, j, v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day),
                                  datef)
            elif isinstance(v, (int, float)):
                ws.write_number(r0 + i, j, v)
            elif v is not None:
                ws.write_string(r0 + i, j, str(v))
    wb.close()
    return buf.getvalue()


def xls_bytes(rows: list[list]) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("花名册")
    datef = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write(i, j, v, datef)
            elif v is not None:
                ws.write(i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    import csv

    s = io.StringIO()
    csv.writer(s).writerows(rows)
    return s.getvalue().encode(encoding)


def upload(data: bytes, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def check(org, data: bytes, name: str = "花名册.xlsx", *, actor) -> ImportJob:
    """Upload and run the check pass (ImmediateBackend in tests runs it on enqueue)."""
    job = services.start_import(actor=actor, org=org, upload=upload(data, name))
    services.enqueue_check(job)
    job.refresh_from_db()
    return job


def run(job: ImportJob, mode: str = "valid", *, actor) -> ImportJob:
    services.request_import(actor=actor, job=job, mode=mode)
    job.refresh_from_db()
    return job


def problems(job: ImportJob) -> dict[int, str]:
    return {int(no): msg for no, msg in job.problems}
