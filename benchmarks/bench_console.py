"""Staff console and staff API at district scale (DESIGN "Scale": one machine, ~1M members, PostgreSQL).

    make bench BENCH=console      # on a throwaway PostgreSQL (scripts/with_postgres.py)
    BENCH_CONSOLE_PEOPLE=200000 make bench BENCH=console    # a smaller district

Data: one federation, ``STREETS`` streets, ``JOINTS`` joint unions under each, ~``BASES`` base unions spread
over streets and joint unions, ``ENTERPRISES`` enterprises (60 % covered), and ``PEOPLE`` people whose sizes
per union follow a long tail (a few big factories, thousands of small shops); 90 % hold a live membership, 3 %
also a transferred-out one. 85 % of the people are written union by union, as roster imports write them (a
union's people lie together in the table); the last 15 % (``BENCH_CONSOLE_SCATTERED``) are spread at random
over all unions, as people registered one by one or transferred are. (``BENCH_CONSOLE_SCATTERED=1`` is the
worst case: every union's people spread over the whole table.) Every identity is sealed with the real ``members.services.seal_identity``
(AES-GCM + HMAC blind index, the same key set the app reads), in two forked processes, and written with the
roster import's own binary ``COPY`` helper (``rosters.services.insert_rows``) with gap-free member numbers
from ``members.services.reserve_member_numbers``. So the tables, indexes and statistics are what a district
of that size has after its imports (``VACUUM ANALYZE`` at the end, as autovacuum would).

Measured: each page listed below, requested ``ROUNDS`` times with Django's test ``Client`` (in process: no
HTTP, so the figure is view + ORM + database + template), for three users: the federation's administrator
(the whole tree), a street's administrator and the reviewer of the biggest base union. Per page: p50 / p95 in
ms, the ratio of p95 to the floor's p50 (``FLOOR``: the 我的账号 page, which reads the user's own rows by key;
same session, same run), and the number of SQL queries (an execute wrapper): a figure that grows with the
page's rows is an N+1. The dashboard (领导驾驶舱) caches its figures per (organisation, year): ``dashboard_cold``
clears the cache before every request (untimed), so it times the figures' count itself; ``dashboard`` and
``api_dashboard``, measured right after it, are served from the cache. The cold figure is informational: it is
left out of the final lines.

The final lines are the ones to compare across machines: the worst p95 ratio and the largest query count.

Iterating on one page: keep a built database (``BENCH_CONSOLE_USERS=, python scripts/with_postgres.py -- bash
-c 'python -m benchmarks console; sleep 3600'``), then with ``LIANXIN_DATABASE_URL`` pointing at it run
``BENCH_CONSOLE_REUSE=1 BENCH_CONSOLE_PAGES=search_name,people_p1 python -m benchmarks --in-process console``.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import statistics
import time

PEOPLE = int(os.environ.get("BENCH_CONSOLE_PEOPLE", "1000000"))
STREETS = 12
JOINTS = 4  # per street
BASES = int(os.environ.get("BENCH_CONSOLE_BASES", "3000"))
ENTERPRISES = int(os.environ.get("BENCH_CONSOLE_ENTERPRISES", "20000"))
ROUNDS = int(os.environ.get("BENCH_CONSOLE_ROUNDS", "15"))
CHUNK = 50_000
SCATTERED = float(os.environ.get("BENCH_CONSOLE_SCATTERED", "0.15"))  # people not written with their union's import
# The floor: a console page that reads the signed-in user's own rows by key (session, user, grants, devices) and
# renders the console's base template, so middleware, session, scope and template costs are in it too.
FLOOR = "/console/account/"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰金海波宁辉鹏飞晓燕云峰斌俊浩"
_UNION_OF: list[int] = []  # person index -> base union index (set before the forked sealers start)


def _identity(i: int) -> tuple[str, str, str]:
    """The i-th person's ID number, gender and mobile: unique for i < 6.9M (birth day x sequence x gender)."""
    from lianxin.core.idnumbers import make_id_number

    gender = "F" if i % 2 else "M"
    birth = dt.date(1966, 1, 1) + dt.timedelta(days=(i // 2) % 13_800)
    seq = (i // 2) // 13_800
    region = ("330114", "330104", "330102", "330106")[(i // 7) % 4]
    return make_id_number(region, birth, seq, gender), gender, f"1{3 + i % 7}{i:09d}"


def _seal_chunk(bounds: tuple[int, int]) -> list[tuple]:
    """Person rows (rosters.services.PERSON_INSERT_COLUMNS minus org/employer, which the parent fills in)
    for people start..stop, sealed exactly as the app seals them."""
    from lianxin.core.idnumbers import parse_id_number
    from lianxin.members.services import seal_identity

    start, stop = bounds
    rng = random.Random(start)
    out = []
    for i in range(start, stop):
        number, _gender, mobile = _identity(i)
        info = parse_id_number(number)
        s = seal_identity(info, mobile)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        out.append((name, s.id_cipher, s.id_key, s.id_bidx, info.number[:4] + "*" * 10 + info.number[-4:],
                    info.birth_date, info.gender, info.region_code, s.mobile_cipher, s.mobile_bidx,
                    s.mobile_masked, rng.random() < 0.3, rng.random() < 0.6, rng.random() < 0.01))
    return out


def build_orgs():
    from lianxin.core.testing import ROOT
    from lianxin.orgs import services as org_services
    from lianxin.orgs.models import Organization, OrgKind

    c = org_services.create_organization
    fed = c(actor=ROOT, parent=None, kind=OrgKind.FEDERATION, name="压测区总工会")
    streets, joints = [], []
    for s in range(STREETS):
        st = c(actor=ROOT, parent=fed, kind=OrgKind.STREET, name=f"第{s + 1}街道总工会")
        streets.append(st)
        for j in range(JOINTS):
            joints.append(c(actor=ROOT, parent=st, kind=OrgKind.JOINT, name=f"第{s + 1}街道第{j + 1}联合工会"))
    # The base unions in bulk, numbered exactly as create_organization numbers children (its path steps).
    parents = streets + joints
    counters = {p.pk: p.children.count() for p in parents}
    rows = []
    for b in range(BASES):
        parent = parents[b % len(parents)]
        counters[parent.pk] += 1
        rows.append(Organization(parent=parent, path=parent.path + org_services._encode(counters[parent.pk]),
                                 depth=parent.depth + 1, kind=OrgKind.BASE, name=f"压测企业{b + 1:04d}工会",
                                 chair_name="王主席", contact_phone="0571-88888888"))
    Organization.objects.bulk_create(rows, batch_size=1000)
    bases = list(Organization.objects.filter(kind=OrgKind.BASE).order_by("id"))
    return fed, streets, joints, bases


def build_enterprises(streets, bases):
    from lianxin.core.testing import credit_code
    from lianxin.orgs.models import Enterprise

    rng = random.Random(5)
    by_street = {}
    for b in bases:
        by_street.setdefault(b.street_path, []).append(b)
    rows = []
    for n in range(ENTERPRISES):
        st = streets[n % len(streets)]
        covered = rng.random() < 0.6
        rows.append(Enterprise(name=f"压测企业{n + 1:05d}有限公司", credit_code=credit_code(900_000 + n),
                               industry=rng.choice("CEFGHIL"), size=rng.choice(["small", "micro", "medium"]),
                               ownership="private", street=st, headcount=rng.randrange(5, 800),
                               covering_union=rng.choice(by_street[st.path]) if covered else None,
                               needs_union_founding=not covered and rng.random() < 0.3))
    Enterprise.objects.bulk_create(rows, batch_size=2000)


def build_people(bases) -> None:
    """PEOPLE people over the base unions (long tail), sealed in two forked processes while this one COPYs."""
    from django.db import transaction
    from django.utils import timezone

    from lianxin.members.models import Membership, MembershipStatus, Person
    from lianxin.members.services import reserve_member_numbers
    from lianxin.rosters.services import MEMBERSHIP_COLUMNS, PERSON_INSERT_COLUMNS, insert_rows

    rng = random.Random(11)
    weights = [1.0 / (k + 8) for k in range(len(bases))]
    union_of = rng.choices(range(len(bases)), weights=weights, k=PEOPLE)
    # Most of a district arrives by roster import, one union's file at a time, so its people lie together in
    # the table; the rest were registered one by one or moved since, and lie anywhere (SCATTERED of them).
    cut = int(PEOPLE * (1 - SCATTERED))
    order = list(range(len(bases)))
    rng.shuffle(order)
    rank = {u: r for r, u in enumerate(order)}
    _UNION_OF[:] = sorted(union_of[:cut], key=rank.__getitem__) + union_of[cut:]
    now, today = timezone.now(), timezone.localdate()
    # PERSON_INSERT_COLUMNS: the 11 sealed columns, org, employer, 6 profile texts/flags, 3 flags, timestamps
    assert PERSON_INSERT_COLUMNS[11:13] == ("org_id", "employer_id") and len(PERSON_INSERT_COLUMNS) == 23
    politics = ("masses", "masses", "masses", "league", "cpc")
    bounds = [(s, min(s + CHUNK, PEOPLE)) for s in range(0, PEOPLE, CHUNK)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        for start_stop, rows in zip(bounds, pool.imap(_seal_chunk, bounds), strict=True):
            start = start_stop[0]
            with transaction.atomic():
                ids = insert_rows(Person, PERSON_INSERT_COLUMNS, [
                    (*r[:11], bases[_UNION_OF[start + k]].pk, None, "", "", "", "汉族", politics[(start + k) % 5],
                     *r[11:], now, now) for k, r in enumerate(rows)])
                live = [(pid, bases[_UNION_OF[start + k]].pk) for k, pid in enumerate(ids)
                        if (start + k) % 10 != 9]
                numbers = reserve_member_numbers(len(live))
                joined = [today - dt.timedelta(days=(pid * 37) % 7000) for pid, _u in live]
                insert_rows(Membership, MEMBERSHIP_COLUMNS, [
                    (pid, union, MembershipStatus.MEMBER, no, on, None, None, "", now, now)
                    for (pid, union), no, on in zip(live, numbers, joined, strict=True)])
                # a transferred-out history row for 3 % (a move between unions some years ago)
                moved = [(pid, bases[(_UNION_OF[start + k] + 1) % len(bases)].pk) for k, pid in enumerate(ids)
                         if (start + k) % 33 == 0]
                old = reserve_member_numbers(len(moved))
                insert_rows(Membership, MEMBERSHIP_COLUMNS, [
                    (pid, union, MembershipStatus.TRANSFERRED, no, today - dt.timedelta(days=4000),
                     today - dt.timedelta(days=1000), None, "", now, now)
                    for (pid, union), no in zip(moved, old, strict=True)])


def build_side_tables(fed, streets, bases, users) -> None:
    """A few hundred import jobs (the imports page lists them) across the tree."""
    from lianxin.rosters.models import ImportJob, JobStatus

    rng = random.Random(17)
    admin = users["fed"]
    jobs = [ImportJob(org=rng.choice(bases), created_by=admin, original_name=f"花名册{n}.xlsx", stored_name="",
                      kind="xlsx", size=123456, status=JobStatus.DONE, mode="all", total_rows=200, added=200)
            for n in range(600)]
    ImportJob.objects.bulk_create(jobs)


def pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def measure(client, path: str, before=None) -> tuple[list[float], int, int]:
    """Timings (ms) of ROUNDS requests after one warm-up, the query count of one request, and its status.
    ``before``, when given, is called (untimed) before every request: ``cache.clear`` for a cold figure."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    before = before or (lambda: None)
    before()
    # counted with an execute wrapper: CaptureQueriesContext's log is emptied by the request_started signal
    with connection.execute_wrapper(count):
        r = client.get(path)
    status = r.status_code
    times = []
    for _ in range(ROUNDS):
        before()
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == status
    return times, len(queries), status


def run() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings_bench")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        print("console benchmark needs PostgreSQL (run through scripts/with_postgres.py)")
        return
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from django.db.models import Count

    from lianxin.accounts.models import User
    from lianxin.core.testing import make_user
    from lianxin.members.models import Membership, Person
    from lianxin.orgs.models import Organization, OrgKind

    t0 = time.perf_counter()
    reuse = os.environ.get("BENCH_CONSOLE_REUSE") == "1" and Person.objects.exists()
    if not reuse:
        fed, streets, joints, bases = build_orgs()
        build_enterprises(streets, bases)
        build_people(bases)
    else:  # iterating on the pages: ``python -m benchmarks --in-process console`` against a kept database
        orgs = Organization.objects.order_by("id")
        fed = orgs.get(kind=OrgKind.FEDERATION)
        streets, joints = list(orgs.filter(kind=OrgKind.STREET)), list(orgs.filter(kind=OrgKind.JOINT))
        bases = list(orgs.filter(kind=OrgKind.BASE))
    sizes = dict(Person.objects.order_by().values_list("org_id").annotate(n=Count("id")))
    big = max(bases, key=lambda b: sizes.get(b.pk, 0))
    street = streets[0]
    if not reuse:
        users = {"fed": make_user("bench.fed.admin", fed, "admin"),
                 "street": make_user("bench.street.admin", street, "admin"),
                 "base": make_user("bench.base.reviewer", big, "reviewer")}
        build_side_tables(fed, streets, bases, users)
        connection.close()
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")
    users = {k: User.objects.get(username=f"bench.{k}.{r}")
             for k, r in (("fed", "admin"), ("street", "admin"), ("base", "reviewer"))}
    build_s = time.perf_counter() - t0
    people = Person.objects.count()
    print(f"people: {people}")
    print(f"memberships: {Membership.objects.count()}")
    print(f"base_unions: {len(bases)}")
    print(f"enterprises: {ENTERPRISES}")
    print(f"biggest_union_people: {max(sizes.values())}")
    if not reuse:
        print(f"build_seconds: {build_s:.1f}")

    # search terms: an exact ID number and mobile of someone in each user's scope, and a common name
    sample = {}
    for key, org in (("fed", fed), ("street", street), ("base", big)):
        p = Person.objects.filter(org__path__startswith=org.path).order_by("id").first()
        i = p.pk - Person.objects.order_by("id").first().pk
        number, _g, mobile = _identity(i)
        assert Person.objects.filter(pk=p.pk, id_bidx__isnull=False).exists()
        sample[key] = (p, number, mobile)
    scope_org = {"fed": fed, "street": street, "base": big}
    child = {"fed": streets[1], "street": joints[0], "base": big}

    def pages(key: str) -> list[tuple]:
        p, number, mobile = sample[key]
        org = scope_org[key]
        return [
            ("home", "/console/"),
            ("people_p1", "/console/people/"),
            ("people_deep", "/console/people/?page=200"),
            ("people_last", "/console/people/?page=999999"),  # past the end: the last page, as 末页
            ("people_members", "/console/people/?status=member"),
            ("people_nonmembers", "/console/people/?status=none"),
            ("people_org", f"/console/people/?org={child[key].pk}"),
            ("search_name", "/console/people/?q=王芳"),
            ("search_id", f"/console/people/?q={number}"),
            ("search_mobile", f"/console/people/?q={mobile}"),
            ("person_detail", f"/console/people/{p.pk}/"),
            ("orgs", "/console/orgs/"),
            ("orgs_deep", "/console/orgs/?page=20"),
            ("org_detail", f"/console/orgs/{org.pk}/"),
            ("org_detail_child", f"/console/orgs/{child[key].pk}/"),
            ("coverage", "/console/coverage/"),
            ("enterprises", "/console/enterprises/"),
            ("imports", "/console/imports/"),
            ("applications", "/console/applications/"),
            ("api_people", "/api/v1/members/people"),
            ("api_people_deep", "/api/v1/members/people?page=200"),
            ("api_people_search", f"/api/v1/members/people?q={number}"),
            ("api_memberships", "/api/v1/members/memberships"),
            ("api_orgs", "/api/v1/orgs/organizations"),
            ("api_enterprises", "/api/v1/orgs/enterprises"),
            ("dashboard_cold", "/console/dashboard/", cache.clear),  # its last request fills the cache,
            ("dashboard", "/console/dashboard/"),  # so these two are served from it
            ("api_dashboard", "/api/v1/dashboard/overview"),
        ]

    worst_ratio, worst_name, max_queries, worst_p95 = 0.0, "", 0, 0.0
    for key in [k for k in os.environ.get("BENCH_CONSOLE_USERS", "fed,street,base").split(",") if k]:
        client = Client()
        client.force_login(users[key])
        floor, floor_queries, _s = measure(client, FLOOR)
        floor_p50 = pct(floor, 50)
        print(f"{key}_floor_p50_ms: {floor_p50:.1f}")
        print(f"{key}_floor_queries: {floor_queries}")
        only = [n for n in os.environ.get("BENCH_CONSOLE_PAGES", "").split(",") if n]
        for name, path, *before in pages(key):
            if only and name not in only:
                continue
            times, queries, status = measure(client, path, *before)
            p50, p95 = pct(times, 50), pct(times, 95)
            ratio = p95 / floor_p50
            label = f"{key}_{name}"
            print(f"{label}_status: {status}")
            print(f"{label}_p50_ms: {p50:.1f}")
            print(f"{label}_p95_ms: {p95:.1f}")
            print(f"{label}_p95_vs_floor: {ratio:.1f}")
            print(f"{label}_queries: {queries}", flush=True)
            if status != 200 or before:  # a cold figure is informational (module docstring)
                continue
            if ratio > worst_ratio:
                worst_ratio, worst_name = ratio, label
            worst_p95 = max(worst_p95, p95)
            max_queries = max(max_queries, queries)
    print(f"(worst page by ratio = {worst_name})")
    print(f"worst_page_p95_ms: {worst_p95:.1f}")
    print(f"worst_p95_vs_floor: {worst_ratio:.1f}")
    print(f"max_queries_per_page: {max_queries}")
