"""Signup burst: PostgreSQL behind gunicorn (2 worker processes), 10,000 distinct members racing for 500
places through the JSON API, plus 1,000 repeated taps, from a bounded asyncio/httpx client on loopback.

Prints successful sign-ups (must be exactly the capacity), oversells and duplicate sign-ups found in the
database afterwards (must be 0), requests/s and p50/p99 latency, and — same server, same client, same run —
the requests/s of a trivial page (/m/ping/), so the figure that matters is the ratio. Then the transfer size of
the home page, the activity list and the member card as a signed-in member sees them, with every asset they
reference (and a check that none is fetched from another host).

Members authenticate as the WeChat front end does: a signed member token per member (``Authorization:
Bearer``), minted before the burst exactly as ``POST /api/v1/activities/token`` mints them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

MEMBERS = int(os.environ.get("BENCH_SIGNUP_MEMBERS", "10000"))
PLACES = int(os.environ.get("BENCH_SIGNUP_PLACES", "500"))
REPEATS = MEMBERS // 10
# In flight at once: as many as the server has request threads (2 workers x 4), more only queue in its backlog.
CONCURRENCY = int(os.environ.get("BENCH_SIGNUP_CONCURRENCY", "8"))
TRIVIAL_REQUESTS = int(os.environ.get("BENCH_SIGNUP_TRIVIAL", "5000"))
TIME_LIMIT = 120.0  # seconds per slice, whatever happens
ROUNDS = 5
ROOT = Path(__file__).resolve().parent.parent
SERVER_LOG = open(os.devnull, "w")  # replaced in run() by a temp file; its tail is shown when something fails


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_data():
    """10,000 members in 20 base unions of one district, their users and tokens, one activity with 500 places.
    Bulk inserts (the identity sealing is the real one), so setup takes seconds, not the benchmark's time."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from lianxin.accounts.models import User
    from lianxin.activities.api import member_token
    from lianxin.activities.testing import make_activity
    from lianxin.core.idnumbers import make_id_number, parse_id_number
    from lianxin.core.testing import ROOT as FIXTURE_ROOT
    from lianxin.members.models import Membership, MembershipStatus, Person
    from lianxin.members.services import seal_identity
    from lianxin.orgs import services as org_services
    from lianxin.orgs.models import OrgKind

    c = org_services.create_organization
    fed = c(actor=FIXTURE_ROOT, parent=None, kind=OrgKind.FEDERATION, name="压测区总工会")
    street = c(actor=FIXTURE_ROOT, parent=fed, kind=OrgKind.STREET, name="压测街道总工会")
    unions = [c(actor=FIXTURE_ROOT, parent=street, kind=OrgKind.BASE, name=f"压测企业{i}工会") for i in range(20)]
    people = []
    base_birth = dt.date(1970, 1, 1)
    for i in range(MEMBERS):
        gender = "F" if i % 2 else "M"
        info = parse_id_number(make_id_number("330114", base_birth + dt.timedelta(days=i), 7, gender))
        p = Person(name=f"职工{i:05d}", org=unions[i % 20], is_frontline=bool(i % 3))
        seal_identity(info, f"1390{i:07d}").apply(p)
        people.append(p)
    Person.objects.bulk_create(people, batch_size=2000)
    today = timezone.localdate()
    Membership.objects.bulk_create(
        [Membership(person=p, union=p.org, status=MembershipStatus.MEMBER, member_no=f"LXB{i:08d}", joined_on=today)
         for i, p in enumerate(people)], batch_size=2000)
    users = [User(username=f"bench{i:05d}", display_name=p.name, person=p, password="!")
             for i, p in enumerate(people)]
    User.objects.bulk_create(users, batch_size=2000)
    users = list(User.objects.filter(username__startswith="bench").order_by("username"))
    activity = make_activity(fed, title="压测：劳模工匠讲堂", capacity=PLACES, waitlist_size=0)
    make_activity(fed, title="本月活动示例", capacity=30, starts_in=dt.timedelta(days=1))
    tokens = [member_token(u) for u in users]
    s = SessionStore()
    s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(users[0].pk), "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = users[0].get_session_auth_hash()
    s.create()
    return activity, tokens, s.session_key


def start_server(port: int) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="lianxin.settings_bench", LIANXIN_CONN_MAX_AGE="600",
               LIANXIN_ALLOWED_HOSTS="127.0.0.1,localhost", LIANXIN_LOG_LEVEL="ERROR")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "lianxin.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--worker-class", os.environ.get("BENCH_SIGNUP_WORKER_CLASS", "gthread"),
         "--threads", os.environ.get("BENCH_SIGNUP_THREADS", "4"), "--backlog", "2048", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True, stdout=SERVER_LOG, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


async def load(base: str, requests: list[tuple[str, str, dict]]) -> tuple[list[float], list[int], float]:
    """Run (method, path, headers) requests with at most CONCURRENCY in flight; bounded by TIME_LIMIT."""
    import httpx

    latencies: list[float] = []
    statuses: list[int] = []
    queue = iter(requests)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:
        deadline = time.monotonic() + TIME_LIMIT

        async def worker():
            for method, path, headers in queue:
                if time.monotonic() > deadline:
                    return
                t0 = time.perf_counter()
                try:
                    r = await client.request(method, path, headers=headers)
                    statuses.append(r.status_code)
                except httpx.HTTPError:
                    statuses.append(0)
                latencies.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - t0
    return latencies, statuses, elapsed


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


ASSET = re.compile(r"""(?:href|src)=["']([^"']+)["']""")


def page_weight(base: str, session_key: str, paths: list[str]) -> dict[str, float]:
    """Bytes a phone downloads for each page: the HTML plus every stylesheet, script and image it references
    (static files measured from the files the static server would send). Fails on any off-host asset."""
    import httpx
    from django.contrib.staticfiles import finders

    out = {}
    with httpx.Client(base_url=base, cookies={"sessionid": session_key}, timeout=30) as client:
        for path in paths:
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code)
            html = r.content
            total = len(html)
            tags = re.findall(r"<(?:link|script|img)\b[^>]*>", r.text)
            for tag in tags:
                for ref in ASSET.findall(tag):
                    if ref.startswith(("http://", "https://", "//")) and not ref.startswith(base):
                        raise AssertionError(f"{path} loads {ref} from another host")
                    if ref.startswith("/static/"):
                        found = finders.find(ref[len("/static/"):].split("?")[0])
                        assert found, f"{path}: missing asset {ref}"
                        total += Path(found).stat().st_size
            out[path] = total / 1024
    return out


def run() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings_bench")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print("signup benchmark needs PostgreSQL (run through scripts/with_postgres.py)")
        return
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    activity, tokens, session_key = build_data()
    print(f"setup: {MEMBERS} members, {PLACES} places in {time.perf_counter() - t0:.1f}s", flush=True)
    connection.close()

    global SERVER_LOG
    import tempfile

    SERVER_LOG = tempfile.NamedTemporaryFile("w+", prefix="bench-signup-gunicorn-", suffix=".log", delete=False)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        warm = [("GET", "/m/ping/", {})] * 200 + [("GET", "/api/v1/activities/", {"Authorization": f"Bearer {t}"})
                                                   for t in tokens[-100:]]
        asyncio.run(load(base, warm))
        path = f"/api/v1/activities/{activity.pk}/signup"
        reqs = [("POST", path, {"Authorization": f"Bearer {t}"}) for t in tokens]
        reqs += [("POST", path, {"Authorization": f"Bearer {t}"}) for t in tokens[:: max(1, MEMBERS // REPEATS)]]
        import random

        random.Random(7).shuffle(reqs)
        # Trivial page and sign-ups alternate in ROUNDS slices, so both see the same machine: on a shared, noisy
        # host a single trivial phase followed by a single sign-up phase measures the neighbours as much as us.
        lat_t, lat, statuses, el_t, elapsed = [], [], [], 0.0, 0.0
        per_t, per_s = TRIVIAL_REQUESTS // ROUNDS, -(-len(reqs) // ROUNDS)
        for r in range(ROUNDS):
            a_lat, _, a_el = asyncio.run(load(base, [("GET", "/m/ping/", {})] * per_t))
            b_lat, b_st, b_el = asyncio.run(load(base, reqs[r * per_s:(r + 1) * per_s]))
            lat_t += a_lat
            el_t += a_el
            lat += b_lat
            statuses += b_st
            elapsed += b_el
        trivial_rps = len(lat_t) / el_t
        weights = page_weight(base, session_key, ["/m/", "/m/activities/", "/m/card/"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    from django.db.models import Count

    from lianxin.activities.models import Activity, Signup

    activity = Activity.objects.get(pk=activity.pk)
    live = Signup.objects.filter(activity=activity, status__in=Signup.LIVE)
    confirmed = live.filter(status="confirmed").count()
    oversold = max(0, confirmed - activity.capacity) + max(0, activity.taken - activity.capacity)
    duplicates = sum(r["n"] - 1 for r in live.values("person").annotate(n=Count("id")).filter(n__gt=1))
    ok = sum(1 for s in statuses if s == 200)
    refused = sum(1 for s in statuses if s == 400)
    errors = len(statuses) - ok - refused
    rps = len(lat) / elapsed
    print(f"requests: {len(lat)} sign-up requests ({MEMBERS} members + {len(reqs) - MEMBERS} repeated taps), "
          f"concurrency {CONCURRENCY}, 2 gunicorn workers")
    from collections import Counter as _Counter

    print(f"http: 200={ok} 400={refused} other={errors} {dict(_Counter(s for s in statuses if s not in (200, 400)))}; "
          f"activity.taken={activity.taken}")
    print(f"trivial page (/m/ping/): {trivial_rps:.0f} req/s, p99 {pct(lat_t, 99) * 1000:.1f} ms")
    for p, kb in weights.items():
        print(f"page weight {p}: {kb:.1f} KB")
    SERVER_LOG.flush()
    if errors:
        print(f"server log ({SERVER_LOG.name}) tail:\n" + Path(SERVER_LOG.name).read_text()[-3000:])
    else:
        os.unlink(SERVER_LOG.name)
    print(f"signup_http_errors: {errors}")
    print(f"trivial_rps: {trivial_rps:.0f}")
    print(f"trivial_p99_ms: {pct(lat_t, 99) * 1000:.1f}")
    print(f"signup_p50_ms: {pct(lat, 50) * 1000:.1f}")
    print(f"signup_success: {confirmed}")
    print(f"signup_oversold: {oversold}")
    print(f"signup_duplicates: {duplicates}")
    print(f"signup_rps: {rps:.0f}")
    print(f"signup_rps_vs_trivial: {rps / trivial_rps:.2f}")
    print(f"signup_p99_ms: {pct(lat, 99) * 1000:.1f}")
    print(f"page_weight_kb_max: {max(weights.values()):.1f}")
