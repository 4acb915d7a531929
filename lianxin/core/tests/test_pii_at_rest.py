"""Personal data at rest (DESIGN rule 2, issue 2 "done when"): dump the whole database and find no plaintext
ID number or mobile anywhere — not in the people table, not in the audit log's details, not in the admin's
own history, not in sessions — after people were registered, edited, searched and revealed through the
services, the API and the admin. On SQLite the dump is ``iterdump``; on PostgreSQL it is ``pg_dump`` of the
test database (the installed binaries), falling back to COPY of every table when pg_dump is absent.

Also here: reveals and role grants are entries of the hash-chained audit log.
"""

import glob
import os
import shutil
import subprocess

import pytest
from django.db import connection

from lianxin.accounts import services as account_services
from lianxin.core import audit
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, id_number, make_person, mobile
from lianxin.members import services
from lianxin.members.models import Person

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _pg_bindir() -> str | None:
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if os.path.exists(os.path.join(out, "pg_dump")):
            return out
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    return os.path.dirname(found[-1]) if found else None


def dump_database() -> str:
    """Everything the database holds, as text."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    s = connection.settings_dict
    bindir = _pg_bindir()
    if bindir:
        env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
        cmd = [os.path.join(bindir, "pg_dump"), "--no-owner", "-h", s.get("HOST") or "127.0.0.1",
               "-p", str(s.get("PORT") or 5432), "-U", s.get("USER") or "postgres", s["NAME"]]
        out = subprocess.run(cmd, capture_output=True, env=env, check=True)
        return out.stdout.decode()
    chunks = []
    with connection.cursor() as cur:
        raw = cur.cursor
        for table in connection.introspection.table_names(cur):
            with raw.copy(f'COPY "{table}" TO STDOUT') as copy:
                chunks.extend(bytes(b).decode() for b in copy)
    return "\n".join(chunks)


@pytest.mark.pg
@pytest.mark.django_db(transaction=True)  # committed rows, so pg_dump (another session) sees them
def test_database_dump_has_no_plaintext_id_numbers_or_mobiles(district, client):
    d = district
    secrets: list[str] = []
    people: list[Person] = []
    for i in range(5):
        num, phone = id_number(gender="F" if i % 2 else "M"), mobile()
        people.append(services.create_person(actor=ROOT, org=d.base_a1, name=f"测试{i}", id_number=num,
                                             mobile=phone))
        secrets += [num, phone]
    # a number typed with a lower-case x and spaces is normalised, then stored encrypted all the same
    x_number = next(n for n in (id_number() for _ in range(50)) if n.endswith("X"))
    people.append(services.create_person(actor=ROOT, org=d.base_a1, name="带X的人",
                                         id_number=" " + x_number.lower(), mobile=None))
    secrets.append(x_number)
    # the mobile changes; both old and new must be absent
    new_phone = mobile()
    services.update_person(actor=ROOT, person=people[0], mobile=new_phone)
    secrets.append(new_phone)
    # memberships, a reveal (its value must not reach the audit detail)
    services.admit_member(actor=ROOT, person=people[1], union=d.base_a1)
    assert services.reveal_person_field(actor=d.users["street_a.admin"], person=people[1], field="id_number",
                                        reason="核对身份") == secrets[2]
    # the API and the admin (sessions, django_admin_log) as well
    client.force_login(d.users["street_a.admin"], backend=BACKEND)
    api_num, api_phone = id_number(), mobile()
    r = client.post("/api/v1/members/people", {"org_id": d.base_a1.pk, "name": "接口登记", "id_number": api_num,
                                               "mobile": api_phone}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["id_number"] != api_num and "*" in r.json()["id_number"]
    adm_num, adm_phone = id_number(), mobile()
    r = client.post("/admin/members/person/add/", {"org": d.base_a1.pk, "name": "后台登记", "id_number": adm_num,
                                                   "mobile": adm_phone, "ethnicity": "汉族", "_save": "1"})
    assert r.status_code == 302
    client.get("/api/v1/members/people", {"q": api_num})  # a search by full number
    secrets += [api_num, api_phone, adm_num, adm_phone]

    dump = dump_database()
    # the dump is the real thing: it holds the people, their masked values and the ciphertext
    stored = Person.objects.get(name="接口登记")
    assert "接口登记" in dump and stored.id_masked in dump and stored.id_cipher in dump
    assert AuditEntry.objects.filter(action="person.reveal").exists()
    leaked = [s for s in secrets if s in dump]
    assert not leaked, f"plaintext personal data in the database dump: {leaked}"
    # also not in the audit log's details, looked at directly
    details = " ".join(str(e.detail) + e.reason for e in AuditEntry.objects.all())
    assert not [s for s in secrets if s in details]


@pytest.mark.pg
@pytest.mark.django_db
def test_reveals_and_role_grants_are_in_the_audit_chain(district, client):
    d = district
    person = make_person(d.base_a1, name="赵六")
    reviewer = d.users["street_a.reviewer"]
    client.force_login(reviewer, backend=BACKEND)
    r = client.post(f"/api/v1/members/people/{person.pk}/reveal", {"field": "mobile", "reason": "电话回访"},
                    content_type="application/json")
    assert r.status_code == 200
    # a reveal without a reason is refused in Chinese and leaves no entry
    r = client.post(f"/api/v1/members/people/{person.pk}/reveal", {"field": "mobile", "reason": " "},
                    content_type="application/json")
    assert r.status_code == 400 and "事由" in r.json()["detail"]
    grant = account_services.grant_role(actor=d.users["street_a.admin"], user=d.users["base_a1.viewer"],
                                        organization=d.joint_a, role="auditor")

    reveals = list(AuditEntry.objects.filter(action="person.reveal"))
    assert len(reveals) == 1
    rev = reveals[0]
    assert (rev.actor_id, rev.object_id, rev.reason, rev.detail["field"]) == (
        reviewer.pk, str(person.pk), "电话回访", "mobile")
    assert rev.org_path == d.base_a1.path  # so the street's auditors see it, and no one else
    g = AuditEntry.objects.get(action="role.grant", object_id=str(grant.pk))
    assert g.actor_id == d.users["street_a.admin"].pk and g.detail == {"user": "base_a1.viewer", "role": "auditor"}
    assert g.seq > rev.seq and audit.verify() == []
    # the chain catches an edited reveal (someone hiding why they looked)
    AuditEntry.objects.filter(pk=rev.pk).update(reason="例行")
    assert any(f"第 {rev.seq} 条内容被修改" in p for p in audit.verify())
