"""Test helpers shared by every app's tests: a small district with staff of every role, and people.

    d = build_district()
    d.fed, d.street_a, d.street_b, d.joint_a, d.base_a1, d.base_b1 ...
    d.users["street_a.admin"]   # roles: admin, reviewer, viewer, auditor at fed / street_a / street_b / base_a1
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from types import SimpleNamespace

from stdnum.cn import uscc

from lianxin.accounts.models import StaffRole, User
from lianxin.core.idnumbers import make_id_number
from lianxin.core.scoping import ROLE_CHOICES
from lianxin.orgs import services as org_services
from lianxin.orgs.models import Enterprise, OrgKind

_seq = itertools.count(1)
PASSWORD = "Lianxin#2026"


class _Root:
    """The platform operator (superuser) used to build fixtures through the real services."""

    pk = None
    is_superuser = True
    is_authenticated = True
    is_active = True
    username = "fixture"


ROOT = _Root()


def credit_code(n: int) -> str:
    body = f"91330114{n:09d}"
    return body + uscc.calc_check_digit(body)


def id_number(n: int | None = None, *, gender: str = "M", birth: dt.date | None = None,
              region: str = "330114") -> str:
    n = next(_seq) if n is None else n
    birth = birth or dt.date(1970 + n % 35, 1 + n % 12, 1 + n % 28)
    return make_id_number(region, birth, n, gender)


def mobile(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return f"139{n % 100_000_000:08d}"


def make_user(username: str, org=None, role: str | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username, is_staff=True)
    if org is not None and role:
        StaffRole.objects.create(user=user, organization=org, role=role)
    return user


def make_enterprise(street, name: str, covering_union=None, n: int | None = None, **kw) -> Enterprise:
    n = next(_seq) if n is None else n
    fields = dict(industry="C", size="small", ownership="private", headcount=50, address="测试路1号")
    fields.update(kw)
    return org_services.create_enterprise(actor=ROOT, street=street, name=name, credit_code=credit_code(n),
                                          covering_union=covering_union, **fields)


def make_person(org, name: str = "张三", *, gender: str = "M", mobile_no: str | None = None, **kw):
    from lianxin.members import services

    return services.create_person(actor=ROOT, org=org, name=name, id_number=id_number(gender=gender),
                                  mobile=mobile_no if mobile_no is not None else mobile(), **kw)


def build_district() -> SimpleNamespace:
    c = org_services.create_organization
    d = SimpleNamespace()
    d.fed = c(actor=ROOT, parent=None, kind=OrgKind.FEDERATION, name="钱塘区总工会")
    d.street_a = c(actor=ROOT, parent=d.fed, kind=OrgKind.STREET, name="白杨街道总工会")
    d.street_b = c(actor=ROOT, parent=d.fed, kind=OrgKind.STREET, name="下沙街道总工会")
    d.joint_a = c(actor=ROOT, parent=d.street_a, kind=OrgKind.JOINT, name="白杨联合工会")
    d.joint_b = c(actor=ROOT, parent=d.street_b, kind=OrgKind.JOINT, name="下沙联合工会")
    d.ent_a1 = make_enterprise(d.street_a, "杭州甲科技有限公司")
    d.ent_b1 = make_enterprise(d.street_b, "杭州乙制造有限公司")
    d.base_a1 = c(actor=ROOT, parent=d.joint_a, kind=OrgKind.BASE, name="杭州甲科技有限公司工会",
                  enterprise=d.ent_a1)
    d.base_b1 = c(actor=ROOT, parent=d.joint_b, kind=OrgKind.BASE, name="杭州乙制造有限公司工会",
                  enterprise=d.ent_b1)
    d.ent_a1.refresh_from_db()
    d.ent_b1.refresh_from_db()
    d.users = {}
    for label, org in (("fed", d.fed), ("street_a", d.street_a), ("street_b", d.street_b), ("base_a1", d.base_a1)):
        for role, _ in ROLE_CHOICES:
            d.users[f"{label}.{role}"] = make_user(f"{label}.{role}", org, role)
    return d


def race(calls, *, ok_label: str | None = None):
    """Run the callables at the same instant, each in its own thread with its own database connection
    (PostgreSQL concurrency tests). Returns each call's result (or ``ok_label`` when given), or the ``code``
    of the ServiceError it raised."""
    import threading

    from django.db import close_old_connections, connection

    from lianxin.core.errors import ServiceError

    barrier, results, lock = threading.Barrier(len(calls)), [], threading.Lock()

    def run(fn):
        try:
            barrier.wait()
            try:
                out = fn()
                if ok_label is not None:
                    out = ok_label
            except ServiceError as e:
                out = e.code
            with lock:
                results.append(out)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    return results


# ---------------------------------------------------------------- 工作台 待办 (each app's tests/test_todos.py)
TODO_CARD = re.compile(r'<div class="card todos">(.*?)</div>', re.S)


def todo_card(client) -> str:
    """The 待办事项 card of the signed-in staff member's 工作台, as HTML."""
    resp = client.get("/console/")
    assert resp.status_code == 200
    return TODO_CARD.search(resp.content.decode()).group(1)


def todo_items(client) -> dict[str, str]:
    """The card's items: label → the count shown."""
    return dict(re.findall(r'<a href="[^"]+">([^<]+)</a> <b>(\d+)</b>', todo_card(client)))


def todo_counts(provider, user) -> dict[str, int]:
    """What one app's provider counts for ``user`` (zero items included): label → count."""
    return {t.label: t.count for t in provider(user)}


def staff_page(client, user, url: str) -> str:
    """``url`` opened as ``user`` (200 asserted), as HTML."""
    client.force_login(user)
    resp = client.get(url)
    assert resp.status_code == 200
    return resp.content.decode()
