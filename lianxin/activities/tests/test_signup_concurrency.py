"""DESIGN rule 4 under load: two OS processes, each with many threads and its own connections, hit the same
activity at once on PostgreSQL. Capacity, one-per-member, the waitlist order and the monthly limit must hold."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from lianxin.activities.models import Activity, MonthlyTally, Signup
from lianxin.activities.testing import make_activity, make_member

pytestmark = [pytest.mark.pgonly, pytest.mark.django_db(transaction=True)]
ROOT_DIR = Path(__file__).resolve().parents[3]


def _db_url() -> str:
    s = connection.settings_dict
    host = s.get("HOST") or "localhost"
    if host.startswith("/"):
        return f"postgres://{s['USER']}@/{s['NAME']}?host={host}&port={s.get('PORT') or 5432}"
    return f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


def burst(ops_per_process: list[list], threads: int = 16) -> list[str]:
    """Run each list of operations in its own process, all processes started together."""
    env = dict(os.environ, LIANXIN_DATABASE_URL=_db_url(), DJANGO_SETTINGS_MODULE="lianxin.settings_test")
    procs = [subprocess.Popen([sys.executable, "-m", "lianxin.activities.tests.burst_worker", str(threads)],
                              cwd=ROOT_DIR, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in ops_per_process]
    outs = []
    for p, ops in zip(procs, ops_per_process):
        p.stdin.write(json.dumps(ops))
        p.stdin.close()
    for p in procs:
        out, err = p.stdout.read(), p.stderr.read()
        assert p.wait(timeout=120) == 0, err
        outs.extend(json.loads(out))
    return outs


def test_burst_never_oversells_nor_duplicates(district):
    a = make_activity(district.fed, capacity=7, waitlist_size=5)
    members = [make_member(district.base_a1 if i % 2 else district.base_b1, f"会员{i}") for i in range(40)]
    ops = [["signup", m.user.pk, a.pk] for m in members]
    # The same members also try twice more (double taps from two phones), spread over both processes.
    ops += [["signup", m.user.pk, a.pk] for m in members[:10]] * 2
    results = burst([ops[0::2], ops[1::2]])
    c = Counter(results)
    assert c["confirmed"] == 7
    assert c["waitlisted"] == 5
    assert c["full"] + c["duplicate"] == len(ops) - 12
    a.refresh_from_db()
    assert (a.taken, a.waitlisted) == (7, 5)
    live = Signup.objects.filter(activity=a, status__in=Signup.LIVE)
    assert live.filter(status="confirmed").count() == 7
    assert live.values("person").distinct().count() == live.count() == 12


def test_cancellations_promote_the_waitlist_in_order_under_load(district):
    a = make_activity(district.fed, capacity=5, waitlist_size=20)
    members = [make_member(district.base_a1, f"会员{i}") for i in range(30)]
    from lianxin.activities import services

    signups = [services.sign_up(actor=m.user, activity_id=a.pk) for m in members[:20]]
    confirmed = [s for s in signups if s.status == "confirmed"]
    waiting = [s for s in signups if s.status == "waitlisted"]
    assert len(confirmed) == 5 and len(waiting) == 15
    # At the same moment: every confirmed member and three waitlisted ones cancel, and ten newcomers sign up.
    by_user = {s.person_id: m for s, m in zip(signups, members)}
    cancels = [["cancel", by_user[s.person_id].user.pk, s.pk] for s in confirmed + waiting[:3]]
    newcomers = [["signup", m.user.pk, a.pk] for m in members[20:]]
    ops = cancels + newcomers
    results = burst([ops[0::2], ops[1::2]])
    assert Counter(results)["cancelled"] == 8
    a.refresh_from_db()
    live = Signup.objects.filter(activity=a, status__in=Signup.LIVE)
    assert live.filter(status="confirmed").count() == a.taken == 5
    assert live.filter(status="waitlisted").count() == a.waitlisted
    # The places went to waitlisted members strictly in waitlist order (first come, first promoted): everyone
    # promoted joined the waitlist before anyone still waiting. A waitlisted member may be promoted and then
    # have their own cancellation apply, which passes the place on again; nothing else may.
    promoted = set(Signup.objects.filter(activity=a, promoted_at__isnull=False).values_list("pk", flat=True))
    still_waiting = set(live.filter(status="waitlisted").values_list("pk", flat=True))
    assert promoted and max(promoted) < min(still_waiting)
    assert promoted <= {s.pk for s in waiting}
    assert set(live.filter(status="confirmed").values_list("pk", flat=True)) <= promoted
    assert len(promoted) == 5 + len(promoted & {s.pk for s in waiting[:3]})
    assert not live.filter(person__in=[m.person for m in members[20:]], status="confirmed").exists()


def test_monthly_limit_holds_under_concurrent_signups(district):
    m = make_member(district.base_a1)
    acts = [make_activity(district.fed, title=f"活动{i}", capacity=10, monthly_limit=2) for i in range(6)]
    ops = [["signup", m.user.pk, x.pk] for x in acts]
    results = burst([ops[0::2], ops[1::2]], threads=3)
    assert Counter(results)["confirmed"] == 2
    assert Counter(results)["monthly_limit"] == 4
    assert Signup.objects.filter(person=m.person, status="confirmed").count() == 2
    assert MonthlyTally.objects.get(person=m.person).count == 2
    assert sum(Activity.objects.filter(pk__in=[x.pk for x in acts]).values_list("taken", flat=True)) == 2
