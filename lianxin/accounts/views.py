"""Console pages of staff accounts: the second-factor code step after the password, first-time enrolment with
a QR code and backup codes, 我的账号 (own roles, password change, new backup codes), and the administrators'
overview with the lost-phone and forgotten-password resets. Thin: the rules are in services.py (codes,
throttling, passwords, audit) and otp.py (who must pass, the gate)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import scope_for
from lianxin.core.views import staff_required

from . import selectors, services
from .models import temporary_password_hours
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


# ---------------------------------------------------------------- 我的账号


def _render_account(request, *, code_error: str = "", contact_errors: dict | None = None, status: int = 200,
                    mobile: str = ""):
    from .models import NotifyVia

    return render(request, "accounts/account.html", {
        "a": selectors.my_account(actor=request.user), "otp_on": otp_required(), "code_error": code_error,
        "contact_errors": contact_errors or {}, "via_choices": NotifyVia.choices, "mobile_value": mobile,
        "gap_minutes": services.staff_sms_minutes(),
    }, status=status)


def _contact_refused(request, e: ServiceError, *, default_field: str, mobile: str = ""):
    """A refused reminder-settings form: the account page again, 400, the Chinese message under its field."""
    field = e.field if e.field in ("mobile", "code", "notify_via") else default_field
    return _render_account(request, contact_errors={field: e.message}, status=400, mobile=mobile)


@staff_required
@never_cache
def account(request):
    """The signed-in staff member's own account: name, roles, second factor, password change, backup codes."""
    return _render_account(request)


@staff_required
@never_cache
def account_password(request):
    """Change one's own password: current one, new one twice. Also the page a temporary password leads to
    (otp.StaffOTPMiddleware sends every other page here until it is changed). The current session stays
    signed in; the account's other sessions end."""
    nxt = safe_next(request, default="/console/account/")
    errors = {}
    if request.method == "POST":
        new = request.POST.get("new", "")
        if new and request.POST.get("new_again", "") != new:
            errors["new_again"] = "两次输入的新密码不一致"
        else:
            try:
                user = services.change_own_password(actor=request.user, current=request.POST.get("current", ""),
                                                    new=new)
            except ServiceError as e:
                errors[e.field if e.field in ("current", "new") else "current"] = e.message
            else:
                update_session_auth_hash(request, user)  # this session stays; the others end
                messages.success(request, "密码已修改；该账号在其他设备上的登录已退出")
                return redirect(nxt)
    return render(request, "accounts/password_change.html", {
        "errors": errors, "next": nxt, "forced": request.user.must_change_password,
    }, status=400 if errors else 200)


@staff_required
@require_POST
@never_cache
def account_backup_codes(request):
    """New backup codes for one's own account (the old ones void), against a current authenticator code."""
    try:
        codes = services.regenerate_backup_codes(actor=request.user, code=request.POST.get("code", ""))
    except ServiceError as e:
        return _render_account(request, code_error=e.message, status=400)
    return render(request, "accounts/otp_backup_codes.html", {"codes": codes, "next": "/console/account/",
                                                               "regenerated": True})


# ---------------------------------------------------------------- administrators: forgotten password


@staff_required
@require_POST
@never_cache
def staff_password_reset(request, pk):
    """A temporary password for a staff member in the administrator's reach, shown on this response only
    (not put in a flash message: those can sit in a cookie)."""
    _require_some_change(request.user)
    target = selectors.staff_user_for_change(actor=request.user, pk=pk)
    try:
        temporary = services.reset_staff_password(actor=request.user, user=target,
                                                  reason=request.POST.get("reason", ""))
    except ServiceError as e:
        messages.error(request, f"{target}：{e.message}")
        return redirect("/console/staff-otp/")
    target.refresh_from_db(fields=["must_change_password", "temporary_password_issued_at"])
    return render(request, "accounts/password_reset_done.html", {
        "target": target, "temporary": temporary, "otp_on": otp_required(),
        "expires_at": target.temporary_password_expires_at, "hours": temporary_password_hours(),
    })


# ---------------------------------------------------------------- 我的账号: work reminders outside the console


@staff_required
@require_POST
@never_cache
def contact_code(request):
    """Send a one-time code to the mobile the staff member wants reminders on."""
    mobile = request.POST.get("mobile", "")
    try:
        masked = services.request_contact_code(actor=request.user, mobile=mobile)
    except ServiceError as e:
        return _contact_refused(request, e, default_field="mobile", mobile=mobile[:20])
    messages.success(request, f"验证码已发送至 {masked}，请在 {services.CONTACT_CODE_TTL_MINUTES} 分钟内输入")
    return redirect("/console/account/#account-contact")


@staff_required
@require_POST
@never_cache
def contact_confirm(request):
    try:
        contact = services.confirm_contact_code(actor=request.user, code=request.POST.get("code", ""))
    except ServiceError as e:
        return _contact_refused(request, e, default_field="code")
    tail = "" if contact.notify_via == "sms" else "；如需短信提醒，请在下方选择“站内消息+短信”"
    messages.success(request, f"提醒手机号 {contact.mobile_masked} 已验证{tail}")
    return redirect("/console/account/#account-contact")


@staff_required
@require_POST
@never_cache
def contact_notify(request):
    try:
        contact = services.set_notify_via(actor=request.user, via=request.POST.get("notify_via", ""))
    except ServiceError as e:
        return _contact_refused(request, e, default_field="notify_via")
    messages.success(request, f"工作提醒方式已设为“{contact.get_notify_via_display()}”")
    return redirect("/console/account/#account-contact")


@staff_required
@require_POST
@never_cache
def contact_remove(request):
    try:
        services.remove_contact_mobile(actor=request.user)
    except ServiceError as e:
        return _contact_refused(request, e, default_field="mobile")
    messages.success(request, "提醒手机号已删除，不再发送短信提醒")
    return redirect("/console/account/#account-contact")
