"""Reads of staff accounts for the console, always scoped (DESIGN rule 1)."""

from __future__ import annotations

from dataclasses import dataclass

from lianxin.core.admin_scoping import scope_queryset

from .models import User


@dataclass
class StaffOTPRow:
    user: User
    enrolled: bool
    pending: bool  # an unconfirmed device: enrolment started, not finished
    backup_left: int
    failures: int  # successive failed codes right now (django-otp's throttle counter)


def staff_otp_overview(*, actor) -> list[StaffOTPRow]:
    """Staff accounts whose grants lie in the actor's *change* reach, with their second-factor state. Used by
    administrators to spot guessing (failures) and to reset a lost phone."""
    from django.db.models import Count, Max, Q
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    users = list(scope_queryset(User.objects.filter(Q(staff_roles__active=True) | Q(is_superuser=True)).distinct(),
                                actor, "change").order_by("username")[:500])
    ids = [u.pk for u in users]
    totp = {r["user"]: r for r in TOTPDevice.objects.filter(user__in=ids).values("user").annotate(
        n_confirmed=Count("pk", filter=Q(confirmed=True)), n_pending=Count("pk", filter=Q(confirmed=False)),
        max_failures=Max("throttling_failure_count"))}
    static = {r["user"]: r for r in StaticDevice.objects.filter(user__in=ids).values("user").annotate(
        n_tokens=Count("token_set"), max_failures=Max("throttling_failure_count"))}
    rows = []
    for u in users:
        t, s = totp.get(u.pk, {}), static.get(u.pk, {})
        rows.append(StaffOTPRow(user=u, enrolled=bool(t.get("n_confirmed")), pending=bool(t.get("n_pending")),
                                backup_left=s.get("n_tokens") or 0,
                                failures=max(t.get("max_failures") or 0, s.get("max_failures") or 0)))
    return rows


def staff_user_for_change(*, actor, pk) -> User:
    """One staff account in the actor's change reach; 404 outside (existence does not leak)."""
    from django.http import Http404

    try:
        return scope_queryset(User.objects.all(), actor, "change").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def backup_codes_left(user) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass
class MyAccount:
    user: User
    roles: list  # active StaffRole rows, organisation loaded
    enrolled: bool  # a confirmed authenticator
    pending: bool  # enrolment started, not finished
    backup_left: int
    contact: object = None  # StaffContact or None: work reminders outside the console
    pending_mobile: str = ""  # masked number awaiting its one-time code ("" when none)
    wechat_bound: bool = False  # the account has a WeChat openid (console accounts normally do not)


def my_account(*, actor) -> MyAccount:
    """What 我的账号 shows the signed-in user about their own account: their active roles (organisation and
    role) and the state of their second factor. Only the actor's own rows are read."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import StaffRole

    roles = list(StaffRole.objects.filter(user=actor, active=True).select_related("organization")
                 .order_by("organization__path", "role"))
    states = set(TOTPDevice.objects.filter(user=actor).values_list("confirmed", flat=True))
    return MyAccount(user=actor, roles=roles, enrolled=True in states, pending=False in states and True not in states,
                     backup_left=backup_codes_left(actor), contact=my_contact(actor=actor),
                     pending_mobile=pending_contact_mobile(actor=actor), wechat_bound=bool(_openid(actor)))


def my_contact(*, actor):
    """The actor's own reminder settings (StaffContact), or None before they set any."""
    from .models import StaffContact

    return StaffContact.objects.filter(user=actor).first() if getattr(actor, "pk", None) else None


def pending_contact_mobile(*, actor) -> str:
    """The masked number the actor asked a code for and has not confirmed yet (the code still valid)."""
    from django.utils import timezone

    from .models import ContactCode

    return (ContactCode.objects.filter(user=actor, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-id").values_list("mobile_masked", flat=True).first() or "")


def _openid(actor) -> str:
    from .services import wechat_openid

    return wechat_openid(actor)
