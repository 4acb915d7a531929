import pytest

from lianxin.core.models import AuditEntry
from lianxin.core.testing import id_number, make_person
from lianxin.members.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def street_admin(client, district):
    client.force_login(district.users["street_a.admin"])
    return client


def test_person_list_shows_masked_values_only(street_admin, district):
    p = make_person(district.base_a1, "钱九", mobile_no="13811112222")
    number = id_number(0)  # unrelated; the real one is only in ciphertext
    html = street_admin.get("/console/people/").content.decode()
    assert p.id_masked in html and "138****2222" in html and "13811112222" not in html
    assert number not in html


def test_create_person_with_bad_id_shows_chinese_error_not_500(street_admin, district):
    r = street_admin.post("/console/people/new/", {"org": district.base_a1.pk, "name": "测试", "id_number": "3.30106E+17",
                                                   "mobile": "", "admit": "on"})
    assert r.status_code == 200 and "科学计数法" in r.content.decode()
    assert not Person.objects.filter(name="测试").exists()


def test_create_and_admit_through_the_page(street_admin, district):
    n = id_number(gender="F")
    r = street_admin.post("/console/people/new/", {"org": district.base_a1.pk, "name": "郑十", "id_number": n,
                                                   "mobile": "13822223333", "admit": "on"})
    assert r.status_code == 302
    p = Person.objects.get(name="郑十")
    assert p.memberships.get().member_no.startswith("LX")


def test_reveal_page_action_is_audited(street_admin, district):
    p = make_person(district.base_a1, "冯一", mobile_no="13833334444")
    r = street_admin.post(f"/console/people/{p.pk}/reveal/", {"field": "mobile", "reason": "核对联系方式"})
    assert r.status_code == 200 and "13833334444" in r.content.decode()
    r = street_admin.post(f"/console/people/{p.pk}/reveal/", {"field": "mobile", "reason": ""})
    assert r.status_code == 400 and "事由" in r.content.decode()
    assert AuditEntry.objects.filter(action="person.reveal").count() == 1


def test_other_street_gets_404(client, district):
    p = make_person(district.base_a1, "陈二")
    client.force_login(district.users["street_b.admin"])
    for url in (f"/console/people/{p.pk}/", f"/console/people/{p.pk}/edit/", f"/console/orgs/{district.base_a1.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/console/people/{p.pk}/reveal/", {"field": "mobile", "reason": "x" * 5}).status_code == 404


def test_console_requires_login_and_staff(client, district):
    assert client.get("/console/people/").status_code == 302
    from lianxin.core.testing import make_user

    client.force_login(make_user("member2"))
    assert client.get("/console/people/").status_code == 403


def test_every_console_page_renders(street_admin, district):
    p = make_person(district.base_a1, "褚三")
    for url in ("/console/", "/console/orgs/", f"/console/orgs/{district.street_a.pk}/",
                f"/console/orgs/{district.street_a.pk}/edit/", f"/console/orgs/{district.street_a.pk}/new-child/",
                "/console/enterprises/", f"/console/enterprises/{district.ent_a1.pk}/", "/console/enterprises/new/",
                "/console/coverage/", "/console/people/", "/console/people/new/", f"/console/people/{p.pk}/",
                f"/console/people/{p.pk}/edit/", "/console/audit/", "/console/people/?q=LX2026"):
        assert street_admin.get(url).status_code == 200, url
