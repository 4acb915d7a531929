"""Console pages: upload form, progress polling (htmx), template download, scope of job pages."""

import pytest

from lianxin.core.testing import id_number
from lianxin.rosters.models import ImportJob

from .helpers import check, upload, xlsx_bytes

pytestmark = [pytest.mark.django_db]


def test_import_page_lists_only_orgs_the_admin_may_change(client, district):
    client.force_login(district.users["street_a.admin"])
    html = client.get("/console/imports/").content.decode()
    assert district.base_a1.name in html and district.base_b1.name not in html
    client.force_login(district.users["street_a.viewer"])
    assert "没有导入权限" in client.get("/console/imports/").content.decode()



def test_opening_the_upload_address_leads_to_the_imports_page(client, district):
    """The upload form posts to /console/imports/upload/; opened directly (a reload, a bookmark) that address
    leads to the page with the form instead of a blank 405."""
    client.force_login(district.users["street_a.admin"])
    resp = client.get("/console/imports/upload/")
    assert resp.status_code == 302 and resp["Location"] == "/console/imports/"
    assert not ImportJob.objects.exists()


def test_template_download(client, district):
    client.force_login(district.users["street_a.viewer"])
    resp = client.get("/console/imports/template.xlsx")
    assert resp.status_code == 200 and resp.content[:4] == b"PK\x03\x04"
    assert "attachment" in resp["Content-Disposition"]


def test_progress_fragment_polls_while_running_and_refreshes_when_done(client, district):
    admin = district.users["street_a.admin"]
    job = check(district.base_a1, xlsx_bytes([["姓名", "身份证号"], ["甲", id_number()]]), actor=admin)
    client.force_login(admin)
    ImportJob.objects.filter(pk=job.pk).update(status="importing", progress=42, phase="正在导入：已处理 2000 行")
    from django.utils import timezone

    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    page = client.get(f"/console/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "42%" in page
    frag = client.get(f"/console/imports/{job.pk}/progress/")
    assert "正在导入：已处理 2000 行" in frag.content.decode() and "HX-Refresh" not in frag
    ImportJob.objects.filter(pk=job.pk).update(status="ready")
    assert client.get(f"/console/imports/{job.pk}/progress/")["HX-Refresh"] == "true"


def test_sqlite_import_reports_progress_through_a_sidecar_file(client, district, monkeypatch):
    """On SQLite the import's transaction holds the only write lock, so its progress cannot go into the job row
    where the page would see it: it goes into a file next to the upload, and the progress page reads that."""
    from django.db import connection

    from lianxin.rosters import services
    from lianxin.rosters.models import ImportMode

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL reports progress through a second connection")
    admin = district.users["street_a.admin"]
    rows = [["姓名", "身份证号"], *[[f"人{i}", id_number()] for i in range(6)]]
    job = check(district.base_a1, xlsx_bytes(rows), actor=admin)
    ImportJob.objects.filter(pk=job.pk).update(status="importing", mode=ImportMode.VALID_ROWS, progress=0)
    monkeypatch.setattr(services, "CHUNK", 2)
    client.force_login(admin)
    real = services.Progress(job.pk, side_connection=True)
    seen = []

    class Watching:  # the real reporter, and what the page shows right after each report
        def __call__(self, pct, phase, force=False):
            real(pct, phase, force)
            row = ImportJob.objects.values_list("progress", flat=True).get(pk=job.pk)
            seen.append((pct, row, client.get(f"/console/imports/{job.pk}/progress/").content.decode()))

        def close(self):
            real.close()

    services.import_job(job.pk, progress=Watching())
    running = [(pct, row, frag) for pct, row, frag in seen if pct < 99]
    assert len(running) == 3  # one report per two-row chunk
    for pct, row, frag in running:
        # the row inside the import's transaction is untouched (another connection could not read it anyway);
        # the page shows the file's figure
        assert row == 0 and f"（{pct}%）" in frag and "正在导入" in frag
    assert ImportJob.objects.get(pk=job.pk).status == "done"
    assert not services.progress_file(job.pk).exists()  # removed when the import ended


def test_stale_running_job_is_reported_as_interrupted(client, district):
    import datetime as dt

    from django.utils import timezone

    admin = district.users["street_a.admin"]
    job = check(district.base_a1, xlsx_bytes([["姓名", "身份证号"], ["甲", id_number()]]), actor=admin)
    ImportJob.objects.filter(pk=job.pk).update(status="importing",
                                               heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(admin)
    assert "可能已中断" in client.get(f"/console/imports/{job.pk}/").content.decode()


def test_job_of_another_street_is_not_found(client, district):
    job = check(district.base_b1, xlsx_bytes([["姓名", "身份证号"], ["甲", id_number()]]),
                actor=district.users["street_b.admin"])
    client.force_login(district.users["street_a.admin"])
    assert client.get(f"/console/imports/{job.pk}/").status_code == 404
    assert client.get(f"/console/imports/{job.pk}/errors.xlsx").status_code == 404
    assert client.post(f"/console/imports/{job.pk}/run/", {"mode": "valid"}).status_code == 404


def test_upload_and_run_through_the_views(client, district):
    client.force_login(district.users["street_a.admin"])
    resp = client.post("/console/imports/upload/", {
        "org": district.base_a1.pk, "file": upload(xlsx_bytes([["姓名", "身份证号"], ["甲", id_number()]]))})
    job = ImportJob.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/console/imports/{job.pk}/"
    assert "检查完成" in client.get(resp["Location"]).content.decode()
    client.post(f"/console/imports/{job.pk}/run/", {"mode": "all"})
    job.refresh_from_db()
    assert job.status == "done" and job.added == 1
