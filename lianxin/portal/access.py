"""Member-page plumbing shared by the portal and the apps that add member pages (activities, venues …)."""

from __future__ import annotations

import os
from functools import wraps
from urllib.parse import quote

from django.shortcuts import redirect


def member_login_required(view):
    """Member pages: a signed-in user (member or not yet); anonymous visitors go to the SMS sign-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"/m/login/?next={quote(request.get_full_path())}")
        return view(request, *args, **kwargs)

    return wrapper


def client_ip(request) -> str:
    """The client address for rate limits. X-Forwarded-For is trusted only when the deployment says a proxy
    sets it (LIANXIN_TRUSTED_PROXY_HOPS=1), otherwise any client could pick its own address."""
    hops = int(os.environ.get("LIANXIN_TRUSTED_PROXY_HOPS", "0") or 0)
    if hops:
        parts = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(parts) >= hops:
            return parts[-hops]
    return request.META.get("REMOTE_ADDR", "")


def safe_next(request, default: str = "/m/") -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    return nxt if nxt.startswith("/m/") and not nxt.startswith("//") else default
