"""Read replicas: which reads may go to one (safe requests, not pinned after a write, outside transactions) and
which never do (writes, tasks, anything inside a transaction). See lianxin/core/routers.py."""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from lianxin.core.routers import PIN_COOKIE, ReplicaMiddleware, ReplicaRouter, replica_databases
from lianxin.members.models import Person

PRIMARY = {"ENGINE": "django.db.backends.postgresql", "NAME": "lianxin", "OPTIONS": {"sslmode": "prefer"}}


@pytest.fixture
def with_replicas(settings):
    settings.LIANXIN_REPLICAS = ["replica_1", "replica_2"]
    settings.LIANXIN_REPLICA_PIN_SECONDS = 10


def _decisions(request):
    """Run ``request`` through the middleware; the view reports where reads would go, outside and inside a
    transaction."""
    seen = {}

    def view(req):
        seen["read"] = ReplicaRouter().db_for_read(Person)
        with transaction.atomic():
            seen["read_in_transaction"] = ReplicaRouter().db_for_read(Person)
        seen["write"] = ReplicaRouter().db_for_write(Person)
        return HttpResponse("ok")

    response = ReplicaMiddleware(view)(request)
    return seen, response


def test_replica_urls_become_mirrored_aliases():
    dbs = replica_databases(" postgres://ro@r1:5432/lianxin, postgres://ro@r2/lianxin ,", PRIMARY)
    assert list(dbs) == ["replica_1", "replica_2"]
    assert dbs["replica_1"]["HOST"] == "r1" and dbs["replica_2"]["HOST"] == "r2"
    assert all(d["TEST"] == {"MIRROR": "default"} and d["OPTIONS"] == {"sslmode": "prefer"} for d in dbs.values())
    assert replica_databases("", PRIMARY) == {}
    with pytest.raises(ValueError):
        replica_databases("sqlite:///x.sqlite3", PRIMARY)  # a replica of another kind is a configuration error


@pytest.mark.django_db(transaction=True)  # a test wrapped in a transaction would read the primary
def test_without_replicas_everything_reads_the_primary():
    seen, response = _decisions(RequestFactory().get("/console/people/"))
    assert seen == {"read": None, "read_in_transaction": None, "write": "default"}
    assert PIN_COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True)  # a test wrapped in a transaction would read the primary
def test_safe_requests_read_a_replica_but_never_inside_a_transaction(with_replicas):
    seen, _ = _decisions(RequestFactory().get("/console/people/"))
    assert seen["read"] in ("replica_1", "replica_2")
    assert seen["read_in_transaction"] is None and seen["write"] == "default"


@pytest.mark.django_db(transaction=True)  # a test wrapped in a transaction would read the primary
def test_a_write_pins_the_browser_to_the_primary(with_replicas):
    seen, response = _decisions(RequestFactory().post("/console/people/1/edit/"))
    assert seen["read"] is None  # the request that writes reads what it is about to change from the primary
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    follow_up = RequestFactory().get("/console/people/1/")
    follow_up.COOKIES[PIN_COOKIE] = "1"
    seen, _ = _decisions(follow_up)
    assert seen["read"] is None  # the page after saving shows what was saved, whatever the replica's lag


@pytest.mark.django_db(transaction=True)  # a test wrapped in a transaction would read the primary
def test_reads_outside_a_request_use_the_primary(with_replicas):
    # task workers and management commands: no request marked them safe
    assert ReplicaRouter().db_for_read(Person) is None
    assert ReplicaRouter().allow_migrate("replica_1", "members") is False
    assert ReplicaRouter().allow_migrate("default", "members") is True


def test_settings_take_replicas_from_the_environment(tmp_path):
    """The whole chain from the environment variable: aliases, the router, the middleware (a fresh process,
    since settings are read once)."""
    import json
    import os
    import subprocess
    import sys

    code = ("import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([sorted(s.DATABASES), s.LIANXIN_REPLICAS, s.DATABASE_ROUTERS, "
            "'lianxin.core.routers.ReplicaMiddleware' in s.MIDDLEWARE, s.DATABASES['replica_1']['HOST']]))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lianxin.settings",
           "LIANXIN_DATABASE_URL": "postgres://lx@primary:5432/lianxin",
           "LIANXIN_REPLICA_URLS": "postgres://ro@replica-a:5432/lianxin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        ["default", "replica_1"], ["replica_1"], ["lianxin.core.routers.ReplicaRouter"], True, "replica-a"]


@pytest.mark.django_db(transaction=True)  # a test wrapped in a transaction would read the primary
def test_a_get_that_writes_reads_the_primary_afterwards_and_pins_the_browser(with_replicas, district):
    """Opening a message marks it read (a write on a GET): the rest of that request, and the browser's next
    pages, must not read a replica that has not seen the write yet."""
    from lianxin.core.models import Notification

    user = district.users["base_a1.reviewer"]
    seen = {}

    def view(req):
        seen["before"] = ReplicaRouter().db_for_read(Person)
        Notification.objects.filter(user=user).update(read_at=None)  # a write outside any transaction
        seen["after"] = ReplicaRouter().db_for_read(Person)
        return HttpResponse("ok")

    response = ReplicaMiddleware(view)(RequestFactory().get("/console/applications/messages/1/"))
    assert seen["before"] in ("replica_1", "replica_2") and seen["after"] is None
    assert PIN_COOKIE in response.cookies

    seen.clear()

    def read_only(req):
        seen["read"] = ReplicaRouter().db_for_read(Person)
        Notification.objects.using("default").filter(user=user).exists()  # a SELECT on the primary is no write
        return HttpResponse("ok")

    response = ReplicaMiddleware(read_only)(RequestFactory().get("/console/"))
    assert seen["read"] in ("replica_1", "replica_2") and PIN_COOKIE not in response.cookies


def test_write_statements_are_recognised():
    from lianxin.core.routers import _is_write

    for sql in ('INSERT INTO "x" VALUES (1)', ' update x set a = 1', "DELETE FROM x", "COPY x FROM STDIN",
                "WITH moved AS (DELETE FROM x RETURNING *) SELECT * FROM moved"):
        assert _is_write(sql), sql
    for sql in ('SELECT "x"."id" FROM "x"', "SAVEPOINT s1", "RELEASE SAVEPOINT s1", "SELECT 1 FOR UPDATE",
                "WITH t AS (SELECT 1) SELECT * FROM t", ""):
        assert not _is_write(sql), sql
