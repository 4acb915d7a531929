"""Who may be nominated, by whom: a live member of the nominating administrator's own subtree, inside the
selection's audience, once per selection (a UNIQUE constraint); a photo is checked by content and re-encoded."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import make_person
from lianxin.talent import services
from lianxin.talent.models import Candidate
from lianxin.talent.testing import deeds, make_selection

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def sel(district):
    s = make_selection(district.fed)
    return services.open_nomination(actor=district.users["fed.admin"], selection=s)


def nominate(user, sel, person, **kw):
    return services.nominate(actor=user, selection=sel, person=person, deeds=kw.pop("deeds", deeds()), **kw)


def test_a_union_admin_nominates_only_inside_their_subtree(district, members, sel):
    admin_a = district.users["street_a.admin"]
    c = nominate(admin_a, sel, members["a0"].person)
    assert c.union == district.base_a1 and c.status == "pending"
    with pytest.raises(PermissionDenied) as e:
        nominate(admin_a, sel, members["b0"].person)
    assert "不在您的管理范围内" in e.value.message
    with pytest.raises(PermissionDenied):
        nominate(district.users["street_a.reviewer"], sel, members["a1"].person)
    with pytest.raises(PermissionDenied):
        nominate(district.users["base_a1.admin"], sel, members["b1"].person)
    assert nominate(district.users["base_a1.admin"], sel, members["a1"].person).union == district.base_a1
    assert AuditEntry.objects.filter(action="talent.candidate_nominate").count() == 2


def test_only_live_members_inside_the_audience(district, members):
    admin = district.users["street_a.admin"]
    street_sel = services.open_nomination(actor=district.users["street_b.admin"],
                                          selection=make_selection(district.street_b, title="下沙街道最美职工"))
    with pytest.raises(ServiceError) as e:
        nominate(district.users["fed.admin"], street_sel, members["a0"].person)
    assert e.value.code == "out_of_audience"
    fed_sel = services.open_nomination(actor=district.users["fed.admin"], selection=make_selection(district.fed))
    outsider = make_person(district.base_a1, "未入会")
    with pytest.raises(ServiceError) as e:
        nominate(admin, fed_sel, outsider)
    assert e.value.code == "not_member"


def test_once_per_selection_by_the_database(district, members, sel):
    admin = district.users["street_a.admin"]
    nominate(admin, sel, members["a0"].person)
    with pytest.raises(ServiceError) as e:
        nominate(district.users["fed.admin"], sel, members["a0"].person)
    assert e.value.code == "duplicate" and "已被推荐" in e.value.message
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidate.objects.create(selection=sel, person=members["a0"].person, union=district.base_a1, deeds="x")


def test_deeds_are_required(district, members, sel):
    with pytest.raises(ServiceError) as e:
        nominate(district.users["street_a.admin"], sel, members["a0"].person, deeds="好")
    assert e.value.field == "deeds"


def test_the_photo_is_checked_by_content_and_re_encoded(district, members, sel, settings, tmp_path):
    from lianxin.content.samples import make_png

    settings.MEDIA_ROOT = tmp_path
    admin = district.users["street_a.admin"]
    fake = SimpleUploadedFile("photo.png", b"<?php echo 1; ?>" * 20, content_type="image/png")
    with pytest.raises(ServiceError) as e:
        nominate(admin, sel, members["a0"].person, photo=fake)
    assert e.value.field == "photo" and "JPEG 或 PNG" in e.value.message
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (3 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ServiceError) as e:
        nominate(admin, sel, members["a0"].person, photo=big)
    assert "不能超过" in e.value.message
    assert not Candidate.objects.exists()
    c = nominate(admin, sel, members["a0"].person, photo=SimpleUploadedFile("p.png", make_png()))
    assert c.photo.name.endswith(".jpg") and c.photo.read(3) == b"\xff\xd8\xff"


def test_review_is_the_organisers(district, members, sel):
    c = nominate(district.users["street_a.admin"], sel, members["a0"].person)
    with pytest.raises(PermissionDenied):
        services.review_candidate(actor=district.users["street_a.admin"], candidate=c, approve=True)
    with pytest.raises(ServiceError) as e:
        services.review_candidate(actor=district.users["fed.admin"], candidate=c, approve=False)
    assert e.value.field == "note"
    services.review_candidate(actor=district.users["fed.admin"], candidate=c, approve=False, note="材料不全")
    assert AuditEntry.objects.get(action="talent.candidate_reject").reason == "材料不全"
