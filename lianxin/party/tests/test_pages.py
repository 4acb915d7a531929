"""The console pages by role and scope (the matrix: street A's roles against street B's objects), the forms'
Chinese refusals, the exports (scoped, masked, formula-safe, audited)."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, id_number
from lianxin.members import services as member_services
from lianxin.party import services
from lianxin.party.models import DuesEntry, Meeting, PartyMember, Transfer
from lianxin.party.testing import make_meeting, make_party_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

MOBILE = "13912345678"


@pytest.fixture
def world(party):
    d = party
    today = timezone.localdate()
    sides = {}
    for s, branch, org in (("a", d.branch_a, d.base_a1), ("b", d.branch_b, d.base_b1)):
        n = id_number()
        member_services.create_person(actor=ROOT, org=org, name=f"党员{s}", id_number=n, mobile=MOBILE)
        m = services.enrol_member(
            actor=ROOT,
            branch=branch,
            id_number=n,
            category="probationary",
            joined_on=today.replace(year=today.year - 1) - dt.timedelta(days=2),
            entered_on=today.replace(year=today.year - 1),
        )
        m = services.set_dues(actor=ROOT, member=m, base="4000")
        mt = make_meeting(branch, topic=f"学习党章{s}")
        pay = services.record_payment(actor=ROOT, member=m, period=services.period_of(today))
        sides[s] = dict(branch=branch, member=m, meeting=mt, payment=pay, id=n)
    d.sides = sides
    return d


def _urls(o):
    b, m, mt = o["branch"].pk, o["member"].pk, o["meeting"].pk
    return [
        f"/console/party/branches/{b}/",
        f"/console/party/members/{m}/",
        f"/console/party/meetings/{mt}/",
        f"/console/party/branches/{b}/dues/",
        f"/console/party/branches/{b}/dues/export/",
        f"/console/party/branches/{b}/members/new/",
        f"/console/party/branches/{b}/meetings/new/",
        f"/console/party/members/{m}/dues/edit/",
    ]


READ, WRITE = 5, 3  # the first five are reads, the last three forms


@pytest.mark.parametrize(
    "who,sees_a,sees_b,writes",
    [
        ("street_a.admin", True, False, {"a"}),
        ("street_a.viewer", True, False, set()),
        ("street_a.auditor", True, False, set()),
        ("street_b.admin", False, True, {"b"}),
        ("base_a1.admin", False, False, set()),
        ("fed.viewer", True, True, set()),
        ("fed.admin", True, True, {"a", "b"}),
    ],
)
def test_scope_matrix_pages(client, world, who, sees_a, sees_b, writes):
    d = world
    client.force_login(d.users[who])
    for side, sees in (("a", sees_a), ("b", sees_b)):
        urls = _urls(d.sides[side])
        for u in urls[:READ]:
            assert client.get(u).status_code == (200 if sees else 404), (who, u)
        for u in urls[READ:]:
            expect = (200 if side in writes else 403) if sees else 404
            assert client.get(u).status_code == expect, (who, u)
    home = client.get("/console/party/").content.decode()
    assert ("白杨街道机关党支部" in home) == sees_a and ("下沙街道机关党支部" in home) == sees_b
    meetings = client.get(f"/console/party/meetings/?year={timezone.localdate().year}").content.decode()
    assert ("学习党章a" in meetings) == sees_a and ("学习党章b" in meetings) == sees_b
    cmp = client.get("/console/party/compliance/").content.decode()
    assert ("白杨街道机关党支部" in cmp) == sees_a and ("下沙街道机关党支部" in cmp) == sees_b


@pytest.mark.parametrize("who", ["street_a.viewer", "street_b.admin", "base_a1.admin"])
def test_scope_matrix_writes(client, world, who):
    """Every write to street A's objects from a role that may not: 403 for a viewer in scope, 404 outside it, and
    nothing written."""
    d = world
    a = d.sides["a"]
    client.force_login(d.users[who])
    expect = 403 if who == "street_a.viewer" else 404
    m, b = a["member"].pk, a["branch"].pk
    today = timezone.localdate().isoformat()
    before = (
        PartyMember.objects.count(),
        DuesEntry.objects.count(),
        Transfer.objects.count(),
        list(PartyMember.objects.values_list("category", "status")),
    )
    for url, data in (
        (f"/console/party/members/{m}/confirm/", {"on": a["member"].due_on.isoformat()}),
        (f"/console/party/members/{m}/transfer/", {"to_branch": d.branch_a2.pk, "on": today}),
        (f"/console/party/members/{m}/out/", {"external_org": "外地党支部", "on": today}),
        (f"/console/party/members/{m}/end/", {"status": "stopped", "on": today, "reason": "测试原因"}),
        (f"/console/party/branches/{b}/dues/pay/", {"member": m, "period": "2025-01"}),
        (f"/console/party/dues/{a['payment'].pk}/reverse/", {"reason": "登记错误"}),
        (
            f"/console/party/branches/{b}/meetings/new/",
            {
                "kind": "congress",
                "held_on": today,
                "topic": "学习",
                "minutes": "会议纪要内容足够长了吧",
                f"att_{m}": "present",
            },
        ),
    ):
        assert client.post(url, data).status_code == expect, (who, url)
    assert before == (
        PartyMember.objects.count(),
        DuesEntry.objects.count(),
        Transfer.objects.count(),
        list(PartyMember.objects.values_list("category", "status")),
    )
    assert Meeting.objects.count() == 2


def test_admin_runs_the_member_steps(client, world):
    d = world
    a = d.sides["a"]
    client.force_login(d.users["street_a.admin"])
    m = a["member"]
    html = client.get(f"/console/party/members/{m.pk}/").content.decode()
    assert "confirm-form" in html and MOBILE not in html and a["id"] not in html and "139****5678" in html
    direct = html.split('id="transfer-form"', 1)[1].split("</form>", 1)[0]
    assert "白杨联合工会党支部" in direct and "下沙街道机关党支部" not in direct  # not offered for a direct transfer
    letter = html.split('id="letter-form"', 1)[1].split("</form>", 1)[0]
    assert "下沙街道机关党支部" in letter  # but a letter may go there
    r = client.post(f"/console/party/members/{m.pk}/confirm/", {"on": m.due_on.isoformat()})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.category == "full"
    r = client.post(f"/console/party/members/{m.pk}/transfer/", {"to_branch": d.branch_b.pk, "on": ""})
    assert r.status_code == 302 and PartyMember.objects.get(pk=m.pk).status == "active"
    r = client.post(
        f"/console/party/members/{m.pk}/transfer/",
        {"to_branch": d.branch_a2.pk, "on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "已转接" in r.content.decode()
    new = PartyMember.objects.get(person=m.person, status="active")
    assert new.branch == d.branch_a2 and r.redirect_chain[-1][0] == f"/console/party/members/{new.pk}/"


def test_enrol_form_messages_and_save(client, world):
    d = world
    client.force_login(d.users["street_a.admin"])
    url = f"/console/party/branches/{d.branch_a.pk}/members/new/"
    r = client.post(url, {"id_number": "", "category": "full", "joined_on": "2010-01-01"})
    assert r.status_code == 400 and "请填写身份证号" in r.content.decode()
    bad = d.sides["a"]["id"][:17] + ("0" if d.sides["a"]["id"][17] != "0" else "1")  # wrong check character
    r = client.post(url, {"id_number": bad, "category": "full", "joined_on": "2010-01-01"})
    assert r.status_code == 400 and "身份证号校验位不正确" in r.content.decode()
    assert "id_number校验位" not in r.content.decode()  # the message says 身份证号, not the form field's name
    r = client.post(
        url,
        {
            "id_number": d.sides["b"]["id"],
            "category": "full",
            "joined_on": "2010-01-01",
            "full_on": "2011-01-01",
        },
    )
    assert r.status_code == 400 and "不属于" in r.content.decode()
    r = client.post(
        url,
        {
            "id_number": d.sides["a"]["id"],
            "category": "full",
            "joined_on": "2010-01-01",
            "full_on": "2011-01-01",
        },
    )
    assert r.status_code == 400 and "已在白杨街道机关党支部党员名册中" in r.content.decode()
    n = id_number()
    member_services.create_person(actor=ROOT, org=d.base_a1, name="新党员", id_number=n)
    r = client.post(url, {"id_number": n, "category": "probationary", "joined_on": "2026-13-01"})
    assert r.status_code == 400 and "入党日期格式不对" in r.content.decode()
    r = client.post(
        url,
        {
            "id_number": n,
            "category": "probationary",
            "joined_on": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
        },
    )
    assert r.status_code == 302
    assert PartyMember.objects.get(person__name="新党员").branch == d.branch_a


def test_dues_form_page_pay_and_reverse(client, world):
    d = world
    a = d.sides["a"]
    client.force_login(d.users["street_a.admin"])
    m = a["member"]
    r = client.post(f"/console/party/members/{m.pk}/dues/edit/", {"base": "x"})
    assert r.status_code == 400 and "月缴费基数应为金额" in r.content.decode()
    r = client.post(
        f"/console/party/members/{m.pk}/dues/edit/", {"base": "", "fixed": "1", "fixed_reason": ""}
    )
    assert r.status_code == 400 and "固定缴纳的原因" in r.content.decode()
    assert client.post(f"/console/party/members/{m.pk}/dues/edit/", {"base": "12000"}).status_code == 302
    m.refresh_from_db()
    assert m.monthly_fen == 24000
    other = make_party_member(d.branch_a, "未缴者", org=d.base_a1, base="3000")
    month = timezone.localdate().strftime("%Y-%m")
    html = client.get(f"/console/party/branches/{d.branch_a.pk}/dues/?month={month}").content.decode()
    assert "未缴者" in html and "40.00" in html and "15.00" in html  # paid at the old base; the other due
    r = client.post(
        f"/console/party/branches/{d.branch_a.pk}/dues/pay/",
        {"member": [other.pk], "period": month},
        follow=True,
    )
    assert "已登记 1 人的党费" in r.content.decode()
    r = client.post(
        f"/console/party/branches/{d.branch_a.pk}/dues/pay/",
        {"member": [other.pk], "period": month},
        follow=True,
    )
    assert "的党费已登记" in r.content.decode()
    r = client.post(f"/console/party/dues/{a['payment'].pk}/reverse/", {"reason": ""}, follow=True)
    assert "请填写冲正原因" in r.content.decode()
    client.post(f"/console/party/dues/{a['payment'].pk}/reverse/", {"reason": "金额有误"})
    assert DuesEntry.objects.filter(reverses=a["payment"]).count() == 1
    html = client.get(f"/console/party/members/{m.pk}/").content.decode()
    assert "已冲正" in html and "-40.00" in html


def test_meeting_form_and_exports(client, world):
    from python_calamine import CalamineWorkbook

    d = world
    client.force_login(d.users["street_a.admin"])
    a = d.sides["a"]
    url = f"/console/party/branches/{d.branch_a.pk}/meetings/new/"
    html = client.get(url).content.decode()
    assert f'name="att_{a["member"].pk}"' in html
    today = timezone.localdate().isoformat()
    r = client.post(
        url,
        {
            "kind": "lecture",
            "held_on": today,
            "topic": '=HYPERLINK("http://x","点我")',
            "minutes": "书记讲党课，党员交流学习体会。",
        },
    )
    assert r.status_code == 400 and "请选择党员a的出席情况" in r.content.decode()
    r = client.post(
        url,
        {
            "kind": "lecture",
            "held_on": today,
            "topic": '=HYPERLINK("http://x","点我")',
            "minutes": "书记讲党课，党员交流学习体会。",
            f"att_{a['member'].pk}": "leave",
        },
    )
    assert r.status_code == 302
    r = client.get(f"/console/party/meetings/export/?year={timezone.localdate().year}")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][:4] == ["序号", "党支部", "会议类型", "会议日期"]
    assert len(rows) == 3 and {x[1] for x in rows[1:]} == {"白杨街道机关党支部"}
    evil = next(x for x in rows[1:] if "HYPERLINK" in x[4])
    assert not str(evil[4]).startswith("=") and "党员a（请假）" in evil[10]
    r = client.get(f"/console/party/branches/{d.branch_a.pk}/dues/export/?year={timezone.localdate().year}")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][:3] == ["序号", "姓名", "身份证号"] and len(rows) == 2
    assert rows[1][2] != a["id"] and "*" in rows[1][2] and rows[1][-1] == 40.0
    assert AuditEntry.objects.filter(action="party.meetings_export").count() == 1
    assert AuditEntry.objects.filter(action="party.dues_export").count() == 1
    html = client.get("/console/party/compliance/").content.decode()
    assert 'data-kind="lecture"' in html and "党课每季度至少 1 次" in html
