"""The permission matrix (issue 2, "done when"): for every role at street A and every staff-visible model,
list / detail / change / delete / export through the admin, the API and the console pages.

* Street B's objects: invisible in every list and export, 404 on every detail, change, delete, reveal or
  action URL (existence does not leak), and the database row is unchanged afterwards.
* Street A's own objects: every role reads them (the audit log: only administrators and auditors); viewers,
  auditors and reviewers never write — 403 or read-only — and the row is unchanged.

Each case collects every deviation and fails once with the full list, so one run shows the whole matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, Resolver404, resolve

from lianxin.accounts.models import StaffRole
from lianxin.core import audit
from lianxin.core.models import AuditEntry
from lianxin.core.scoping import ACTIONS, ADMIN, AUDITOR, REVIEWER, VIEWER
from lianxin.core.testing import ROOT, make_person
from lianxin.members import services as member_services
from lianxin.members.models import Membership, Person
from lianxin.orgs.models import Enterprise, Organization

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

ROLES = [ADMIN, REVIEWER, VIEWER, AUDITOR]
MODELS = ["organization", "enterprise", "person", "membership", "staffrole", "auditentry"]
BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass
class Side:
    """One street's objects of every model, plus a string that appears only when that object is shown."""

    objects: dict = field(default_factory=dict)
    markers: dict = field(default_factory=dict)


@pytest.fixture
def world(district):
    d = district
    sides = {}
    for key, base, joint in (("a", d.base_a1, d.joint_a), ("b", d.base_b1, d.joint_b)):
        s = Side()
        person = make_person(base, name=f"{'甲' if key == 'a' else '乙'}街道测试人")
        membership = member_services.admit_member(actor=ROOT, person=person, union=base)
        grant = StaffRole.objects.get(user=d.users[f"street_{key}.viewer"])
        entry = audit.record(actor=None, action="test.marker", org_path=base.path,
                             reason=f"审计标记{key.upper()}街道", object_type="test", object_id=f"marker-{key}")
        s.objects = {
            "organization": joint,
            "enterprise": d.ent_a1 if key == "a" else d.ent_b1,
            "person": person,
            "membership": membership,
            "staffrole": grant,
            "auditentry": entry,
        }
        s.markers = {
            "organization": joint.name,
            "enterprise": s.objects["enterprise"].name,
            "person": person.name,
            "membership": person.name,
            "staffrole": f"street_{key}.viewer",
            "auditentry": entry.reason,
        }
        sides[key] = s
    d.sides = sides
    return d


ADMIN_PATH = {
    "organization": "orgs/organization", "enterprise": "orgs/enterprise", "person": "members/person",
    "membership": "members/membership", "staffrole": "accounts/staffrole", "auditentry": "core/auditentry",
}
MODEL_CLASS = {
    "organization": Organization, "enterprise": Enterprise, "person": Person, "membership": Membership,
    "staffrole": StaffRole, "auditentry": AuditEntry,
}
API = {  # list url, detail url, patch payload (None: no write endpoint)
    "organization": ("/api/v1/orgs/organizations", "/api/v1/orgs/organizations/{pk}", {"name": "改名"}),
    "enterprise": ("/api/v1/orgs/enterprises", "/api/v1/orgs/enterprises/{pk}", {"headcount": 999}),
    "person": ("/api/v1/members/people", "/api/v1/members/people/{pk}", {"name": "改名"}),
    "membership": ("/api/v1/members/memberships", "/api/v1/members/memberships/{pk}", None),
}
CONSOLE = {  # list, detail, edit (GET and POST)
    "organization": ("/console/orgs/", "/console/orgs/{pk}/", "/console/orgs/{pk}/edit/"),
    "enterprise": ("/console/enterprises/", "/console/enterprises/{pk}/", "/console/enterprises/{pk}/edit/"),
    "person": ("/console/people/", "/console/people/{pk}/", "/console/people/{pk}/edit/"),
    "auditentry": ("/console/audit/", None, None),
}
CONSOLE_POSTS = {  # further console actions on one object
    "person": [("/console/people/{pk}/reveal/", {"field": "id_number", "reason": "核查身份"}),
               ("/console/people/{pk}/reveal/", {"field": "mobile", "reason": "核查身份"}),
               ("/console/people/{pk}/admit/", {"union": "{own_union}"})],
    "membership": [("/console/memberships/{pk}/transfer/", {"union": "{own_union}"}),
                   ("/console/memberships/{pk}/end/", {"reason": "测试退会"})],
}
EXPORT = "/console/export/people/?fmt=csv"


def _url_exists(url: str) -> bool:
    try:
        resolve(url.split("?")[0])
        return True
    except (Resolver404, NoReverseMatch):
        return False


def _body(resp) -> bytes:
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


def _snapshot(model_key, obj):
    return model_to_dict(MODEL_CLASS[model_key].objects.get(pk=obj.pk))


def _client(client, world, role):
    client.force_login(world.users[f"street_a.{role}"], backend=BACKEND)
    return client


def _reads(role: str, model_key: str) -> bool:
    return role in ACTIONS["audit"] if model_key == "auditentry" else True


@pytest.mark.parametrize("model_key", MODELS)
@pytest.mark.parametrize("role", ROLES)
def test_street_a_role_cannot_reach_street_b(world, client, role, model_key):
    c = _client(client, world, role)
    foreign = world.sides["b"].objects[model_key]
    marker = world.sides["b"].markers[model_key]
    own_union = world.base_a1.pk
    before = _snapshot(model_key, foreign)
    reveals_before = AuditEntry.objects.filter(action="person.reveal").count()
    problems: list[str] = []

    def expect(resp, statuses, what):
        if resp.status_code not in statuses:
            problems.append(f"{what}: HTTP {resp.status_code}, expected {statuses}")

    def hidden(resp, what, needle=marker):
        # a search page echoes the query, so searches look for the object's link instead of its name
        if resp.status_code == 200 and needle in resp.content.decode():
            problems.append(f"{what}: shows street B's {needle!r}")

    pk = foreign.pk
    # --- admin ---
    base = f"/admin/{ADMIN_PATH[model_key]}/"
    r = c.get(base)
    expect(r, {200} if _reads(role, model_key) else {403}, f"admin list {base}")
    hidden(r, "admin list")
    hidden(c.get(base, {"q": marker}), "admin search", f"{base}{pk}/change/")
    for suffix in ("change/", "delete/", "history/"):
        expect(c.get(f"{base}{pk}/{suffix}"), {404}, f"admin GET {suffix}")
    expect(c.post(f"{base}{pk}/change/", {"name": "改名", "_save": "1"}), {404}, "admin POST change")
    expect(c.post(f"{base}{pk}/delete/", {"post": "yes"}), {404}, "admin POST delete")
    r = c.post(base, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
    hidden(r, "admin bulk delete")
    if model_key == "staffrole":
        c.post(base, {"action": "revoke_selected", "_selected_action": [pk]})
    # --- API ---
    if model_key in API:
        list_url, detail_url, patch = API[model_key]
        r = c.get(list_url, {"page_size": 200})
        expect(r, {200}, f"API list {list_url}")
        if r.status_code == 200 and pk in [i["id"] for i in r.json()["items"]]:
            problems.append(f"API list {list_url} includes street B's id")
        hidden(r, "API list")
        if model_key == "person":
            r = c.get(list_url, {"q": marker})
            if r.status_code != 200 or r.json()["items"]:
                problems.append(f"API search: HTTP {r.status_code}, {r.content[:200]!r}")
        expect(c.get(detail_url.format(pk=pk)), {404}, "API detail")
        if patch is not None:
            expect(c.patch(detail_url.format(pk=pk), patch, content_type="application/json"), {404}, "API PATCH")
        expect(c.delete(detail_url.format(pk=pk)), {404, 405}, "API DELETE")
        if model_key == "person":
            for fld in ("id_number", "mobile"):
                r = c.post(f"{detail_url.format(pk=pk)}/reveal", {"field": fld, "reason": "核查身份"},
                           content_type="application/json")
                expect(r, {404}, f"API reveal {fld}")
            expect(c.get(f"{detail_url.format(pk=pk)}/memberships"), {404}, "API person memberships")
    if model_key == "organization":
        r = c.get("/api/v1/orgs/coverage")
        expect(r, {200}, "API coverage")
        if any(row["label"] == world.street_b.name for row in r.json()):
            problems.append("API coverage lists street B")
        expect(c.get("/api/v1/members/people", {"org_id": pk}), {404}, "API people filtered by street B org")
    # --- console pages ---
    if model_key in CONSOLE:
        list_url, detail_url, edit_url = CONSOLE[model_key]
        if _url_exists(list_url):
            r = c.get(list_url)
            expect(r, {200} if _reads(role, model_key) else {200, 403}, f"console list {list_url}")
            hidden(r, "console list")
            if detail_url:
                hidden(c.get(list_url, {"q": marker}), "console search", detail_url.format(pk=pk))
        if detail_url and _url_exists(detail_url.format(pk=pk)):
            expect(c.get(detail_url.format(pk=pk)), {404}, "console detail")
        if edit_url and _url_exists(edit_url.format(pk=pk)):
            expect(c.get(edit_url.format(pk=pk)), {404}, "console edit GET")
            expect(c.post(edit_url.format(pk=pk), {"name": "改名", "headcount": 1}), {404}, "console edit POST")
    for url, data in CONSOLE_POSTS.get(model_key, []):
        url = url.format(pk=pk)
        if _url_exists(url):
            data = {k: v.format(own_union=own_union) for k, v in data.items()}
            expect(c.post(url, data), {404}, f"console POST {url}")
    # --- export ---
    if model_key == "person" and _url_exists(EXPORT):
        r = c.get(EXPORT)
        expect(r, {200}, "console export")
        if marker.encode() in _body(r):
            problems.append("console export includes street B's person")
        expect(c.get(EXPORT, {"fmt": "csv", "org": foreign.org_id}), {404}, "console export of a street B org")
        expect(c.get(EXPORT, {"fmt": "csv", "org": foreign.org_id, "reveal": "1", "reason": "核查"}), {404},
               "console revealing export of a street B org")

    # --- nothing changed ---
    if _snapshot(model_key, foreign) != before:
        problems.append("street B's row was changed")
    if AuditEntry.objects.filter(action="person.reveal").count() != reveals_before:
        problems.append("a reveal was recorded for street B's person")
    assert not problems, f"{role} @ street A vs {model_key} of street B:\n" + "\n".join(problems)


@pytest.mark.parametrize("model_key", MODELS)
@pytest.mark.parametrize("role", [REVIEWER, VIEWER, AUDITOR])
def test_read_only_roles_read_but_never_write(world, client, role, model_key):
    c = _client(client, world, role)
    own = world.sides["a"].objects[model_key]
    marker = world.sides["a"].markers[model_key]
    before = _snapshot(model_key, own)
    rows_before = MODEL_CLASS[model_key].objects.count()
    problems: list[str] = []

    def expect(resp, statuses, what):
        if resp.status_code not in statuses:
            problems.append(f"{what}: HTTP {resp.status_code}, expected {statuses}")

    pk = own.pk
    reads = _reads(role, model_key)
    base = f"/admin/{ADMIN_PATH[model_key]}/"
    r = c.get(base)
    expect(r, {200} if reads else {403}, "admin list")
    if reads and marker not in r.content.decode():
        problems.append(f"admin list does not show own {marker!r}")
    r = c.get(f"{base}{pk}/change/")
    expect(r, {200} if reads else {404}, "admin detail")
    if reads and r.status_code == 200 and 'name="_save"' in r.content.decode():
        problems.append("admin detail offers a save button to a read-only role")
    expect(c.post(f"{base}{pk}/change/", {"name": "改名", "_save": "1"}), {403} if reads else {404},
           "admin POST change")
    expect(c.get(f"{base}{pk}/delete/"), {403} if reads else {404}, "admin GET delete")
    expect(c.post(f"{base}{pk}/delete/", {"post": "yes"}), {403} if reads else {404}, "admin POST delete")
    expect(c.get(f"{base}add/"), {403}, "admin add")
    c.post(base, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
    if model_key == "staffrole":
        c.post(base, {"action": "revoke_selected", "_selected_action": [pk]})

    if model_key in API:
        list_url, detail_url, patch = API[model_key]
        r = c.get(list_url, {"page_size": 200})
        expect(r, {200}, "API list")
        if r.status_code == 200 and pk not in [i["id"] for i in r.json()["items"]]:
            problems.append("API list misses own object")
        expect(c.get(detail_url.format(pk=pk)), {200}, "API detail")
        if patch is not None:
            expect(c.patch(detail_url.format(pk=pk), patch, content_type="application/json"), {403}, "API PATCH")
        if model_key == "person":
            r = c.post(f"{detail_url.format(pk=pk)}/reveal", {"field": "id_number", "reason": "核查身份"},
                       content_type="application/json")
            expect(r, {200} if role in ACTIONS["reveal"] else {403}, "API reveal")
            if role not in ACTIONS["reveal"] and r.status_code == 200:
                problems.append("a read-only role revealed a full ID number")
    if model_key in CONSOLE:
        list_url, detail_url, edit_url = CONSOLE[model_key]
        if _url_exists(list_url):
            r = c.get(list_url)
            expect(r, {200} if reads else {200, 403}, "console list")
            if reads and r.status_code == 200 and marker not in r.content.decode():
                problems.append(f"console list does not show own {marker!r}")
        if detail_url and _url_exists(detail_url.format(pk=pk)):
            expect(c.get(detail_url.format(pk=pk)), {200}, "console detail")
        if edit_url and _url_exists(edit_url.format(pk=pk)):
            expect(c.get(edit_url.format(pk=pk)), {403}, "console edit GET")
            expect(c.post(edit_url.format(pk=pk), {"name": "改名", "headcount": 1}), {403}, "console edit POST")
    for url, data in CONSOLE_POSTS.get(model_key, []):
        url = url.format(pk=pk)
        if _url_exists(url) and "reveal" not in url:
            data = {k: v.format(own_union=world.joint_a.pk) for k, v in data.items()}
            expect(c.post(url, data), {403}, f"console POST {url}")

    if model_key == "person" and _url_exists(EXPORT):
        r = c.get(EXPORT)
        body = _body(r).decode("utf-8-sig", "replace")
        expect(r, {200}, "console export")
        if r.status_code == 200 and (marker not in body or own.id_masked not in body):
            problems.append("console export misses own person or the masked ID")
        full = member_services.reveal_person_field(actor=ROOT, person=own, field="id_number", reason="测试比对")
        if full in body:
            problems.append("console export shows a full ID number unasked")
        r = c.get(EXPORT, {"fmt": "csv", "reveal": "1", "reason": "核查"})
        if role not in ACTIONS["reveal"]:
            expect(r, {403}, "console revealing export by a role that may not reveal")
            if full in _body(r).decode("utf-8-sig", "replace"):
                problems.append("a read-only role exported a full ID number")

    if _snapshot(model_key, own) != before:
        problems.append("own row was changed by a read-only role")
    if MODEL_CLASS[model_key].objects.count() != rows_before and model_key != "auditentry":
        problems.append("rows were added or deleted by a read-only role")
    assert not problems, f"{role} @ street A on own {model_key}:\n" + "\n".join(problems)


# --- administrators write within their subtree, through the services, and only there -------------------------

def _admin(client, world):
    client.force_login(world.users["street_a.admin"], backend=BACKEND)
    return client


def _org_form(org, **over):
    data = {"parent": org.parent_id, "name": org.name, "code": "", "chair_name": "", "vice_chair_names": "",
            "contact_name": "", "contact_phone": "", "address": "", "founded_on": "", "term_ends_on": "",
            "enterprise": "", "_save": "1"}
    data.update(over)
    return data


def test_admin_changes_an_organisation_through_the_service(world, client):
    c = _admin(client, world)
    org = world.joint_a
    r = c.post(f"/admin/orgs/organization/{org.pk}/change/", _org_form(org, name="白杨联合工会（改）"))
    assert r.status_code == 302, r.content.decode()[:2000]
    org.refresh_from_db()
    assert org.name == "白杨联合工会（改）"
    e = AuditEntry.objects.filter(action="org.update", object_id=str(org.pk)).first()
    assert e is not None and e.actor == world.users["street_a.admin"]


def test_admin_form_cannot_point_at_another_streets_org(world, client):
    c = _admin(client, world)
    org = world.joint_a
    r = c.post(f"/admin/orgs/organization/{org.pk}/change/", _org_form(org, parent=world.street_b.pk))
    assert r.status_code == 200  # the form again, with an error on 上级组织
    assert "parent" in r.context["adminform"].form.errors
    org.refresh_from_db()
    assert org.parent_id == world.street_a.pk and org.path.startswith(world.street_a.path)
    # the choices offered are the admin's own subtree only
    choices = r.context["adminform"].form.fields["parent"].queryset
    assert set(choices.values_list("pk", flat=True)) == set(
        Organization.objects.filter(path__startswith=world.street_a.path).values_list("pk", flat=True))


def test_admin_service_error_is_a_chinese_form_error(world, client):
    c = _admin(client, world)
    org = world.joint_a
    # moving a node under its own descendant is refused by move_organization with a Chinese message
    r = c.post(f"/admin/orgs/organization/{org.pk}/change/", _org_form(org, parent=world.base_a1.pk))
    assert r.status_code == 200
    errors = str(r.context["adminform"].form.errors)
    assert "下级" in errors
    org.refresh_from_db()
    assert org.parent_id == world.street_a.pk


def test_admin_adds_an_enterprise_only_in_its_street(world, client):
    from lianxin.core.testing import credit_code

    c = _admin(client, world)
    data = {"name": "杭州丙贸易有限公司", "credit_code": credit_code(990001), "industry": "F", "size": "micro",
            "ownership": "private", "address": "", "headcount": "12", "covering_union": "",
            "_save": "1"}
    r = c.post("/admin/orgs/enterprise/add/", {**data, "street": world.street_b.pk})
    assert r.status_code == 200 and "street" in r.context["adminform"].form.errors
    assert not Enterprise.objects.filter(name="杭州丙贸易有限公司").exists()
    r = c.post("/admin/orgs/enterprise/add/", {**data, "street": world.street_a.pk})
    assert r.status_code == 302, r.context["adminform"].form.errors
    ent = Enterprise.objects.get(name="杭州丙贸易有限公司")
    assert ent.street_id == world.street_a.pk
    assert AuditEntry.objects.filter(action="enterprise.create", object_id=str(ent.pk)).exists()


def test_admin_person_add_goes_through_create_person_and_shows_masked_values(world, client):
    from lianxin.core.testing import id_number, mobile

    c = _admin(client, world)
    number, phone = id_number(gender="F"), mobile()
    base = {"org": world.base_a1.pk, "name": "李四", "mobile": phone, "ethnicity": "汉族", "_save": "1"}
    r = c.post("/admin/members/person/add/", {**base, "id_number": number[:-1] + ("0" if number[-1] != "0" else "1")})
    assert r.status_code == 200
    assert "校验位不正确" in str(r.context["adminform"].form.errors)
    r = c.post("/admin/members/person/add/", {**base, "id_number": number})
    assert r.status_code == 302
    p = Person.objects.get(name="李四")
    assert p.gender == "F" and AuditEntry.objects.filter(action="person.create", object_id=str(p.pk)).exists()
    page = c.get(f"/admin/members/person/{p.pk}/change/").content.decode()
    assert p.id_masked in page and p.mobile_masked in page
    for secret in (number, phone, p.id_cipher, p.id_bidx, p.mobile_cipher, p.mobile_bidx):
        assert secret not in page
    # search by the full ID number finds the person through the blind index
    assert f"/admin/members/person/{p.pk}/change/" in c.get("/admin/members/person/", {"q": number}).content.decode()


def test_admin_grants_roles_through_the_service_within_scope(world, client):
    c = _admin(client, world)
    user = world.users["base_a1.viewer"]
    r = c.post("/admin/accounts/staffrole/add/", {"user": user.pk, "organization": world.street_b.pk,
                                                  "role": "reviewer", "_save": "1"})
    assert r.status_code == 200 and "organization" in r.context["adminform"].form.errors
    r = c.post("/admin/accounts/staffrole/add/", {"user": user.pk, "organization": world.joint_a.pk,
                                                  "role": "reviewer", "_save": "1"})
    assert r.status_code == 302
    grant = StaffRole.objects.get(user=user, organization=world.joint_a, role="reviewer")
    assert AuditEntry.objects.filter(action="role.grant", object_id=str(grant.pk)).exists()


def test_admin_admits_once_and_is_told_to_transfer(world, client):
    c = _admin(client, world)
    p = make_person(world.base_a1, name="王五")
    data = {"person": p.pk, "union": world.base_a1.pk, "joined_on": "", "note": "", "_save": "1"}
    assert c.post("/admin/members/membership/add/", data).status_code == 302
    r = c.post("/admin/members/membership/add/", {**data, "union": world.joint_a.pk})
    assert r.status_code == 200 and "请办理转会" in str(r.context["adminform"].form.errors)
    assert Membership.objects.filter(person=p).count() == 1


def test_audit_log_is_read_only_for_everyone(world, client, admin_user):
    entry = world.sides["a"].objects["auditentry"]
    for user in (world.users["street_a.admin"], world.users["fed.auditor"], admin_user):
        client.force_login(user, backend=BACKEND)
        assert client.get(f"/admin/core/auditentry/{entry.pk}/change/").status_code == 200
        assert client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"reason": "x"}).status_code == 403
        assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
        assert client.get("/admin/core/auditentry/add/").status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "审计标记A街道" and audit.verify() == []


@pytest.mark.parametrize("role", ROLES)
def test_admin_index_and_user_accounts_are_scoped(world, client, role):
    from lianxin.accounts.models import User

    c = _client(client, world, role)
    index = c.get("/admin/")
    assert index.status_code == 200
    assert ("/admin/core/auditentry/" in index.content.decode()) == (role in ACTIONS["audit"])
    r = c.get("/admin/accounts/user/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "street_a.viewer" in page and "base_a1.admin" in page
    assert "street_b.viewer" not in page and "fed.admin" not in page
    other = world.users["street_b.admin"]
    assert c.get(f"/admin/accounts/user/{other.pk}/change/").status_code == 404
    me = world.users[f"street_a.{role}"]
    r = c.get(f"/admin/accounts/user/{me.pk}/change/")
    assert r.status_code == 200 and 'name="_save"' not in r.content.decode()  # accounts are read-only here
    before = model_to_dict(User.objects.get(pk=me.pk))
    assert c.post(f"/admin/accounts/user/{me.pk}/change/", {"username": "x", "is_superuser": "on"}).status_code == 403
    assert model_to_dict(User.objects.get(pk=me.pk)) == before


def test_staff_user_without_grants_sees_no_admin_modules(world, client):
    from lianxin.core.testing import make_user

    lonely = make_user("no.grants")
    client.force_login(lonely, backend=BACKEND)
    page = client.get("/admin/").content.decode()
    for path in ADMIN_PATH.values():
        assert f"/admin/{path}/" not in page
        assert client.get(f"/admin/{path}/").status_code == 403
    assert client.get("/api/v1/members/people").json()["count"] == 0


def test_admin_org_list_shows_derived_member_counts(world, client):
    c = _admin(client, world)
    r = c.get("/admin/orgs/organization/")
    # world admitted one member at base_a1 (under joint_a and street_a)
    rows = {o.pk: o.member_count for o in r.context["cl"].result_list}
    assert rows == {world.street_a.pk: 1, world.joint_a.pk: 1, world.base_a1.pk: 1}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_works_in_chromium_for_a_street_admin(district, live_server, page, screenshot_dir):
    """The themed admin under the production Content Security Policy: a street administrator signs in, sees
    the people of the street with masked ID numbers (and not the other street's), and opens one."""
    from lianxin.core.testing import PASSWORD

    mine = make_person(district.base_a1, name="甲街道张三")
    make_person(district.base_b1, name="乙街道李四")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/admin/login/?next=/admin/members/person/")
    page.fill("input[name=username]", "street_a.admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]", timeout=5_000)  # blocked by unfold's overlay if Alpine cannot run
    page.wait_for_url("**/admin/members/person/")
    body = page.inner_text("body")
    assert mine.id_masked in body and "甲街道张三" in body and "乙街道李四" not in body
    page.screenshot(path=str(screenshot_dir / "admin-people-masked.png"), full_page=True)
    page.click(f"a[href='/admin/members/person/{mine.pk}/change/']", timeout=5_000)
    page.wait_for_url(f"**/admin/members/person/{mine.pk}/change/")
    assert mine.mobile_masked in page.inner_text("body")
    assert not errors, errors


@pytest.mark.parametrize("role", ROLES)
def test_a_grant_does_not_reach_upwards(world, client, role):
    """A base union's staff see their union and below — not the joint union or street above them."""
    c = client
    c.force_login(world.users[f"base_a1.{role}"], backend=BACKEND)
    for org in (world.joint_a, world.street_a, world.fed):
        assert c.get(f"/admin/orgs/organization/{org.pk}/change/").status_code == 404
        assert c.get(f"/api/v1/orgs/organizations/{org.pk}").status_code == 404
        assert c.get(f"/console/orgs/{org.pk}/").status_code == 404
    ids = {i["id"] for i in c.get("/api/v1/orgs/organizations").json()["items"]}
    assert ids == {world.base_a1.pk}
    person = world.sides["a"].objects["person"]  # a member of base_a1: in reach
    assert c.get(f"/api/v1/members/people/{person.pk}").status_code == 200


def test_members_without_staff_roles_reach_nothing_here(world, client):
    """A member's portal account (linked person, no grant) gets nothing from the staff admin, API or console,
    not even its own record: members see themselves through the portal only."""
    from lianxin.accounts.models import User

    person = world.sides["a"].objects["person"]
    member = User.objects.create_user(username="member.a", password="Lianxin#2026x", person=person)
    client.force_login(member, backend=BACKEND)
    assert client.get("/admin/").status_code == 302  # not staff: sent to the admin login
    assert client.get("/api/v1/members/people").json()["count"] == 0
    assert client.get(f"/api/v1/members/people/{person.pk}").status_code == 404
    assert client.post(f"/api/v1/members/people/{person.pk}/reveal", {"field": "id_number", "reason": "看看"},
                       content_type="application/json").status_code == 404
    assert client.get("/api/v1/orgs/organizations").json()["count"] == 0
    assert client.get(f"/console/people/{person.pk}/").status_code in (302, 403, 404)


def test_covering_union_reads_but_only_the_street_edits_an_enterprise(world, client):
    """An enterprise of street B covered by street A's joint union: street A sees it, street B edits it."""
    from lianxin.core.testing import make_enterprise

    ent = make_enterprise(world.street_b, "杭州跨街道有限公司", covering_union=world.joint_a)
    c = _admin(client, world)
    r = c.get(f"/admin/orgs/enterprise/{ent.pk}/change/")
    assert r.status_code == 200 and 'name="_save"' not in r.content.decode()
    assert c.post(f"/admin/orgs/enterprise/{ent.pk}/change/", {"name": "改名", "_save": "1"}).status_code == 403
    assert c.patch(f"/api/v1/orgs/enterprises/{ent.pk}", {"name": "改名"},
                   content_type="application/json").status_code == 403
    ent.refresh_from_db()
    assert ent.name == "杭州跨街道有限公司"


def test_a_crafted_foreign_id_in_a_form_does_not_reveal_its_name(world, client):
    """Posting another street's person or user id into an add form is an invalid choice, and the re-rendered
    form does not print that record's name next to the field (Django's raw-id widget would)."""
    c = _admin(client, world)
    foreign = world.sides["b"].objects["person"]
    r = c.post("/admin/members/membership/add/", {"person": foreign.pk, "union": world.base_a1.pk, "_save": "1"})
    assert r.status_code == 200 and "person" in r.context["adminform"].form.errors
    assert foreign.name not in r.content.decode()
    other = world.users["street_b.viewer"]
    other.display_name = "乙街道查看员甲"
    other.save()
    r = c.post("/admin/accounts/staffrole/add/", {"user": other.pk, "organization": world.joint_a.pk,
                                                  "role": "viewer", "_save": "1"})
    assert r.status_code == 200 and "user" in r.context["adminform"].form.errors
    assert "乙街道查看员甲" not in r.content.decode()
    assert not StaffRole.objects.filter(user=other, organization=world.joint_a).exists()


def test_admin_autocomplete_is_scoped(world, client):
    c = _admin(client, world)

    def names(model_name, field, term):
        r = c.get("/admin/autocomplete/", {"app_label": "members" if model_name == "membership" else "accounts",
                                           "model_name": model_name, "field_name": field, "term": term})
        assert r.status_code == 200
        return [x["text"] for x in r.json()["results"]]

    assert names("membership", "person", "街道测试人") == [world.sides["a"].markers["person"]]
    full = member_services.reveal_person_field(actor=ROOT, person=world.sides["b"].objects["person"],
                                               field="id_number", reason="测试")
    assert names("membership", "person", full) == []  # the blind-index search stays inside the scope
    users = names("staffrole", "user", "street_")
    assert "street_a.viewer" in users and not any(u.startswith("street_b") for u in users)
