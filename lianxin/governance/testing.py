"""Factories for the governance tests, the form-gate cases and the demo: rounds, applications and terms driven
through the real services to the state a test needs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.core.testing import ROOT

from . import services
from .models import CRITERIA, HomeRound

SUMMARY = "我们坚持以职工为中心，建成职工书屋、健身室和母婴室，每季度召开职代会，职工满意率逐年提高。"


def full_scores(minus: int = 0) -> dict:
    """A self-assessment of every item: the item's full points less ``minus`` (not below 0)."""
    return {k: (str(max(top - minus, 0)), f"{label}达标") for k, label, top, _ in CRITERIA}


def make_round(org, *, actor=ROOT, places: int = 3, level: str = "district_home", **kw) -> HomeRound:
    fields = dict(
        year=timezone.localdate().year,
        title=f"{timezone.localdate().year}年度区级模范职工之家评选",
        deadline=timezone.localdate() + dt.timedelta(days=30),
        valid_years=3,
        notes="",
    )
    fields.update(kw)
    return services.create_round(actor=actor, org=org, level=level, places=places, **fields)


def apply(r, union, *, actor=ROOT, minus: int = 1):
    return services.submit_application(
        actor=actor, round=r, union=union, summary=SUMMARY, scores=full_scores(minus)
    )


def passed(r, union, *, actor=ROOT, score: int = 90):
    app = apply(r, union, actor=actor)
    return services.review_application(
        actor=actor, application=app, decision="pass", score=score, comment="材料齐全"
    )


def election(
    union,
    *,
    actor=ROOT,
    number: int = 1,
    elected_on: dt.date | None = None,
    years: int = 5,
    expected: int = 50,
    present: int = 45,
    people: list[dict] | None = None,
):
    people = people or [
        {"name": "张主席", "post": "chair", "votes": 44},
        {"name": "李副", "post": "vice", "votes": 40},
        {"name": "王委员", "post": "member", "votes": 38},
    ]
    return services.record_election(
        actor=actor,
        union=union,
        number=number,
        elected_on=elected_on or timezone.localdate() - dt.timedelta(days=30),
        term_years=years,
        expected=expected,
        present=present,
        people=people,
    )


def gate_objects(d) -> dict:
    """For core's form-gate test: per side ("a" street_a, "b" street_b) a round organised by the street and an
    application of its base union returned for correction."""
    out = {"round": {}, "returned": {}}
    for s, street, base in (("a", d.street_a, d.base_a1), ("b", d.street_b, d.base_b1)):
        r = make_round(street, level="street_home", title=f"{street.name}模范职工之家评选")
        app = apply(r, base)
        services.review_application(actor=ROOT, application=app, decision="return", comment="请补充佐证材料")
        out["round"][s], out["returned"][s] = r, app
    # 社会化工会工作者: a worker posted to each street, a draft log of last month, this year's open assessment
    out["worker"], out["log"], out["item"] = {}, {}, {}
    for s, street in (("a", d.street_a), ("b", d.street_b)):
        out["worker"][s] = recruit(street, name=f"{street.name[:2]}社工")
        out["log"][s] = log_month(out["worker"][s], months_ago=1)
    from .models import Assessment

    r = open_round(d.fed)
    for s in "ab":
        out["item"][s] = Assessment.objects.get(round=r, worker=out["worker"][s])
    return out


# ---------------------------------------------------------------------------------------------- 社会化工会工作者


def recruit(
    post, *, actor=ROOT, name: str | None = None, grade: int = 2, contract_days: int = 730, person=None, **kw
):
    """A worker posted to ``post`` through the real service (a new person unless ``person`` is given)."""
    from lianxin.core.testing import id_number, mobile

    from . import services_workers

    today = timezone.localdate()
    fields = dict(
        name=name or (person.name if person else "周社工"),
        id_number=kw.pop("id_number", None) or (_reveal_id(person) if person else id_number()),
        mobile=kw.pop("mobile", None) or mobile(),
        grade=grade,
        contract_start=today - dt.timedelta(days=60),
        contract_end=today + dt.timedelta(days=contract_days),
        posted_on=today - dt.timedelta(days=60),
    )
    fields.update(kw)
    return services_workers.recruit_worker(actor=actor, post=post, **fields)


def _reveal_id(person) -> str:
    from lianxin.core import crypto
    from lianxin.members.services import ID_CTX

    return crypto.decrypt(person.id_cipher, context=ID_CTX)


def log_month(worker, *, actor=ROOT, months_ago: int = 1, **counts):
    from . import services_workers

    today = timezone.localdate()
    y, m = today.year, today.month - months_ago
    while m < 1:
        y, m = y - 1, m + 12
    fields = {"visits": 12, "unions_founded": 1, "members_recruited": 30, "disputes_mediated": 2}
    fields.update(counts)
    return services_workers.enter_work_log(
        actor=actor,
        worker=worker,
        year=y,
        month=m,
        counts=fields,
        summary="走访辖区企业，宣传入会政策，调解欠薪纠纷。",
    )


def open_round(fed, *, actor=ROOT, year: int | None = None):
    from . import services_workers

    return services_workers.open_assessment(actor=actor, org=fed, year=year or timezone.localdate().year)
