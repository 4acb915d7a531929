"""工作台 待办 (组织建设): 建家申报 waiting at the reviewing street and at the organiser, 工作记录 waiting at the
worker's post, 年度考核 grades at the post and the graded round at its organiser — counted for who may act at
that level only, gone once done, and listed by the linked page."""

import pytest

from lianxin.core.testing import ROOT
from lianxin.core.testing import staff_page as page
from lianxin.core.testing import todo_counts as counts
from lianxin.core.testing import todo_items as card_items
from lianxin.governance import services
from lianxin.governance import services_workers as workers
from lianxin.governance import todos as gov_todos
from lianxin.governance.models import Assessment
from lianxin.governance.testing import apply, log_month, make_round, open_round, recruit

pytestmark = pytest.mark.django_db








def test_an_application_waits_for_its_street_then_for_the_organiser(district, client):
    d, u = district, district.users
    r = make_round(d.fed)
    app = apply(r, d.base_a1)
    review, decide = "待审核的建家申报", "待审定的建家申报"
    assert counts(gov_todos.home_applications, u["street_a.reviewer"])[review] == 1
    assert counts(gov_todos.home_applications, u["street_a.admin"])[review] == 1
    # a viewer, the other street, the federation (waiting at a lower level) and the applicant have nothing
    for name in ("street_a.viewer", "street_a.auditor", "street_b.reviewer", "fed.reviewer", "base_a1.admin"):
        assert counts(gov_todos.home_applications, u[name]) == {review: 0, decide: 0}, name
    [t] = [t for t in gov_todos.home_applications(u["street_a.reviewer"]) if t.label == review]
    assert t.url == "/console/governance/applications/?status=submitted"
    html = page(client, u["street_a.reviewer"], t.url)
    assert f"/console/governance/applications/{app.pk}/" in html and d.base_a1.name in html
    assert d.base_a1.name not in page(client, u["street_b.reviewer"], t.url)
    client.force_login(u["street_a.reviewer"])
    assert card_items(client)[review] == "1"

    services.review_application(
        actor=u["street_a.reviewer"], application=app, decision="pass", score=90, comment="材料齐全"
    )
    assert counts(gov_todos.home_applications, u["street_a.reviewer"]) == {review: 0, decide: 0}
    assert counts(gov_todos.home_applications, u["fed.reviewer"])[decide] == 1
    for name in ("fed.viewer", "street_a.admin", "street_b.admin"):
        assert counts(gov_todos.home_applications, u[name])[decide] == 0, name
    html = page(client, u["fed.reviewer"], "/console/governance/applications/?status=passed")
    assert f"/console/governance/applications/{app.pk}/" in html
    client.force_login(u["fed.reviewer"])
    assert card_items(client)[decide] == "1"

    services.decide_application(actor=u["fed.reviewer"], application=app, name=True)
    assert counts(gov_todos.home_applications, u["fed.reviewer"])[decide] == 0
    assert "没有等待办理的申报" in page(
        client, u["fed.reviewer"], "/console/governance/applications/?status=passed"
    )


def test_a_street_round_is_decided_by_the_street_itself(district):
    d, u = district, district.users
    r = make_round(d.street_a, level="street_home", title="白杨街道模范职工之家评选")
    app = apply(r, d.base_a1)
    services.review_application(actor=ROOT, application=app, decision="pass", score=88, comment="好")
    assert counts(gov_todos.home_applications, u["street_a.reviewer"])["待审定的建家申报"] == 1
    assert counts(gov_todos.home_applications, u["fed.reviewer"])["待审定的建家申报"] == 0


def test_a_work_log_waits_for_the_workers_post(district, client):
    d, u = district, district.users
    at_street = log_month(recruit(d.street_a, name="白杨社工"), months_ago=1)
    at_base = log_month(recruit(d.base_a1, name="甲科社工"), months_ago=1)
    label = "待确认的工作记录"
    assert counts(gov_todos.work_logs, u["street_a.reviewer"])[label] == 1
    assert counts(gov_todos.work_logs, u["base_a1.admin"])[label] == 1
    for name in ("street_a.viewer", "base_a1.viewer", "street_b.reviewer", "fed.reviewer"):
        assert counts(gov_todos.work_logs, u[name])[label] == 0, name
    [t] = gov_todos.work_logs(u["street_a.reviewer"])
    html = page(client, u["street_a.reviewer"], t.url)
    assert f"/console/governance/workers/logs/{at_street.pk}/" in html
    assert (
        f"/console/governance/workers/logs/{at_base.pk}/" not in html
    )  # the base union's desk, not the street's
    assert f"/console/governance/workers/logs/{at_base.pk}/" in page(client, u["base_a1.admin"], t.url)
    client.force_login(u["street_a.reviewer"])
    assert card_items(client)[label] == "1"
    workers.confirm_work_log(actor=u["street_a.reviewer"], log=at_street)
    assert counts(gov_todos.work_logs, u["street_a.reviewer"])[label] == 0
    assert f"/console/governance/workers/logs/{at_street.pk}/" not in page(
        client, u["street_a.reviewer"], t.url
    )


def test_each_item_is_one_count_query(district, django_assert_max_num_queries):
    u = district.users["street_a.reviewer"]
    u.refresh_from_db()  # no cached scope
    with django_assert_max_num_queries(4):  # the grants once, then one count per item
        list(gov_todos.home_applications(u)) + list(gov_todos.work_logs(u))


def test_assessments_wait_for_the_post_then_the_round_for_its_organiser(district, client):
    d, u = district, district.users
    recruit(d.street_a, name="白杨社工")
    recruit(d.street_b, name="下沙社工")
    r = open_round(d.fed)
    GRADE, CONFIRM = "待评定的年度考核", "待确认的年度考核结果"
    assert counts(gov_todos.assessments, u["street_a.admin"]) == {GRADE: 1, CONFIRM: 0}
    assert counts(gov_todos.assessments, u["street_b.admin"]) == {GRADE: 1, CONFIRM: 0}
    for name in ("street_a.reviewer", "street_a.viewer", "base_a1.admin", "fed.admin"):
        assert counts(gov_todos.assessments, u[name])[GRADE] == 0, name  # not their desk (or not their role)
    url = next(t.url for t in gov_todos.assessments(u["street_a.admin"]) if t.label == GRADE)
    assert url == f"/console/governance/workers/assessments/{r.pk}/?grade=none&mine=1"
    html = page(client, u["street_a.admin"], url)
    assert "白杨社工" in html and "下沙社工" not in html and "仅显示由本单位评定的考核" in html
    assert card_items(client)[GRADE] == "1"
    a, b = (Assessment.objects.get(round=r, worker__person__name=n) for n in ("白杨社工", "下沙社工"))
    workers.grade_assessment(actor=u["street_a.admin"], item=a, grade="qualified", comment="工作扎实")
    assert counts(gov_todos.assessments, u["street_a.admin"])[GRADE] == 0
    assert counts(gov_todos.assessments, u["fed.admin"])[CONFIRM] == 0  # 下沙 still ungraded
    workers.grade_assessment(actor=u["street_b.admin"], item=b, grade="qualified", comment="工作扎实")
    assert counts(gov_todos.assessments, u["fed.admin"]) == {GRADE: 0, CONFIRM: 1}
    assert counts(gov_todos.assessments, u["street_a.admin"])[CONFIRM] == 0
    url = next(t.url for t in gov_todos.assessments(u["fed.admin"]) if t.label == CONFIRM)
    assert 'id="confirm-round"' in page(client, u["fed.admin"], url)
    workers.confirm_assessment(actor=u["fed.admin"], round=r)
    assert counts(gov_todos.assessments, u["fed.admin"]) == {GRADE: 0, CONFIRM: 0}
