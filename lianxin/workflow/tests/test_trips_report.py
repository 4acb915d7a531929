"""最多跑一次 report: shares with zero and at most one trip and the median days, per programme and union."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.workflow import selectors, services
from lianxin.workflow.models import Application

from .helpers import join_data, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_figures(district, client):
    d = district
    base = timezone.now() - dt.timedelta(days=30)
    for i, (trips, days) in enumerate([(0, 1), (1, 2), (2, 4)]):
        app = services.create_application(actor=worker(f"r{i}"), programme="join",
                                          data=join_data(d, n=1100 + i), submit=True)
        step = app.steps.get()
        services.decide(actor=d.users["base_a1.reviewer"], step_id=step.pk,
                        decision="approved" if i < 2 else "rejected", comment="材料不符" if i == 2 else "")
        Application.objects.filter(pk=app.pk).update(trips=trips, submitted_at=base,
                                                     decided_at=base + dt.timedelta(days=days))
    # still open: not counted
    services.create_application(actor=worker("open"), programme="join", data=join_data(d, n=1199), submit=True)
    rows, totals = selectors.trips_report(actor=d.users["street_a.viewer"])
    assert rows == [{"programme": "join", "programme_name": "申请入会", "org": d.base_a1.name, "finished": 3,
                     "zero": 1, "at_most_one": 2, "zero_pct": 33.3, "one_pct": 66.7, "median_days": 2.0}]
    assert totals[0]["finished"] == 3 and totals[0]["org"] == "合计"
    assert selectors.trips_report(actor=d.users["street_b.viewer"]) == ([], [])
    client.force_login(d.users["fed.viewer"])
    page = client.get("/console/applications/report/").content.decode()
    assert "33.3%" in page and "66.7%" in page and "2.0 天" in page


def test_rolled_up_by_street(district):
    d = district
    for i, ent in enumerate([d.ent_a1, d.ent_a1]):
        app = services.create_application(actor=worker(f"s{i}"), programme="join",
                                          data=join_data(d, employer=ent, n=1200 + i), submit=True)
        services.decide(actor=d.users["street_a.reviewer"], step_id=app.steps.get().pk, decision="approved")
    rows, _ = selectors.trips_report(actor=d.users["fed.viewer"], by="street")
    assert [(r["org"], r["finished"]) for r in rows] == [(d.street_a.name, 2)]
