"""Scope (DESIGN rule 1) for applications: queue, detail, decision, files, and members' own applications."""

import pytest

from lianxin.core.errors import PermissionDenied
from lianxin.workflow import selectors, services

from .helpers import PNG, Upload, join_data, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def filed(district):
    u = worker()
    app = services.create_application(actor=u, programme="join", data=join_data(district, n=701))
    att = services.add_attachment(actor=u, app=app, slot="photo", upload=Upload(PNG, "me.png"))
    services.submit_application(actor=u, app=app)
    return u, app, att


def test_queue_is_scoped(district, filed):
    d, (_, app, _) = district, filed
    step = app.steps.get()

    def ids(user, scope):
        return [s.pk for s in selectors.queue(actor=user, scope=scope)]

    assert ids(d.users["base_a1.reviewer"], "mine") == [step.pk]
    assert ids(d.users["street_a.reviewer"], "mine") == []  # not at their level …
    assert ids(d.users["street_a.reviewer"], "all") == [step.pk]  # … but within their subtree
    assert ids(d.users["street_b.reviewer"], "all") == []
    assert ids(d.users["street_a.viewer"], "all") == []  # viewers do not review


def test_detail_and_decision_out_of_scope(district, filed, client):
    d, (_, app, _) = district, filed
    step = app.steps.get()
    client.force_login(d.users["street_b.admin"])
    assert client.get(f"/console/applications/{app.pk}/").status_code == 404
    assert client.post(f"/console/applications/{app.pk}/decide/",
                       {"step": step.pk, "decision": "approved"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.decide(actor=d.users["street_b.admin"], step_id=step.pk, decision="approved")
    client.force_login(d.users["base_a1.viewer"])
    page = client.get(f"/console/applications/{app.pk}/").content.decode()
    assert "不在您的审核范围内" in page and 'id="decide-form"' not in page
    assert client.post(f"/console/applications/{app.pk}/decide/",
                       {"step": step.pk, "decision": "approved"}).status_code == 403
    step.refresh_from_db()
    assert step.decision is None
    client.force_login(d.users["base_a1.reviewer"])
    assert client.post(f"/console/applications/{app.pk}/decide/",
                       {"step": step.pk, "decision": "approved"}).status_code == 302
    step.refresh_from_db()
    assert step.decision == "approved"


def test_members_see_only_their_own(district, filed, client):
    _, app, _ = filed
    client.force_login(worker("someone_else"))
    assert client.get(f"/m/my/applications/{app.pk}/").status_code == 404
    assert app.number not in client.get("/m/my/applications/").content.decode()


def test_files_only_to_applicant_and_reviewers_in_scope(district, filed, client):
    d, (u, _, att) = district, filed
    url = f"/applications/files/{att.pk}/"
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(u)
    resp = client.get(url)
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PNG
    assert resp["Content-Type"] == "image/png"
    client.force_login(d.users["street_a.viewer"])
    assert client.get(url).status_code == 200
    for other in (d.users["street_b.admin"], worker("nosy")):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_garbage_step_id_is_a_400_not_a_500(district, filed, client):
    _, app, _ = filed
    client.force_login(district.users["base_a1.reviewer"])
    resp = client.post(f"/console/applications/{app.pk}/decide/", {"step": "abc", "decision": "approved"})
    assert resp.status_code == 400 and "审核环节无效" in resp.content.decode()


def test_union_without_reviewers_is_handled_by_the_level_above(district):
    """乙制造工会 has no console accounts: its joins land in the 下沙 street's own queue, and only there."""
    d = district
    app = services.create_application(actor=worker("b"), programme="join",
                                      data=join_data(d, employer=d.ent_b1, n=702), submit=True)
    step = app.steps.get()
    assert step.org == d.base_b1 and step.assigned_to == d.street_b
    assert [s.pk for s in selectors.queue(actor=d.users["street_b.reviewer"], scope="mine")] == [step.pk]
    assert [s.pk for s in selectors.queue(actor=d.users["fed.reviewer"], scope="mine")] == []
    assert [s.pk for s in selectors.queue(actor=d.users["street_a.reviewer"], scope="all")] == []
