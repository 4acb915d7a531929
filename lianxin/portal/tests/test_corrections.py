"""Members ask for corrections; nothing changes until an administrator of their union approves."""

import pytest

from lianxin.activities.testing import make_member
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry, Notification
from lianxin.portal import selectors, services
from lianxin.portal.models import DataCorrection

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_submit_review_and_apply(district):
    m = make_member(district.base_a1, "钱伟")
    c = services.submit_correction(actor=m.user, field="name", value="钱玮", reason="登记错字")
    m.person.refresh_from_db()
    assert m.person.name == "钱伟" and c.status == "pending"
    with pytest.raises(ServiceError) as e:
        services.submit_correction(actor=m.user, field="name", value="钱炜")
    assert e.value.code == "duplicate"
    assert c in selectors.corrections_for_review(actor=district.users["street_a.reviewer"])
    assert c not in selectors.corrections_for_review(actor=district.users["street_b.admin"])
    with pytest.raises(PermissionDenied):
        services.approve_correction(actor=district.users["street_a.reviewer"], correction=c)
    services.approve_correction(actor=district.users["street_a.admin"], correction=c)
    m.person.refresh_from_db()
    assert m.person.name == "钱玮"
    assert AuditEntry.objects.filter(action="person.update", object_id=str(m.person.pk)).exists()
    assert Notification.objects.filter(user=m.user, template="correction_done").exists()


def test_mobile_correction_is_encrypted_until_applied(district):
    m = make_member(district.base_a1, "钱伟", mobile_no="13900000001")
    c = services.submit_correction(actor=m.user, field="mobile", value="13712345678")
    assert "13712345678" not in c.requested_cipher and c.requested_display == "137****5678"
    services.approve_correction(actor=district.users["base_a1.admin"], correction=c)
    m.person.refresh_from_db()
    assert m.person.mobile_masked == "137****5678"


def test_reject_needs_reason_and_validation(district):
    m = make_member(district.base_a1)
    with pytest.raises(ServiceError) as e:
        services.submit_correction(actor=m.user, field="education", value="phd")
    assert e.value.field == "value"
    c = services.submit_correction(actor=m.user, field="education", value="bachelor")
    with pytest.raises(ServiceError):
        services.reject_correction(actor=district.users["street_a.reviewer"], correction=c, note="")
    services.reject_correction(actor=district.users["street_a.reviewer"], correction=c, note="请提供学历证明")
    assert DataCorrection.objects.get(pk=c.pk).status == "rejected"


def test_pages(client, district):
    m = make_member(district.base_a1, "钱伟")
    client.force_login(m.user)
    r = client.post("/m/me/correction/", {"field": "job", "value": "班组长"})
    assert r.status_code == 302
    assert "班组长" in client.get("/m/me/").content.decode()
    client.force_login(district.users["street_a.admin"])
    c = DataCorrection.objects.get()
    assert "班组长" in client.get("/console/corrections/").content.decode()
    client.post(f"/console/corrections/{c.pk}/decide/", {"decision": "approve"})
    m.person.refresh_from_db()
    assert m.person.job == "班组长"
    client.force_login(district.users["street_b.admin"])
    assert client.post(f"/console/corrections/{c.pk}/decide/", {"decision": "approve"}).status_code == 404
