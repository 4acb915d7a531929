"""The back office lists the party records read-only and only within the admin's subtree."""

import pytest
from django.utils import timezone

from lianxin.core.testing import ROOT
from lianxin.party import services
from lianxin.party.models import Transfer
from lianxin.party.testing import make_meeting, make_party_member

pytestmark = [pytest.mark.django_db]


def test_party_records_in_scope_only_and_read_only(client, party):
    d = party
    m = make_party_member(d.branch_a, "白杨党员", base="5000")
    mt = make_meeting(d.branch_a, topic="白杨支部会议")
    e = services.record_payment(actor=ROOT, member=m, period=services.period_of(timezone.localdate()))
    services.transfer_member(actor=ROOT, member=m, to_branch=d.branch_a2, on=timezone.localdate())
    t = Transfer.objects.get(person=m.person)
    m2 = make_party_member(d.branch_a, "白杨党员二")
    letter = services.send_letter(actor=ROOT, member=m2, to_branch=d.branch_a2)  # both sides in street A
    pages = {"partymember": m.pk, "meeting": mt.pk, "duesentry": e.pk, "transfer": t.pk, "transferletter": letter.pk}
    client.force_login(d.users["street_a.admin"])
    assert "白杨支部会议" in client.get("/admin/party/meeting/").content.decode()
    for model, pk in pages.items():
        assert client.get(f"/admin/party/{model}/").status_code == 200, model
        assert client.get(f"/admin/party/{model}/{pk}/change/").status_code == 200, model
        assert client.get(f"/admin/party/{model}/add/").status_code == 403, model
        assert client.post(f"/admin/party/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403, model
    client.force_login(d.users["street_b.admin"])
    assert "白杨支部会议" not in client.get("/admin/party/meeting/").content.decode()
    for model, pk in pages.items():
        assert client.get(f"/admin/party/{model}/{pk}/change/").status_code == 404, model
    assert services.roster_on(d.branch_a2, timezone.localdate()).count() == 1  # nothing deleted
