"""建家评选 rules through the services: the checklist's per-item Chinese messages, one application per union, who
may apply, the one path of states (a decided application cannot be decided again), the places and a street's
share, the register and its 复核, the audit trail, the export."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT
from lianxin.governance import services
from lianxin.governance.models import CRITERIA, HomeApplication, HomeRound, HomeScore, NamedHome
from lianxin.governance.testing import SUMMARY, apply, full_scores, make_round, passed
from lianxin.orgs import services as orgs
from lianxin.orgs.models import OrgKind

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_every_bad_score_is_named_by_its_item(district):
    r = make_round(district.fed)
    scores = full_scores()
    scores["organisation"] = ("21", "")
    scores["democracy"] = ("-1", "")
    scores["rights"] = ("", "")
    scores["venue"] = ("十", "")
    scores["review"] = ("3", "x" * 301)
    with pytest.raises(ServiceError) as e:
        services.submit_application(
            actor=ROOT, round=r, union=district.base_a1, summary=SUMMARY, scores=scores
        )
    assert e.value.errors == {
        "score_organisation": "组织健全：自评分不能超过满分 20 分",
        "score_democracy": "民主管理：自评分应为 0–20 的整数",
        "score_rights": "维权机制：请填写自评分（0–20 分）",
        "score_venue": "职工活动阵地：自评分应为 0–15 的整数",
        "note_review": "会员评议：说明最多 300 个字",
    }
    assert not HomeApplication.objects.exists()


def test_a_valid_application_keeps_each_item_and_the_total(district):
    r = make_round(district.fed)
    app = apply(r, district.base_a1, minus=2)
    assert app.status == "submitted" and app.street == district.street_a
    assert app.self_total == sum(top - 2 for _, _, top, _ in CRITERIA)
    assert HomeScore.objects.filter(application=app).count() == len(CRITERIA)
    assert AuditEntry.objects.filter(action="governance.application_submit", object_id=str(app.pk)).exists()


def test_one_application_per_union_per_round(district):
    r = make_round(district.fed)
    apply(r, district.base_a1)
    with pytest.raises(ServiceError) as e:
        apply(r, district.base_a1)
    assert e.value.code == "duplicate" and "只能申报一次" in e.value.message
    # another round is another matter
    apply(make_round(district.fed, level="district_small"), district.base_a1)


def test_who_may_apply(district):
    d = district
    r = make_round(d.street_a, level="street_home")
    with pytest.raises(ServiceError, match="范围内的基层工会"):
        apply(r, d.base_b1)  # outside the organiser's street
    with pytest.raises(PermissionDenied):
        apply(r, d.base_a1, actor=d.users["street_b.admin"])
    with pytest.raises(PermissionDenied):
        apply(r, d.base_a1, actor=d.users["base_a1.reviewer"])  # a reviewer does not change records
    youth = orgs.create_organization(actor=ROOT, parent=d.street_a, kind=OrgKind.YOUTH, name="团工委")
    with pytest.raises(ServiceError, match="基层工会、联合工会"):
        apply(r, youth)
    assert apply(r, d.base_a1, actor=d.users["base_a1.admin"]).status == "submitted"
    HomeRound.objects.filter(pk=r.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ServiceError) as e:
        apply(r, d.joint_a)
    assert e.value.code == "deadline"


def test_a_street_may_only_name_street_homes(district):
    with pytest.raises(ServiceError, match="街道级"):
        make_round(district.street_a, level="district_home")


def test_the_path_of_states(district):
    d = district
    r = make_round(d.fed)
    app = apply(r, d.base_a1)
    with pytest.raises(ServiceError) as e:  # the organiser cannot name before the street passed it
        services.decide_application(actor=ROOT, application=app, name=True)
    assert e.value.code == "bad_status" and "待街道审核" in e.value.message
    with pytest.raises(ServiceError, match="审核意见"):
        services.review_application(actor=ROOT, application=app, decision="return", comment="")
    services.review_application(
        actor=d.users["street_a.reviewer"], application=app, decision="return", comment="请补充佐证"
    )
    with pytest.raises(ServiceError) as e:  # nor review it twice
        services.review_application(actor=ROOT, application=app, decision="pass", score=90)
    assert e.value.code == "bad_status" and "退回修改" in e.value.message
    services.resubmit_application(
        actor=d.users["base_a1.admin"], application=app, summary=SUMMARY, scores=full_scores(0)
    )
    app.refresh_from_db()
    assert app.status == "submitted" and app.resubmissions == 1 and app.self_total == 100
    with pytest.raises(ServiceError, match="街道评分"):
        services.review_application(actor=ROOT, application=app, decision="pass", score="101")
    services.review_application(
        actor=d.users["street_a.reviewer"], application=app, decision="pass", score=95
    )
    services.decide_application(actor=d.users["fed.reviewer"], application=app, name=True)
    with pytest.raises(ServiceError) as e:
        services.decide_application(actor=ROOT, application=app, name=False, note="再议")
    assert e.value.code == "bad_status" and "已命名" in e.value.message
    actions = list(
        AuditEntry.objects.filter(object_id=str(app.pk), action__startswith="governance.application")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "governance.application_submit",
        "governance.application_return",
        "governance.application_resubmit",
        "governance.application_pass",
        "governance.application_name",
    ]


def test_the_street_reviews_and_the_organiser_decides(district):
    d = district
    r = make_round(d.fed)
    app = apply(r, d.base_a1)
    with pytest.raises(PermissionDenied):
        services.review_application(
            actor=d.users["street_b.reviewer"], application=app, decision="pass", score=9
        )
    with pytest.raises(PermissionDenied):
        services.review_application(
            actor=d.users["street_a.viewer"], application=app, decision="pass", score=9
        )
    services.review_application(
        actor=d.users["street_a.reviewer"], application=app, decision="pass", score=90
    )
    with pytest.raises(PermissionDenied):  # the street passes it on; the federation names
        services.decide_application(actor=d.users["street_a.admin"], application=app, name=True)
    with pytest.raises(ServiceError, match="原因"):
        services.decide_application(actor=d.users["fed.reviewer"], application=app, name=False)


def test_naming_uses_the_places_and_enters_the_register(district):
    d = district
    r = make_round(d.fed, places=1, valid_years=3)
    a1, a2 = passed(r, d.base_a1), passed(r, d.base_b1)
    services.decide_application(actor=ROOT, application=a1, name=True)
    with pytest.raises(ServiceError) as e:
        services.decide_application(actor=ROOT, application=a2, name=True)
    assert e.value.code == "full"
    a2.refresh_from_db()
    assert a2.status == "passed"  # the refusal rolled the state change back
    r.refresh_from_db()
    assert r.named == 1
    home = NamedHome.objects.get()
    assert home.union == d.base_a1 and home.year == r.year
    assert home.valid_until == home.named_on.replace(year=home.named_on.year + 3)
    # a union holding the title does not apply again while it is valid
    with pytest.raises(ServiceError) as e:
        apply(make_round(d.fed, title="下一年度区级模范职工之家评选"), d.base_a1)
    assert e.value.code == "held"


def test_a_streets_share(district):
    d = district
    r = make_round(d.fed, places=3)
    services.set_quota(actor=ROOT, round=r, street=d.street_b, places=2)
    with pytest.raises(ServiceError, match="合计不能超过总名额 3 个"):
        services.set_quota(actor=ROOT, round=r, street=d.street_a, places=2)
    services.set_quota(actor=ROOT, round=r, street=d.street_b, places=0)
    with pytest.raises(ServiceError, match="街道"):
        services.set_quota(actor=ROOT, round=r, street=d.joint_a, places=1)
    with pytest.raises(PermissionDenied):
        services.set_quota(actor=d.users["street_a.admin"], round=r, street=d.street_a, places=1)
    services.set_quota(actor=ROOT, round=r, street=d.street_a, places=1)
    extra = orgs.create_organization(actor=ROOT, parent=d.joint_a, kind=OrgKind.BASE, name="另一家公司工会")
    a1, a2, b1 = passed(r, d.base_a1), passed(r, extra), passed(r, d.base_b1)
    services.decide_application(actor=ROOT, application=a1, name=True)
    with pytest.raises(ServiceError, match="白杨街道总工会的 1 个命名名额已用完"):
        services.decide_application(actor=ROOT, application=a2, name=True)
    services.decide_application(
        actor=ROOT, application=b1, name=True
    )  # street_b has no share: the round's places
    with pytest.raises(ServiceError, match="不能少于已命名数"):
        services.set_quota(actor=ROOT, round=r, street=d.street_a, places=0)


def test_recheck_extends_or_revokes(district):
    d = district
    r = make_round(d.fed, places=2)
    services.decide_application(actor=ROOT, application=passed(r, d.base_a1), name=True)
    services.decide_application(actor=ROOT, application=passed(r, d.base_b1), name=True)
    ha, hb = NamedHome.objects.get(union=d.base_a1), NamedHome.objects.get(union=d.base_b1)
    with pytest.raises(PermissionDenied):
        services.recheck_home(actor=d.users["street_b.reviewer"], home=ha, passed=True)
    before = ha.valid_until
    ha = services.recheck_home(actor=d.users["street_a.reviewer"], home=ha, passed=True, note="阵地规范")
    assert ha.valid_until == before.replace(year=before.year + 3)
    with pytest.raises(ServiceError, match="原因"):
        services.recheck_home(actor=ROOT, home=hb, passed=False)
    hb = services.recheck_home(actor=ROOT, home=hb, passed=False, note="职工之家已停用")
    assert hb.status == "revoked"
    with pytest.raises(ServiceError, match="已撤销"):
        services.recheck_home(actor=ROOT, home=hb, passed=True)
    assert AuditEntry.objects.filter(action="governance.home_revoke").count() == 1


def test_export_is_formula_safe_and_audited(district):
    from python_calamine import CalamineWorkbook

    from lianxin.governance import selectors

    d = district
    r = make_round(d.fed)
    app = apply(r, d.base_a1)
    services.review_application(actor=ROOT, application=app, decision="reject", comment='=HYPERLINK("x")')
    w = services.export_round(actor=ROOT, round=r, rows=selectors.export_rows(actor=ROOT, round=r))
    with w.open() as f:
        rows = CalamineWorkbook.from_filelike(f).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["序号", "审核街道", "申报工会"]
    assert rows[1][2] == d.base_a1.name and rows[1][-5] == '\'=HYPERLINK("x")'
    assert AuditEntry.objects.filter(action="governance.round_export", object_id=str(r.pk)).exists()
