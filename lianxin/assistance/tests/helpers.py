"""Builders for the assistance tests: a member who can apply, a funded hardship fund, an application that has
passed its first two levels."""

from __future__ import annotations

from lianxin.assistance import services
from lianxin.core.testing import ROOT
from lianxin.workflow import services as workflow
from lianxin.workflow.tests.helpers import attach_all, member_user


def hardship_data(**kw):
    data = {"cause": "illness", "situation": "本人患病住院三个月，医疗费用自付部分较多，家庭收入锐减。",
            "family_size": "3", "monthly_income": "800", "amount": "5000"}
    data.update(kw)
    return data


def fund(org, amount="20000", year=None, purpose="hardship"):
    from django.utils import timezone

    f = services.create_fund(actor=ROOT, org=org, year=year or timezone.localdate().year, purpose=purpose)
    if amount:
        services.allocate(actor=ROOT, fund=f, amount=amount, memo="年度预算")
    return f


def apply(d, username="member1", union=None, **kw):
    """A member of base_a1 files a hardship application with its proof; returns it submitted."""
    user = member_user(d, union or d.base_a1, username=username, name=f"{username}职工")
    app = workflow.create_application(actor=user, programme="hardship", data=hardship_data(**kw))
    attach_all(app, user, ["proof"])
    return workflow.submit_application(actor=user, app=app), user


def to_last_level(d, app):
    """Approved by the union and the street: the federation's step is open."""
    for who in ("base_a1.reviewer", "street_a.reviewer"):
        workflow.decide(actor=d.users[who], step_id=app.steps.get(decision__isnull=True).pk, decision="approved")
    return app.steps.get(decision__isnull=True)


def campaign(d, *, fund_amount="10000", budget="5000", standard="500", maximum="1000", org=None, days=10):
    """The federation's 送温暖 campaign with its funded 两节送温暖 fund."""
    import datetime as dt

    from django.utils import timezone

    fund(org or d.fed, fund_amount, purpose="warmth")
    return services.create_campaign(actor=ROOT, org=org or d.fed, name="2027 年元旦春节送温暖", standard=standard,
                                    maximum=maximum, budget=budget,
                                    deadline=timezone.localdate() + dt.timedelta(days=days))


def member(union, name="王五"):
    from lianxin.core.testing import make_person
    from lianxin.members import services as members

    p = make_person(union, name)
    members.admit_member(actor=ROOT, person=p, union=union)
    return p
