"""Member-page plumbing shared by the portal and the apps that add member pages (activities, venues …)."""

from __future__ import annotations

import os


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
