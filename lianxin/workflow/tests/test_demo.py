"""The demo seed files applications through the real services and leaves the report with real figures."""

import pytest
from django.core.management import call_command

from lianxin.accounts.models import User
from lianxin.workflow import selectors, services
from lianxin.workflow.models import Application, Certificate, State, Step

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_seed_demo_fills_the_report(capsys):
    call_command("seed_demo", people=300, enterprises=40)
    states = set(Application.objects.values_list("state", flat=True))
    assert {State.APPROVED, State.REJECTED, State.RETURNED, State.SUBMITTED} <= states
    from lianxin.workflow.programmes import PROGRAMMES

    # every programme shows in the demo (a new one comes with its demo applications)
    assert set(Application.objects.values_list("programme", flat=True)) == set(PROGRAMMES)
    assert Application.objects.count() >= 40
    rows, totals = selectors.trips_report(actor=User.objects.get(username="qt_viewer"))
    assert {t["programme"] for t in totals} >= {"join", "transfer", "legal", "profile_correction", "hardship"}
    assert all(0 <= t["zero_pct"] <= t["one_pct"] <= 100 and t["median_days"] > 0 for t in totals)
    assert any(t["zero_pct"] < 100 for t in totals)  # some applicants did have to come in
    assert Certificate.objects.filter(status="valid").count() >= 5
    # the seed ran the daily sweep: overdue steps escalated, the certificate near expiry reminded
    assert Step.objects.filter(decision__isnull=True, escalated_to__isnull=False).exists()
    assert Certificate.objects.filter(expiry_reminded_at__isnull=False).count() == 1
    assert services.run_daily()["cert_reminders"] == 0
    assert selectors.queue(actor=User.objects.get(username="qt_reviewer"), scope="mine").exists()
    # the portal's demo member has a correction waiting, filed through the workflow like every other request
    pending = Application.objects.filter(programme="profile_correction", state=State.SUBMITTED,
                                         form__job="班组长", form__reason="已晋升，请更新岗位")
    assert pending.count() == 1 and pending.get().steps.filter(decision__isnull=True).count() == 1
    assert Application.objects.filter(programme="profile_correction", state=State.APPROVED).exists()
