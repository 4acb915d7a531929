"""The read-replica router against a real PostgreSQL streaming standby (not only its decisions, as in
test_replica_router.py). The test cluster is copied with pg_basebackup into a hot standby on another port, that
standby becomes ``replica_1``, and its WAL replay is paused so that a row written on the primary afterwards is
visible on the primary only — which tells, through the whole web stack, where each page read its rows:

- a safe request lists people from the standby (the new person is missing: replication lag is real);
- a POST writes on the primary (the standby would refuse: it is read-only) and pins the browser to the primary,
  so the page after saving shows the new person (read your writes);
- without the pin cookie the same browser reads the standby again; once replay resumes the standby catches up.
"""

import os
import shutil
import subprocess
import tempfile
import time

import psycopg
import pytest
from django.db import connections

from lianxin.core.routers import PIN_COOKIE
from lianxin.core.testing import make_person
from lianxin.members.models import Person
from scripts.with_postgres import bindir, free_port

pytestmark = pytest.mark.pgonly


def _conninfo(cfg: dict, **over) -> str:
    parts = {"host": cfg["HOST"], "port": cfg["PORT"], "user": cfg["USER"], "dbname": cfg["NAME"], **over}
    return " ".join(f"{k}={v}" for k, v in parts.items() if v not in (None, ""))


@pytest.fixture
def standby(transactional_db):
    """A hot standby of the test cluster, paused-replay control included; stopped and removed afterwards."""
    primary = connections["default"].settings_dict
    bd = bindir()
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    tmp = tempfile.mkdtemp(prefix="lianxin-standby-")
    if as_pg:
        shutil.chown(tmp, "postgres", "postgres")
    data, port = os.path.join(tmp, "data"), free_port()
    subprocess.run([*as_pg, f"{bd}/pg_basebackup", "-h", primary["HOST"], "-p", str(primary["PORT"]),
                    "-U", primary["USER"], "-D", data, "-R", "-X", "stream", "-c", "fast", "--no-sync"],
                   check=True, capture_output=True)
    with connections["default"].cursor() as c:  # a standby needs at least the primary's connection slots
        c.execute("SHOW max_connections")
        slots = c.fetchone()[0]
    opts = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={tmp} -c hot_standby=on "
            f"-c max_connections={slots} -c fsync=off")
    log = os.path.join(tmp, "log")
    started = subprocess.run([*as_pg, f"{bd}/pg_ctl", "-D", data, "-l", log, "-o", opts, "-w", "-t", "60",
                              "start"], capture_output=True)
    if started.returncode:
        with open(log) as f:
            pytest.fail(f"the standby did not start:\n{f.read()}")
    cfg = {**primary, "PORT": str(port), "TEST": {"MIRROR": "default"}}
    connections.settings["replica_1"] = cfg
    # Django's test case refuses to open connections to aliases it was not told about when the test began; the
    # alias is born here, so open its connection now (the test client keeps it between requests).
    connections["replica_1"].connect()
    try:
        with psycopg.connect(_conninfo(cfg), autocommit=True) as control:
            yield control
    finally:
        if "replica_1" in connections:
            connections["replica_1"].close()
            del connections["replica_1"]
        del connections.settings["replica_1"]
        subprocess.run([*as_pg, f"{bd}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _caught_up(control, primary_conn) -> None:
    with primary_conn.cursor() as c:
        c.execute("SELECT pg_current_wal_insert_lsn()")  # with asynchronous commit the last commit may be unwritten
        target = c.fetchone()[0]
    for _ in range(200):
        row = control.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()
        if row[0]:
            return
        time.sleep(0.05)
    raise AssertionError("the standby did not catch up within 10 s")


@pytest.mark.django_db(transaction=True)
def test_pages_read_the_standby_and_a_write_pins_the_browser_to_the_primary(standby, district, client, settings):
    settings.LIANXIN_REPLICAS = ["replica_1"]
    settings.LIANXIN_REPLICA_PIN_SECONDS = 10
    primary = connections["default"]
    assert standby.execute("SELECT pg_is_in_recovery()").fetchone()[0]
    seen = make_person(district.base_a1, name="复制前已有")
    client.force_login(district.users["fed.admin"])
    _caught_up(standby, primary.connection)

    def listed() -> str:
        response = client.get("/console/people/")
        assert response.status_code == 200
        return response.content.decode()

    assert "复制前已有" in listed()  # the standby has everything written before the pause
    standby.execute("SELECT pg_wal_replay_pause()")
    late = make_person(district.base_a1, name="暂停后新增")
    assert Person.objects.using("default").filter(pk=late.pk).exists()
    page = listed()
    assert "复制前已有" in page and "暂停后新增" not in page  # read on the standby, which has not replayed it

    settings.LIANXIN_REPLICAS = []
    assert "暂停后新增" in listed()  # the same page on the primary shows it
    settings.LIANXIN_REPLICAS = ["replica_1"]

    # A write (an audited reveal) goes to the primary — the standby refuses writes — and pins the browser.
    response = client.post(f"/console/people/{seen.pk}/reveal/", {"field": "mobile", "reason": "核对联系方式"})
    assert response.status_code == 200, response.content.decode()
    assert response.cookies[PIN_COOKIE]["max-age"] == 10
    assert "暂停后新增" in listed()  # read your writes: the pinned browser reads the primary

    del client.cookies[PIN_COOKIE]  # the pin has lapsed
    assert "暂停后新增" not in listed()

    standby.execute("SELECT pg_wal_replay_resume()")
    _caught_up(standby, primary.connection)
    assert "暂停后新增" in listed()
