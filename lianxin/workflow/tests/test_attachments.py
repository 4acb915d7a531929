"""Attachments are judged by content: only JPEG, PNG and PDF, within the size limit, stored under MEDIA_ROOT
(outside the web root, no URL)."""

from pathlib import Path

import pytest
from django.conf import settings

from lianxin.core.errors import ServiceError
from lianxin.workflow import services
from lianxin.workflow.models import Attachment

from .helpers import PDF, PNG, Upload, join_data, worker

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def draft(district):
    u = worker()
    return u, services.create_application(actor=u, programme="join", data=join_data(district, n=801))


@pytest.mark.parametrize("content,name", [
    (b"just some text pretending to be a pdf\n", "scan.pdf"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200, "contract.pdf"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "photo.jpg"),
    (b"<html><script>alert(1)</script></html>", "id.png"),
    (b"%PDF-1.4\n" + b"x" * 100, "truncated.pdf"),
])
def test_fake_files_refused(draft, content, name):
    u, app = draft
    with pytest.raises(ServiceError) as e:
        services.add_attachment(actor=u, app=app, slot="photo", upload=Upload(content, name))
    assert "PDF" in e.value.message
    assert not Attachment.objects.exists()


def test_oversize_refused(draft):
    u, app = draft
    big = PDF[:-6] + b"0" * services.MAX_ATTACHMENT_BYTES + b"%%EOF\n"
    with pytest.raises(ServiceError) as e:
        services.add_attachment(actor=u, app=app, slot="photo", upload=Upload(big, "big.pdf"))
    assert "过大" in e.value.message


def test_real_files_stored_privately(draft):
    u, app = draft
    a = services.add_attachment(actor=u, app=app, slot="photo", upload=Upload(PNG, "photo.pdf"))
    b = services.add_attachment(actor=u, app=app, slot="photo", upload=Upload(PDF, "scan"))
    assert (a.content_type, b.content_type) == ("image/png", "application/pdf")
    assert a.file.name.endswith(".png")  # the stored name follows the content, not the upload's name
    path = Path(a.file.path).resolve()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    with pytest.raises(ValueError):
        a.file.url  # noqa: B018 - no public URL exists


def test_unknown_slot_and_stranger(draft, district):
    u, app = draft
    with pytest.raises(ServiceError):
        services.add_attachment(actor=u, app=app, slot="nope", upload=Upload(PDF, "a.pdf"))
    with pytest.raises(ServiceError):
        services.add_attachment(actor=worker("stranger"), app=app, slot="photo", upload=Upload(PDF, "a.pdf"))


def test_upload_through_member_page(draft, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    u, app = draft
    client.force_login(u)
    resp = client.post(f"/m/my/applications/{app.pk}/", {
        **{k: v for k, v in app.form.items() if v is not None}, "id_number": "", "mobile": "", "action": "save",
        "file_photo": SimpleUploadedFile("x.pdf", b"plain text", content_type="application/pdf")})
    assert resp.status_code == 400 and "只能上传" in resp.content.decode()
