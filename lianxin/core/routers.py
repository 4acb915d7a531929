"""Read replicas (DESIGN "Scale"): chosen by environment, never by code edits.

``LIANXIN_REPLICA_URLS`` (comma-separated database URLs) adds aliases ``replica_1``, ``replica_2``… next to
``default``. Only what cannot be hurt by replication lag reads from them:

- a web request with a safe method (GET, HEAD, OPTIONS) — :class:`ReplicaMiddleware` marks it — until it
  writes something itself (then the rest of it reads the primary);
- and not within ``LIANXIN_REPLICA_PIN_SECONDS`` (default 10) of the same browser's last write: a response to a
  request that wrote, or used an unsafe method, sets a short cookie so the page the user lands on after saving
  shows what they saved (read your writes);
- and not inside a transaction on ``default`` (a ``select_for_update``, a service's checks before its write).

Everything else reads the primary: writes, task workers (the import, notifications, daily sweeps), management
commands, tests. The mark is a context variable — per request, nothing kept in the process between requests.
Without replicas configured the router answers ``None`` everywhere and Django uses ``default`` as before.
"""

from __future__ import annotations

import random
from contextvars import ContextVar

import dj_database_url
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

PIN_COOKIE = "lx_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_replica_ok: ContextVar[bool] = ContextVar("lianxin_replica_ok", default=False)


def replica_databases(urls: str, default: dict, *, conn_max_age: int = 0) -> dict[str, dict]:
    """``DATABASES`` entries for the comma-separated replica URLs. Each mirrors ``default`` in tests (Django then
    reads the test database through it) and keeps the primary's options."""
    out = {}
    for i, url in enumerate((u.strip() for u in urls.split(",") if u.strip()), start=1):
        cfg = dj_database_url.parse(url, conn_max_age=conn_max_age)
        if cfg["ENGINE"] != default["ENGINE"]:
            raise ValueError(f"replica {i} is {cfg['ENGINE']}, the primary {default['ENGINE']}")
        cfg["OPTIONS"] = dict(default.get("OPTIONS", {}))
        cfg["TEST"] = {"MIRROR": DEFAULT_DB_ALIAS}
        out[f"replica_{i}"] = cfg
    return out


def replica_aliases() -> list[str]:
    """The replica aliases in use (``settings.LIANXIN_REPLICAS``, filled from ``replica_databases``)."""
    return getattr(settings, "LIANXIN_REPLICAS", [])


class ReplicaRouter:
    """Send safe reads to a random replica (see the module docstring); writes and migrations to ``default``."""

    def db_for_read(self, model, **hints):
        if not _replica_ok.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        aliases = replica_aliases()
        return random.choice(aliases) if aliases else None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"})


def _is_write(sql: str) -> bool:
    head = sql.lstrip()[:8].split(None, 1)
    if not head:
        return False
    verb = head[0].upper()
    if verb == "WITH":  # a data-modifying CTE
        upper = sql.upper()
        return any(f"{v} " in upper for v in ("INSERT", "UPDATE", "DELETE"))
    return verb in WRITE_VERBS


class ReplicaMiddleware:
    """Mark the requests whose reads may go to a replica, and pin a browser to the primary for a few seconds
    after it wrote something. "Wrote" is seen, not guessed from the method: while replicas are configured the
    primary's statements are watched, so a GET that writes (opening a message marks it read) reads the primary
    for the rest of the request and pins the browser too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        wrote = False

        def watch(execute, sql, params, many, context):
            nonlocal wrote
            if not wrote and _is_write(sql):
                wrote = True
                _replica_ok.set(False)  # read your own writes for the rest of this request
            return execute(sql, params, many, context)

        token = _replica_ok.set(safe and PIN_COOKIE not in request.COOKIES)
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(watch):
                response = self.get_response(request)
        finally:
            _replica_ok.reset(token)
        if wrote or not safe:
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.LIANXIN_REPLICA_PIN_SECONDS, httponly=True,
                                samesite="Lax", secure=request.is_secure())
        return response
