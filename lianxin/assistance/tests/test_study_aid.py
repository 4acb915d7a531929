"""金秋助学: a member with an open hardship file applies for their child starting university; the union checks,
the federation approves and the grant is paid from the 金秋助学 fund. One grant per child per year is the
database's unique constraint, whichever parent applies, raced on PostgreSQL."""

import datetime as dt

import pytest

from lianxin.assistance.models import HardshipFile, LedgerEntry, StudyGrant
from lianxin.core.errors import ServiceError
from lianxin.core.testing import id_number, race
from lianxin.workflow import services as workflow
from lianxin.workflow.tests.helpers import attach_all, member_user

from .helpers import fund

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

CHILD = id_number(8801, birth=dt.date(2008, 5, 1))


def study_data(**kw):
    data = {"child_name": "李小明", "child_id": CHILD, "school": "浙江工业大学", "level": "bachelor",
            "admission_year": str(dt.date.today().year), "tuition": "6000", "amount": "5000",
            "situation": "本人患病多年，爱人无固定工作，孩子考上大学学费难以承担。"}
    data.update(kw)
    return data


def on_file(d, username="parent1", union=None):
    user = member_user(d, union or d.base_a1, username=username, name=f"{username}职工")
    HardshipFile.objects.create(person=user.person, union=union or d.base_a1, level="ordinary", cause="illness",
                                family_size=3, income_fen=90000, situation="本人患病，家庭收入低")
    return user


def apply(user, **kw):
    app = workflow.create_application(actor=user, programme="study", data=study_data(**kw))
    attach_all(app, user, ["admission"])
    return workflow.submit_application(actor=user, app=app)


def approve(d, app, amount="5000", who="fed.reviewer"):
    workflow.decide(actor=d.users["base_a1.reviewer"], step_id=app.steps.get(decision__isnull=True).pk,
                    decision="approved")
    return workflow.decide(actor=d.users[who], step_id=app.steps.get(decision__isnull=True).pk,
                           decision="approved", approval={"amount": amount})


def test_approved_grant_is_paid_and_recorded(district):
    d = district
    f = fund(d.fed, "20000", purpose="study")
    user = on_file(d)
    app = apply(user)
    assert app.form["child_id"] != CHILD and "*" in app.form["child_id"]  # sealed, masked in the form copy
    approve(d, app, "4000")
    app.refresh_from_db()
    assert app.state == "approved" and app.result["amount"] == "4,000.00"
    g = StudyGrant.objects.get()
    assert (g.person, g.child_name, g.level, g.amount_fen) == (user.person, "李小明", "bachelor", 400000)
    e = LedgerEntry.objects.get(kind="disburse")
    assert (e.fund, e.amount_fen, e.application, e.person) == (f, -400000, app, user.person)


def test_who_may_apply_and_what_is_refused(district):
    d = district
    fund(d.fed, "20000", purpose="study")
    plain = member_user(d, d.base_a1, username="nofile", name="无档职工")
    with pytest.raises(ServiceError) as e:
        workflow.create_application(actor=plain, programme="study", data=study_data())
    assert e.value.code == "not_eligible" and "困难职工帮扶" in e.value.message
    user = on_file(d)
    with pytest.raises(ServiceError) as e:
        workflow.create_application(actor=user, programme="study",
                                    data=study_data(admission_year=str(dt.date.today().year - 3)))
    assert e.value.field == "admission_year"
    with pytest.raises(ServiceError) as e:
        workflow.create_application(actor=user, programme="study", data=study_data(child_id="330106199001011234"))
    assert e.value.field == "child_id"
    apply(user)
    with pytest.raises(ServiceError) as e:  # one open application per child
        apply(on_file(d, "parent2"))
    assert e.value.code == "duplicate"


def test_no_fund_refuses_and_nothing_is_written(district):
    d = district
    app = apply(on_file(d))
    with pytest.raises(ServiceError) as e:
        approve(d, app)
    assert e.value.code == "no_fund" and "金秋助学资金" in e.value.message
    assert not StudyGrant.objects.exists() and not LedgerEntry.objects.filter(kind="disburse").exists()
    assert app.steps.filter(decision__isnull=True).count() == 1


def test_one_grant_per_child_a_year_whoever_applies(district):
    """Two parents in two unions apply for the same child one after the other: the second approval is refused."""
    d = district
    fund(d.fed, "20000", purpose="study")
    first = apply(on_file(d, "father"))
    approve(d, first)
    mother = on_file(d, "mother")
    second = apply(mother)  # the first is finished, so a new application may open
    with pytest.raises(ServiceError) as e:
        approve(d, second)
    assert e.value.code == "duplicate" and "每年只资助一次" in e.value.message
    assert StudyGrant.objects.count() == 1 and LedgerEntry.objects.filter(kind="disburse").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.pgonly
def test_two_approvals_for_one_child_at_once(district):
    from lianxin.assistance.models import StudyGrant as SG
    from lianxin.core.testing import make_user
    from lianxin.workflow.models import Application

    d = district
    fund(d.fed, "20000", purpose="study")
    apps = []
    for who in ("father", "mother"):
        app = apply(on_file(d, who))
        workflow.decide(actor=d.users["base_a1.reviewer"], step_id=app.steps.get(decision__isnull=True).pk,
                        decision="approved")
        apps.append(app)
        # the engine keeps one open application per child; set it aside so that both stand open at once, as two
        # parents' applications would if they had been filed in two unions before either was decided
        Application.objects.filter(pk=app.pk).update(subject_key=f"race-{who}")
    second = make_user("fed.reviewer2", d.fed, "reviewer")
    steps = [a.steps.get(decision__isnull=True).pk for a in apps]
    results = race([lambda s=s, r=r: workflow.decide(actor=r, step_id=s, decision="approved",
                                                     approval={"amount": "3000"})
                    for s, r in zip(steps, (d.users["fed.reviewer"], second), strict=True)], ok_label="paid")
    assert sorted(results) == ["duplicate", "paid"]
    assert SG.objects.count() == 1 and LedgerEntry.objects.filter(kind="disburse").count() == 1
