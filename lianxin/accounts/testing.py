"""Test helpers for the staff second factor, for any app's tests.

The test settings switch the second factor off (``LIANXIN_STAFF_OTP = "off"``), because most tests sign staff
in with ``client.force_login`` or the password form and test something else. A test that wants the real gate
turns it on with the ``otp_required`` fixture (or ``settings.LIANXIN_STAFF_OTP = "required"``) and signs in
through :func:`login_verified` — a session exactly as the code page leaves it — or through the pages with a
code from :func:`current_code`.

    from lianxin.accounts.testing import login_verified, otp_required  # noqa: F401  (fixture)

    def test_x(district, client, otp_required):
        login_verified(client, district.users["street_a.admin"])
"""

from __future__ import annotations

import pytest

from lianxin.core.testing import PASSWORD


@pytest.fixture
def otp_required(settings):
    settings.LIANXIN_STAFF_OTP = "required"
    return settings


def current_code(device_or_key, *, steps_ahead: int = 0) -> str:
    """The 6-digit code an authenticator shows now (or ``steps_ahead`` 30-second steps later) for a device or
    its raw key, computed with django-otp's own TOTP (RFC 6238). A code is accepted once: the device remembers
    the last step used, so a second sign-in in the same 30 s needs ``steps_ahead=1`` (within the tolerance)."""
    from django_otp.oath import totp

    if isinstance(device_or_key, bytes):
        key, step, t0, digits, drift = device_or_key, 30, 0, 6, 0
    else:
        d = device_or_key
        key, step, t0, digits, drift = d.bin_key, d.step, d.t0, d.digits, d.drift
    return f"{totp(key, step=step, t0=t0, digits=digits, drift=drift + steps_ahead):0{digits}d}"


def key_from_secret(secret: str) -> bytes:
    """The raw key from the base32 secret the enrolment page shows (spaces allowed)."""
    from base64 import b32decode

    s = "".join(secret.split()).upper()
    return b32decode(s + "=" * (-len(s) % 8))


def enroll(user):
    """Give ``user`` a confirmed authenticator and backup codes through the real services.
    Returns ``(totp_device, backup_codes)``."""
    from . import services

    device = services.begin_totp_enrollment(user=user)
    return services.confirm_totp_enrollment(user=user, code=current_code(device))


def login_verified(client, user, device=None):
    """``client.force_login`` plus the second factor passed, as the code page would leave the session."""
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

    if device is None:
        device = next(devices_for_user(user, confirmed=True), None) or enroll(user)[0]
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def password_login(client, user, password: str = PASSWORD):
    """The console password form, as a person does it (the first of the two steps)."""
    return client.post("/console/login/", {"username": user.get_username(), "password": password})


def sent_contact_code(user) -> str:
    """The code in the newest verification SMS for ``user``'s reminder number, read from the outbox as the
    phone would receive it."""
    import re

    from lianxin.core.models import Notification

    from .models import ContactCode

    c = ContactCode.objects.filter(user=user).order_by("-id").first()
    body = Notification.objects.get(dedupe_key=f"staff-contact-code:{c.pk}").body
    return re.search(r"验证码 (\d{6})", body).group(1)


def opt_in(user, phone: str, via: str = "sms"):
    """Give ``user`` a verified reminder number and the chosen way of reminding, through the real services
    (code requested, read off the outbox, confirmed). Returns the StaffContact."""
    from . import services

    services.request_contact_code(actor=user, mobile=phone)
    services.confirm_contact_code(actor=user, code=sent_contact_code(user))
    return services.set_notify_via(actor=user, via=via)
