"""The staff second factor (DESIGN stack table: django-otp), as one gate in front of everything staff can do.

Why a gate and not only a decorator: staff reach personal data through the console (``/console/``), the Django
admin (``/admin/``), the JSON API (``/api/v1/``, session-authenticated) and file views (attachments,
certificates). A password-only session of a staff account must reach none of them, including pages written
later by someone who forgets a decorator. So :class:`StaffOTPMiddleware` is fail-closed: for a signed-in staff
account whose session has not passed the code step, every path is refused except the short allowlist needed
to *finish* signing in (the code pages, log-in and log-out pages, static files, public certificate checks).
``staff_required`` checks the same thing again (:func:`second_step_pending`) for console views.

Who is staff: a superuser, a user flagged ``is_staff`` (every grant sets it), or anyone holding an active
StaffRole. Members with no staff role are never affected — the portal stays one SMS step.

``settings.LIANXIN_STAFF_OTP`` is ``"required"`` (the default, production) or ``"off"`` (the local demo that
``make run`` writes into var/local.env, and the test settings — the OTP tests switch it back on). It is read
on every request so tests can flip it with the ``settings`` fixture.

The same middleware enforces a temporary password (``User.must_change_password``, set when an administrator
resets a forgotten password): such a session, once past the code step, opens nothing but the change-password
page (:data:`PASSWORD_URL`) and the log-in/log-out pages until the password is changed. It also sends Django
admin's own password-change form to 我的账号, so every password change goes through the audited service.
Once the temporary password has expired (LIANXIN_TEMP_PASSWORD_HOURS), such a session is signed out with the
reason (the password itself is refused by ``User.check_password``).

Verification state is django-otp's: :class:`django_otp.middleware.OTPMiddleware` (listed right after
AuthenticationMiddleware) gives ``request.user.is_verified()``, true once :func:`django_otp.login` stored a
confirmed device of this user in the session. Resetting a user's devices therefore un-verifies every session
that used them.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect

REQUIRED, OFF = "required", "off"
MODES = (REQUIRED, OFF)

VERIFY_URL = "/console/otp/"
SETUP_URL = "/console/otp/setup/"

# Paths an unverified staff session may still open: what it takes to finish (or abandon) signing in.
ALLOWED_PREFIXES = (
    "/console/otp/",
    "/console/login/",
    "/console/logout/",
    "/admin/login/",
    "/admin/logout/",
    "/m/login/",
    "/m/logout/",
    "/verify/",  # public certificate verification, no session needed
)


PASSWORD_URL = "/console/account/password/"
LOGIN_URL = "/console/login/"
ACCOUNT_URL = "/console/account/"
ADMIN_PASSWORD_CHANGE = "/admin/password_change/"

# Paths a session with a temporary password may still open: the change-password page, the code step that
# comes before it, and signing in or out.
PASSWORD_ALLOWED_PREFIXES = (PASSWORD_URL, *ALLOWED_PREFIXES)


def otp_mode() -> str:
    mode = getattr(settings, "LIANXIN_STAFF_OTP", REQUIRED)
    return mode if mode in MODES else REQUIRED  # an unknown value fails closed (settings.py also rejects it)


def otp_required() -> bool:
    return otp_mode() == REQUIRED


def is_staff_account(user) -> bool:
    """Superusers, ``is_staff`` accounts and holders of an active grant need the second factor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    from lianxin.core.scoping import scope_for

    return scope_for(user).is_staff


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def second_step_pending(request) -> bool:
    """A staff account signed in with its password only, while the second factor is required."""
    user = getattr(request, "user", None)
    return otp_required() and is_staff_account(user) and not is_verified(user)


def password_change_pending(request) -> bool:
    """A signed-in account still on the temporary password an administrator gave it."""
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "must_change_password", False))


def verify_url(next_path: str = "") -> str:
    return f"{VERIFY_URL}?next={quote(next_path)}" if next_path else VERIFY_URL


def safe_next(request, default: str = "/console/") -> str:
    """``next`` from the query or form when it points into this site; else ``default``."""
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return default


class StaffOTPMiddleware:
    """Refuse a staff session that has not passed the code step (see the module docstring). List it after
    OTPMiddleware and AuthenticationMiddleware. The API gets a JSON 403 in Chinese, pages a redirect to the
    code page that comes back afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if password_change_pending(request) and request.user.temporary_password_expired:
            return self._end_expired_session(request)
        if second_step_pending(request) and not self._allowed(request.path_info):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": "请先完成工作人员二次验证（动态验证码）", "code": "otp_required"},
                                    status=403, json_dumps_params={"ensure_ascii": False})
            nxt = request.get_full_path() if request.method == "GET" else ""
            return redirect(verify_url(nxt))
        if password_change_pending(request) and not self._allowed(request.path_info, PASSWORD_ALLOWED_PREFIXES):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": "请先修改管理员给您的临时密码", "code": "password_change_required"},
                                    status=403, json_dumps_params={"ensure_ascii": False})
            nxt = request.get_full_path() if request.method == "GET" else ""
            return redirect(f"{PASSWORD_URL}?next={quote(nxt)}" if nxt else PASSWORD_URL)
        if request.path_info.startswith(ADMIN_PASSWORD_CHANGE) and request.user.is_authenticated:
            return redirect(ACCOUNT_URL)  # one, audited way to change a password (accounts.services)
        return self.get_response(request)

    @staticmethod
    def _end_expired_session(request):
        """A session signed in with a temporary password that has since expired: it could only ever change
        the password, and that needs the expired password, so it is signed out with the reason."""
        from django.contrib import messages
        from django.contrib.auth import logout

        from .models import TemporaryPasswordExpired, temporary_password_hours

        message = TemporaryPasswordExpired(temporary_password_hours()).messages[0]
        logout(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "temporary_password_expired"}, status=401,
                                json_dumps_params={"ensure_ascii": False})
        messages.error(request, message)
        return redirect(LOGIN_URL)

    @staticmethod
    def _allowed(path: str, prefixes=ALLOWED_PREFIXES) -> bool:
        static = settings.STATIC_URL or "/static/"
        return path.startswith(prefixes) or path.startswith(static)


def qr_svg(data: str) -> str:
    """The enrolment QR code as inline SVG (segno, drawn here; no external QR service, no image request)."""
    import segno

    return segno.make(data, error="m").svg_inline(scale=5, border=2, dark="#111", light="#fff")
