"""Builders for the 医疗互助 tests: the federation's plan for this year, its funded fund, enrolled members and
claims at the federation's level."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lianxin.assistance import services as assistance
from lianxin.assistance.models import Purpose
from lianxin.core.testing import ROOT
from lianxin.mutualaid import services
from lianxin.workflow import services as workflow
from lianxin.workflow.tests.helpers import attach_all, member_user


def plan(d, *, org=None, deductible="1000", ratio=60, cap="20000", opens=None, closes=None, year=None):
    year = year or timezone.localdate().year
    return services.create_plan(actor=ROOT, org=org or d.fed, year=year, contribution="30", deductible=deductible,
                                ratio=ratio, cap=cap, enrol_opens=opens or dt.date(year, 1, 1),
                                enrol_closes=closes or dt.date(year, 12, 31))


def fund(d, amount="100000"):
    f = assistance.create_fund(actor=ROOT, org=d.fed, year=timezone.localdate().year, purpose=Purpose.MEDICAL)
    if amount:
        assistance.allocate(actor=ROOT, fund=f, amount=amount, memo="年度医疗互助金")
    return f


def stay(days_ago=10, length=5, **kw):
    """A hospital stay this year that ended before today (or today, early in January)."""
    today = timezone.localdate()
    admitted = max(dt.date(today.year, 1, 1), today - dt.timedelta(days=days_ago))
    discharged = min(today, admitted + dt.timedelta(days=length))
    data = {"hospital": "杭州市第一人民医院", "admitted_on": admitted.isoformat(),
            "discharged_on": discharged.isoformat(), "self_pay": "8000"}
    data.update(kw)
    return data


def enrolled_member(d, p, username="patient", union=None):
    user = member_user(d, union or d.base_a1, username=username, name=f"{username}职工")
    services.enrol_member(actor=ROOT, plan=p, person=user.person)
    return user


def claim(user, **kw):
    app = workflow.create_application(actor=user, programme="medical_aid", data=stay(**kw))
    attach_all(app, user, ["invoice", "discharge"])
    return workflow.submit_application(actor=user, app=app)


def to_federation(d, app):
    """Approved by the union: the federation's step is open."""
    workflow.decide(actor=d.users["base_a1.reviewer"], step_id=app.steps.get(decision__isnull=True).pk,
                    decision="approved")
    return app.steps.get(decision__isnull=True)
