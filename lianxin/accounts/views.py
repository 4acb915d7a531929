"""Console pages of the staff second factor: the code step after the password, first-time enrolment with
a QR code and backup codes, and the administrators' overview with the lost-phone reset. Thin: the rules are
in services.py (codes, throttling, audit) and otp.py (who must pass, the gate)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import scope_for
from lianxin.core.views import staff_required

from . import selectors, services
from .otp import SETUP_URL, is_staff_account, is_verified, otp_required, qr_svg, safe_next, verify_url


def _finish(request, device):
    """Mark the session verified with ``device`` and give it a fresh key (a privilege step-up)."""
    from django_otp import login as otp_login

    otp_login(request, device)
    request.session.cycle_key()


def _no_step_needed(request) -> bool:
    return not otp_required() or not is_staff_account(request.user) or is_verified(request.user)


@never_cache
def otp_verify(request):
    """The code step: a 6-digit code from the authenticator, or one backup code."""
    if not request.user.is_authenticated:
        return redirect("/console/login/")
    nxt = safe_next(request)
    if _no_step_needed(request):
        return redirect(nxt)
    from django_otp import user_has_device

    if not user_has_device(request.user, confirmed=True):
        return redirect(f"{SETUP_URL}?next={quote(nxt)}")
    error = ""
    if request.method == "POST":
        try:
            device = services.verify_staff_code(user=request.user, code=request.POST.get("code", ""))
        except ServiceError as e:
            error = e.message
        else:
            _finish(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = selectors.backup_codes_left(request.user)
                messages.warning(request, f"已使用一个备用验证码，还剩 {left} 个；如手机丢失，请联系上级管理员重置验证器")
            return redirect(nxt)
    return render(request, "accounts/otp_verify.html", {"error": error, "next": nxt},
                  status=400 if error else 200)


@never_cache
def otp_setup(request):
    """First sign-in of a staff account: scan the QR code (or type the secret), confirm with a current code,
    then see the 10 backup codes once."""
    if not request.user.is_authenticated:
        return redirect("/console/login/")
    nxt = safe_next(request)
    if _no_step_needed(request):
        return redirect(nxt)
    try:
        device = services.begin_totp_enrollment(user=request.user)
    except ServiceError:  # already enrolled: the code page
        return redirect(verify_url(nxt))
    error = ""
    if request.method == "POST":
        try:
            device, codes = services.confirm_totp_enrollment(user=request.user, code=request.POST.get("code", ""))
        except ServiceError as e:
            error = e.message
        else:
            _finish(request, device)
            return render(request, "accounts/otp_backup_codes.html", {"codes": codes, "next": nxt})
    return render(request, "accounts/otp_setup.html", {
        "qr": qr_svg(device.config_url), "secret": services.totp_secret_base32(device), "error": error,
        "next": nxt, "username": request.user.get_username(),
    }, status=400 if error else 200)


def _require_some_change(user):
    scope = scope_for(user)
    if not (scope.superuser or scope.paths("change")):
        raise PermissionDenied("仅管理员可管理工作人员的验证器")


@staff_required
def staff_otp(request):
    """Administrators: the staff in their reach, whether each has an authenticator, backup codes left and
    current successive failures; a reset (with a reason) for a lost phone."""
    _require_some_change(request.user)
    return render(request, "accounts/staff_otp.html", {"rows": selectors.staff_otp_overview(actor=request.user),
                                                       "otp_on": otp_required()})


@staff_required
@require_POST
def staff_otp_reset(request, pk):
    _require_some_change(request.user)
    target = selectors.staff_user_for_change(actor=request.user, pk=pk)
    try:
        n = services.reset_staff_otp(actor=request.user, user=target, reason=request.POST.get("reason", ""))
    except ServiceError as e:  # PermissionDenied included: shown on the list, not a bare 403
        messages.error(request, f"{target}：{e.message}")
    else:
        messages.success(request, f"已重置 {target} 的验证器（删除 {n} 个设备），其下次登录时重新绑定")
    return redirect("/console/staff-otp/")
