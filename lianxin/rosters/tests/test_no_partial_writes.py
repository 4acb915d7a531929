"""An import that fails midway leaves nothing behind: not a person, not a membership, not a member number."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lianxin.core.models import AuditEntry, Counter
from lianxin.core.testing import id_number, mobile
from lianxin.members.models import Membership, Person
from lianxin.rosters import services
from lianxin.rosters.models import ImportJob

from .helpers import check, run, xlsx_bytes

HEADER = ["姓名", "身份证号", "手机号码"]


def _data(n):
    return xlsx_bytes([HEADER] + [[f"职工{i}", id_number(), mobile()] for i in range(n)])


@pytest.mark.pg
@pytest.mark.django_db
def test_failure_in_the_middle_of_writing_rolls_everything_back(district, monkeypatch):
    admin = district.users["street_a.admin"]
    job = check(district.base_a1, _data(50), actor=admin)
    monkeypatch.setattr(services, "CHUNK", 10)
    real_write, calls = services._write, []

    def failing_write(*a, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")  # after two chunks were written
        return real_write(*a, **kw)

    monkeypatch.setattr(services, "_write", failing_write)
    counter = Counter.objects.filter(name="member_no").values_list("value", flat=True).first()
    job = run(job, "all", actor=admin)
    assert len(calls) == 3
    assert job.status == "failed" and "未导入任何数据" in job.message
    assert Person.objects.count() == 0 and Membership.objects.count() == 0
    assert Counter.objects.filter(name="member_no").values_list("value", flat=True).first() == counter
    assert not AuditEntry.objects.filter(action="rosters.import").exists()


def _db_url(settings_dict) -> str:
    s = settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_midway_leaves_no_partial_write(district, settings):
    """A real worker process is SIGKILLed while its import transaction has already COPYed rows; PostgreSQL
    must roll the whole transaction back, and the same file then imports cleanly."""
    from django.db import connection

    admin = district.users["street_a.admin"]
    job = check(district.base_a1, _data(60), actor=admin)
    assert job.status == "ready"
    ImportJob.objects.filter(pk=job.pk).update(status="importing", mode="all")
    env = {**os.environ, "LIANXIN_DATABASE_URL": _db_url(connection.settings_dict),
           "DJANGO_SETTINGS_MODULE": "lianxin.settings_test"}
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.Popen([sys.executable, "-m", "lianxin.rosters.tests.kill_worker", str(job.pk),
                             str(settings.MEDIA_ROOT)], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "WRITING", (line, proc.stderr.read() if proc.poll() is not None else "")
        with connection.cursor() as c:  # the worker's transaction holds rows we cannot see yet
            c.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'")
            assert c.fetchone()[0] >= 1
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 20  # the server notices the dropped client and rolls back
    with connection.cursor() as c:
        while True:
            c.execute("SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%%'")
            if c.fetchone()[0] == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert Person.objects.count() == 0
    assert Membership.objects.count() == 0
    assert not AuditEntry.objects.filter(action="rosters.import").exists()
    job.refresh_from_db()
    assert job.status == "importing"  # never marked done; the page reports it as interrupted once stale

    # nothing is locked or half-written: the same file imports cleanly afterwards
    job2 = run(check(district.base_a1, _data(5), actor=admin), "all", actor=admin)
    assert job2.status == "done" and job2.added == 5
