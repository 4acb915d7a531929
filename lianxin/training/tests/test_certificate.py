"""The printable 结业证书 (PDF with a QR code) and its public verification page /verify/training/<token>/: the PDF
is a real PDF carrying the number and the Chinese font, its QR code's URL opens the public page, which shows the
holder's name masked and nothing else about the person; a forged token is a Chinese 404 page; the member downloads
only their own certificate, staff only within their scope; the public page passes the member pages' checks (a
Chinese phone page, nothing from another origin, the CSP header)."""

import base64
import re
import secrets
import zlib

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.models import AuditEntry
from lianxin.core.pagecheck import Page
from lianxin.core.testing import ROOT
from lianxin.training import certificates, services
from lianxin.training.certificates import mask_name
from lianxin.training.models import Enrolment
from lianxin.training.testing import attend_all, end_class, make_class, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def _literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes, its backslash escapes undone."""
    out, i = bytearray(), 0
    simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(raw):
        ch = raw[i]
        if ch != 0x5C:
            out.append(ch)
            i += 1
            continue
        m = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
        if m:
            out.append(int(m.group(), 8) & 0xFF)
            i += 1 + len(m.group())
        else:
            out.append(simple.get(raw[i + 1], raw[i + 1]))
            i += 2
    return bytes(out)


def pdf_lines(pdf: bytes) -> list[str]:
    """The text drawn on the page(s): ReportLab's content streams (ASCII85 + Flate) and their ``(…) Tj``
    strings, in the CID font's UCS-2 (UTF-16BE) encoding."""
    lines = []
    for head, body in re.findall(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        if b"/Subtype /Image" in head or b"ASCII85Decode" not in head:
            continue
        content = zlib.decompress(base64.a85decode(body.strip(), adobe=True))
        for raw in re.findall(rb"\(((?:[^\\)]|\\.)*)\) Tj", content, re.S):
            lines.append(_literal(raw).decode("utf-16-be", errors="replace"))
    return lines


@pytest.fixture
def world(district):
    """Street A's class, held: 钱小娟 (base_a1) certified, 林班长 (base_a1) failed the exam; and street B's
    member 黄师傅 certified in a class of street B."""
    d = district
    k = make_class(d.street_a, title="2027 年第一期班组长培训班", places=5, sessions=2)
    a = make_member(d.base_a1, "钱小娟", mobile_no="13912345678")
    f = make_member(d.base_a1, "林班长", mobile_no="13912340000")
    ea = services.enrol(actor=ROOT, klass=k, person=a.person)
    ef = services.enrol(actor=ROOT, klass=k, person=f.person)
    kb = make_class(d.street_b, title="乙街道班组长培训班", places=5, sessions=1)
    b = make_member(d.base_b1, "黄师傅", mobile_no="13812345678")
    eb = services.enrol(actor=ROOT, klass=kb, person=b.person)
    for klass, rows, scores in ((k, [ea, ef], {str(ea.pk): "88", str(ef.pk): "40"}), (kb, [eb], {str(eb.pk): "90"})):
        end_class(klass)
        attend_all(klass, rows)
        services.record_scores(actor=ROOT, klass=klass, scores=scores)
        services.issue_certificates(actor=ROOT, klass=klass)
    ea.refresh_from_db()
    ef.refresh_from_db()
    eb.refresh_from_db()
    assert ea.certificate_no and eb.certificate_no and not ef.certificate_no
    return d, k, a, ea, ef, b, eb


def test_mask_name():
    assert [mask_name(n) for n in ("钱小娟", "王磊", "欧阳晓明", "李", "")] == ["钱*娟", "王*", "欧**明", "*", ""]


def test_issuing_gives_each_certificate_its_own_unguessable_token(world):
    d, k, a, ea, ef, b, eb = world
    assert len(ea.certificate_token) >= 32 and ea.certificate_token != eb.certificate_token
    assert ef.certificate_token is None
    # the database keeps number and token together, and tokens unique
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=ea.pk).update(certificate_token=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=ef.pk).update(certificate_token=secrets.token_urlsafe(24))
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=eb.pk).update(certificate_token=ea.certificate_token)


def test_member_downloads_own_pdf_and_its_qr_verifies(client, world, monkeypatch):
    d, k, a, ea, ef, b, eb = world
    drawn = []
    real = certificates.draw_qr
    monkeypatch.setattr(certificates, "draw_qr", lambda c, url, *args: (drawn.append(url), real(c, url, *args)))
    client.force_login(a.user)
    page = client.get("/m/training/").content.decode()
    assert f'href="/m/training/certificates/{ea.pk}.pdf"' in page
    resp = client.get(f"/m/training/certificates/{ea.pk}.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp["Cache-Control"] == "private, no-store" and f"{ea.certificate_no}.pdf" in resp["Content-Disposition"]
    pdf = resp.content
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF") and len(pdf) > 3000
    assert b"STSong-Light" in pdf and b"/Image" in pdf  # the Chinese font and the QR image
    # what the page says: the holder, the class, organiser, dates, 学时, number, date issued, issuer
    lines = pdf_lines(pdf)
    issued = f"{timezone.localtime(ea.certified_at):%Y年%m月%d日}"
    for text in (f"证书编号：{ea.certificate_no}", "钱小娟 同志：", "结业证书", k.title, d.street_a.name,
                 f"{k.starts_on:%Y年%m月%d日} 至 {k.ends_on:%Y年%m月%d日}", f"{k.hours} 学时",
                 f"发证日期：{issued}", f"发证单位：{d.street_a.name}"):
        assert text in lines, (text, lines)
    # the QR code points at the public page of this certificate, and that page verifies it to anyone
    assert drawn == [f"http://testserver/verify/training/{ea.certificate_token}/"]
    client.logout()
    html = client.get(drawn[0].removeprefix("http://testserver")).content.decode()
    assert "证书真实有效" in html and ea.certificate_no in html
    # only their own: another's certificate, an uncertified enrolment, a missing one — all 404
    for eid in (eb.pk, ef.pk, 999999):
        client.force_login(a.user)
        assert client.get(f"/m/training/certificates/{eid}.pdf").status_code == 404
    client.force_login(b.user)
    assert client.get(f"/m/training/certificates/{ea.pk}.pdf").status_code == 404
    assert client.get(f"/m/training/certificates/{eb.pk}.pdf").status_code == 200


def test_public_page_masks_the_holder_and_shows_the_class(client, world):
    d, k, a, ea, ef, b, eb = world
    resp = client.get(f"/verify/training/{ea.certificate_token}/")  # no login
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "钱*娟" in html and "钱小娟" not in html
    for shown in (ea.certificate_no, k.title, d.street_a.name, k.starts_on.strftime("%Y-%m-%d")):
        assert shown in html
    # nothing else about the person: no mobile, no union, no score, no ID
    for hidden in ("13912345678", "139****5678", d.base_a1.name, "考核成绩", "手机", "身份证"):
        assert hidden not in html, hidden


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43, "x" * 200, "%E4%B8%AD", "' OR 1=1 --"])
def test_forged_token_is_a_chinese_404(client, world, token):
    resp = client.get(f"/verify/training/{token}/")
    html = resp.content.decode()
    assert resp.status_code == 404 and "未找到该结业证书" in html and '<html lang="zh-hans"' in html


def test_a_token_one_character_off_does_not_verify(client, world):
    d, k, a, ea, ef, b, eb = world
    t = ea.certificate_token
    forged = t[:-1] + ("A" if t[-1] != "A" else "B")
    assert client.get(f"/verify/training/{forged}/").status_code == 404


def test_staff_download_scope(client, world):
    """The class's organiser and the trainee's union download it (from the class page and the console's
    verification); street B's staff get 404, as for any uncertified or unknown enrolment."""
    d, k, a, ea, ef, b, eb = world
    for who in ("street_a.admin", "street_a.viewer", "street_a.auditor", "base_a1.admin", "fed.admin"):
        client.force_login(d.users[who])
        assert client.get(f"/console/training/certificates/{ea.pk}.pdf").status_code == 200, who
        assert client.get(f"/console/training/certificates/{ef.pk}.pdf").status_code == 404, who
    for who in ("street_b.admin", "street_b.viewer"):
        client.force_login(d.users[who])
        assert client.get(f"/console/training/certificates/{ea.pk}.pdf").status_code == 404, who
        assert client.get(f"/console/training/certificates/{eb.pk}.pdf").status_code == 200, who
    client.force_login(d.users["base_a1.admin"])
    assert client.get(f"/console/training/certificates/{eb.pk}.pdf").status_code == 404
    assert client.get("/console/training/certificates/999999.pdf").status_code == 404
    # the links: on the class page's roll and on the console's verification result
    client.force_login(d.users["street_a.admin"])
    page = client.get(f"/console/training/{k.pk}/").content.decode()
    assert f'href="/console/training/certificates/{ea.pk}.pdf"' in page
    assert f'href="/verify/training/{ea.certificate_token}/"' in page
    page = client.get(f"/console/training/verify/?no={ea.certificate_no}").content.decode()
    assert f'href="/console/training/certificates/{ea.pk}.pdf"' in page
    # anonymous: sent to sign in, never the file
    client.logout()
    resp = client.get(f"/console/training/certificates/{ea.pk}.pdf")
    assert resp.status_code == 302 and not resp.content.startswith(b"%PDF")
    resp = client.get(f"/m/training/certificates/{ea.pk}.pdf")
    assert resp.status_code == 302 and not resp.content.startswith(b"%PDF")


def test_downloads_are_not_audited_as_the_workflows_are_not(client, world, district):
    """Like the 工会法人资格证书 (``workflow.views.certificate_download`` writes no audit entry), reading a
    certificate is no change: neither a staff nor a member download writes to the audit trail."""
    d, k, a, ea, ef, b, eb = world
    before = AuditEntry.objects.count()
    client.force_login(d.users["street_a.admin"])
    assert client.get(f"/console/training/certificates/{ea.pk}.pdf").status_code == 200
    client.force_login(a.user)
    assert client.get(f"/m/training/certificates/{ea.pk}.pdf").status_code == 200
    assert AuditEntry.objects.count() == before


def test_public_page_is_a_chinese_phone_page_with_nothing_from_elsewhere(client, world):
    """The member pages' checks (portal/tests/test_portal_crawl.py): Chinese, a viewport, no untranslated
    interface words, nothing loaded from another origin; and the CSP header allowing only our own host."""
    from lianxin.portal.tests.test_portal_crawl import problems_of, raw_codes

    d, k, a, ea, ef, b, eb = world
    for url, status in ((f"/verify/training/{ea.certificate_token}/", 200), ("/verify/training/forged/", 404)):
        resp = client.get(url)
        assert resp.status_code == status
        found, page = problems_of(url, resp.content.decode(), raw_codes())
        assert not found, (url, found)
        assert isinstance(page, Page) and page.foreign_urls() == []
        csp = resp.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "http" not in csp.replace("https:", "")

