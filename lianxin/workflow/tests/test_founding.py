"""基层工会组建（建会批复）: an upper union's administrator files the founding of an enterprise's union, the street
reviews, the federation approves; the new base union enters the tree under the filing union with its enterprise
covered (no longer 待建会) and, when formed, its 女职工委员会. Bad forms are refused field by field in Chinese; an
enterprise that already has its own union, or one outside the filer's reach, is refused; on PostgreSQL an approval
racing the console's own creation of that enterprise's union gives one union."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, make_enterprise, race
from lianxin.orgs import services as orgs
from lianxin.orgs.models import Enterprise, Organization
from lianxin.workflow import services
from lianxin.workflow.models import Application, State

from .helpers import attach_all

SLOTS = ["application", "election"]


def founding_data(parent, ent, **kw):
    data = {"parent_id": str(parent.pk), "enterprise_id": str(ent.pk), "union_name": f"{ent.name}工会委员会",
            "employees": "48", "women": "12", "members": "40",
            "meeting_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(), "chairman": "钱主席",
            "committee_size": "5", "women_committee": "yes", "contact_phone": "0571-86001234"}
    data.update(kw)
    return data


def file(d, ent, parent=None, who="street_a.admin", **kw):
    admin = d.users[who]
    app = services.create_application(actor=admin, programme="founding",
                                      data=founding_data(parent or d.street_a, ent, **kw))
    attach_all(app, admin, SLOTS)
    return services.submit_application(actor=admin, app=app)


def approve_all(d, app):
    for who in ("street_a.reviewer", "fed.reviewer"):
        step = app.steps.get(decision__isnull=True)
        services.decide(actor=d.users[who], step_id=step.pk, decision="approved")
    app.refresh_from_db()
    return app


@pytest.mark.django_db
@pytest.mark.pg
class TestFounding:
    def test_approved_the_union_enters_the_tree_and_covers_its_enterprise(self, district):
        d = district
        ent = make_enterprise(d.street_a, "杭州丙新材料有限公司", needs_union_founding=True)
        app = file(d, ent, parent=d.joint_a)
        assert [s.org for s in app.steps.all()] == [d.street_a]
        app = approve_all(d, app)
        assert app.state == State.APPROVED
        union = Organization.objects.get(enterprise=ent)
        assert union.kind == "base" and union.parent == d.joint_a and union.path.startswith(d.joint_a.path)
        assert union.name == "杭州丙新材料有限公司工会委员会" and union.chair_name == "钱主席"
        assert union.term_ends_on == union.founded_on.replace(year=union.founded_on.year + 5)
        ent.refresh_from_db()
        assert ent.covering_union == union and not ent.needs_union_founding
        women = union.children.get()
        assert women.kind == "women" and women.name.endswith("女职工委员会")
        assert app.result["union"] == union.pk and "法人资格登记" in services._result_text(
            services.get_programme("founding"), app.result)
        entry = AuditEntry.objects.get(action="org.founded")
        assert entry.detail["application"] == app.number and entry.org_path == union.path

    def test_the_form_is_refused_field_by_field_in_chinese(self, district):
        d = district
        ent = make_enterprise(d.street_a, "杭州丁电子有限公司")
        cases = [({"women": "60"}, "女职工人数不能多于职工人数"), ({"members": "2"}, "会员不足3人"),
                 ({"members": "50"}, "入会职工人数不能多于职工人数"),
                 ({"meeting_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}, "不能晚于今天"),
                 ({"women_committee": "no"}, "应当同时成立女职工委员会"), ({"union_name": "杭州丁电子有限公司"}, "结尾"),
                 ({"committee_size": "2"}, "委员会委员人数"), ({"employees": "many"}, "职工人数")]
        for change, text in cases:
            with pytest.raises(ServiceError) as e:
                services.create_application(actor=d.users["street_a.admin"], programme="founding",
                                            data=founding_data(d.street_a, ent, **change))
            assert text in e.value.message, (change, e.value.message)
        assert not Application.objects.exists()

    def test_refused_for_a_union_already_founded_or_outside_the_filers_reach(self, district):
        d = district
        with pytest.raises(ServiceError) as e:  # ent_a1 has base_a1
            file(d, d.ent_a1)
        assert e.value.code == "founded" and d.base_a1.name in e.value.message
        with pytest.raises(ServiceError) as e:
            file(d, make_enterprise(d.street_b, "杭州戊物流有限公司"))
        assert e.value.field == "enterprise_id" and "范围" in e.value.message
        with pytest.raises(ServiceError) as e:  # a base union's administrator cannot file under the street
            file(d, make_enterprise(d.street_a, "杭州己食品有限公司"), who="base_a1.admin")
        assert e.value.field == "parent_id"
        with pytest.raises(ServiceError) as e:  # nor choose a base union as the parent
            file(d, make_enterprise(d.street_a, "杭州庚服饰有限公司"), parent=d.base_a1)
        assert e.value.field == "parent_id"

    def test_one_application_per_enterprise_at_a_time(self, district):
        d = district
        ent = make_enterprise(d.street_a, "杭州辛机械有限公司")
        file(d, ent)
        with pytest.raises(ServiceError):
            file(d, ent, parent=d.joint_a)
        assert Application.objects.filter(programme="founding").count() == 1

    def test_an_enterprise_given_its_union_meanwhile_leaves_the_approval_open(self, district):
        d = district
        ent = make_enterprise(d.street_a, "杭州壬化工有限公司")
        app = file(d, ent)
        services.decide(actor=d.users["street_a.reviewer"], step_id=app.steps.get().pk, decision="approved")
        orgs.create_organization(actor=ROOT, parent=d.street_a, kind="base", name="杭州壬化工有限公司工会",
                                 enterprise=ent)
        step = app.steps.get(decision__isnull=True)
        with pytest.raises(ServiceError) as e:
            services.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved")
        assert "已建立" in e.value.message
        assert Organization.objects.filter(enterprise=ent).count() == 1
        step.refresh_from_db()
        assert step.decision is None

    def test_the_console_form_offers_the_filers_upper_unions(self, client, district):
        d = district
        client.force_login(d.users["street_a.admin"])
        html = client.get("/console/applications/file/founding/").content.decode()
        assert f'<option value="{d.street_a.pk}"' in html and f'<option value="{d.joint_a.pk}"' in html
        assert f'<option value="{d.base_a1.pk}"' not in html and f'<option value="{d.street_b.pk}"' not in html
        assert "/console/applications/file/founding/" in client.get("/console/applications/filed/").content.decode()


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_the_final_approval_racing_the_consoles_creation_gives_one_union(district):
    d = district
    ent = make_enterprise(d.street_a, "杭州癸重工有限公司")
    app = file(d, ent)
    services.decide(actor=d.users["street_a.reviewer"], step_id=app.steps.get().pk, decision="approved")
    step = app.steps.get(decision__isnull=True)
    results = race([lambda: services.decide(actor=d.users["fed.reviewer"], step_id=step.pk, decision="approved"),
                    lambda: orgs.create_organization(actor=ROOT, parent=d.joint_a, kind="base",
                                                     name="杭州癸重工有限公司工会", enterprise=ent)], ok_label="ok")
    assert Organization.objects.filter(enterprise=ent).count() == 1
    union = Organization.objects.get(enterprise=ent)
    assert Enterprise.objects.get(pk=ent.pk).covering_union == union
    app.refresh_from_db()
    assert (app.state == State.APPROVED) == (union.parent == d.street_a)
    assert len(results) == 2 and results.count("ok") == 1 and "founded" in results, results  # no 500 either way


@pytest.mark.django_db
def test_filed_from_the_enterprise_page_with_its_facts_filled_in(district, client):
    """The enterprise's page offers 报请建会批复 to the upper union only while the firm has no union of its own; the
    form opens with the firm, a name after it, its headcount and the covering union as the upper union. Opened
    for a firm outside the filer's reach it is a blank form: nothing about that firm is shown."""
    d = district
    ent = make_enterprise(d.street_a, "杭州丁智能有限公司", covering_union=d.joint_a, headcount=36)
    client.force_login(d.users["street_a.admin"])
    page = client.get(f"/console/enterprises/{ent.pk}/").content.decode()
    assert f'href="/console/applications/file/founding/?enterprise={ent.pk}"' in page

    r = client.get(f"/console/applications/file/founding/?enterprise={ent.pk}")
    form = r.content.decode()
    assert r.status_code == 200
    assert 'value="杭州丁智能有限公司工会委员会"' in form and 'value="36"' in form
    assert f'<option value="{ent.pk}" selected' in form and f'<option value="{d.joint_a.pk}" selected' in form

    # a firm in street B, and nonsense, give the blank form
    other = make_enterprise(d.street_b, "杭州戊物流有限公司")
    for q in (str(other.pk), "x", "999999"):
        form = client.get(f"/console/applications/file/founding/?enterprise={q}").content.decode()
        assert f'<option value="{other.pk}" selected' not in form and f'<option value="{d.joint_a.pk}" selected' not in form
        assert 'value="杭州' not in form

    # the firm's own union, once founded, is shown instead of the offer
    approve_all(d, file(d, ent, parent=d.joint_a))
    page = client.get(f"/console/enterprises/{ent.pk}/").content.decode()
    assert "报请建会批复" not in page and "杭州丁智能有限公司工会委员会" in page
    # a viewer cannot file, so is not offered it
    fresh = make_enterprise(d.street_a, "杭州己电子有限公司")
    client.force_login(d.users["street_a.viewer"])
    assert "报请建会批复" not in client.get(f"/console/enterprises/{fresh.pk}/").content.decode()
