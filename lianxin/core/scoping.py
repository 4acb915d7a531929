"""The one place that decides who reaches what (DESIGN rule 1).

A staff grant is (user, organisation, role) and reaches the organisation's whole subtree: one indexed
``path LIKE 'x%'`` per grant. Every scoped model names the path lookups that place it in the tree
(``SCOPE_PATHS``); admin, pages, API and exports all go through :func:`scoped` or :func:`get_scoped_or_404`,
so a view cannot forget the filter. Without an actor nothing is returned (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from .errors import PermissionDenied

ADMIN, REVIEWER, VIEWER, AUDITOR = "admin", "reviewer", "viewer", "auditor"
ROLE_CHOICES = [(ADMIN, "管理员"), (REVIEWER, "审核员"), (VIEWER, "查看员"), (AUDITOR, "审计员")]

# action -> roles that may perform it. Auditors read everything in their subtree (including the audit log)
# but never write; reviewers decide applications; only administrators change records.
ACTIONS: dict[str, frozenset[str]] = {
    "view": frozenset({ADMIN, REVIEWER, VIEWER, AUDITOR}),
    "export": frozenset({ADMIN, REVIEWER, VIEWER, AUDITOR}),
    "change": frozenset({ADMIN}),
    "delete": frozenset({ADMIN}),
    "review": frozenset({ADMIN, REVIEWER}),
    "reveal": frozenset({ADMIN, REVIEWER}),
    "audit": frozenset({ADMIN, AUDITOR}),
}


@dataclass(frozen=True)
class Scope:
    superuser: bool
    grants: tuple[tuple[str, str], ...]  # (organisation path, role)

    def paths(self, action: str) -> list[str]:
        roles = ACTIONS[action]
        paths = sorted({p for p, r in self.grants if r in roles})
        # drop paths already covered by an ancestor grant, so the filter stays short
        out: list[str] = []
        for p in paths:
            if not any(p.startswith(a) for a in out):
                out.append(p)
        return out

    @property
    def is_staff(self) -> bool:
        return self.superuser or bool(self.grants)


def scope_for(user) -> Scope:
    """The user's grants, loaded once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(False, ())
    if getattr(user, "is_superuser", False):
        return Scope(True, ())
    cached = getattr(user, "_lianxin_scope", None)
    if cached is None:
        from lianxin.accounts.models import StaffRole

        grants = tuple(StaffRole.objects.filter(user=user, active=True).values_list("organization__path", "role"))
        cached = Scope(False, grants)
        user._lianxin_scope = cached
    return cached


def path_filter(model, paths: list[str], fields: tuple[str, ...] | None = None) -> Q:
    fields = fields or getattr(model, "SCOPE_PATHS", None)
    if not fields:
        raise TypeError(f"{model.__name__} declares no SCOPE_PATHS; it cannot be scoped")
    q = Q(pk__in=[])
    for f in fields:
        for p in paths:
            q |= Q(**{f"{f}__startswith": p})
    return q


def scoped(qs: QuerySet, user, action: str = "view", *, fields: tuple[str, ...] | None = None) -> QuerySet:
    """``qs`` narrowed to what ``user`` may ``action``. Anonymous or role-less users get nothing. ``fields``
    narrows by some of the model's ``SCOPE_PATHS`` only (e.g. the receiving side of something with two)."""
    scope = scope_for(user)
    if scope.superuser:
        return qs
    paths = scope.paths(action)
    if not paths:
        return qs.none()
    return qs.filter(path_filter(qs.model, paths, fields))


def get_scoped_or_404(qs: QuerySet, user, pk, action: str = "view", *, for_update: bool = False):
    """Fetch one object by id within scope: 404 outside the subtree (existence does not leak), 403 when the
    user can see it but their role may not ``action`` it. With ``for_update`` the row is locked."""
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        obj = scoped(qs, user, "view").get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != "view" and not scoped(qs.model._default_manager.filter(pk=obj.pk), user, action).exists():
        raise PermissionDenied()
    return obj


def desk_paths(user, action: str) -> list[str] | None:
    """The organisations where ``user`` holds a role that may ``action`` directly — their own desk, not the
    subtrees below it (工作台 待办: what waits at my level); ``None`` for a platform superuser, who holds every
    desk."""
    scope = scope_for(user)
    if scope.superuser:
        return None
    return sorted({p for p, r in scope.grants if r in ACTIONS[action]})


def can(user, action: str, path: str) -> bool:
    """May ``user`` perform ``action`` on something placed at organisation ``path``?"""
    scope = scope_for(user)
    return scope.superuser or any(path.startswith(p) for p in scope.paths(action))


def require(user, action: str, path: str, message: str = "该组织不在您的管理范围内") -> None:
    if not can(user, action, path):
        raise PermissionDenied(message)


def may(user, action: str) -> bool:
    """Some grant of ``user`` allows ``action`` (somewhere in its subtree): whether the console offers a form at
    all. The page's button (the ``may`` template filter) and the form's URL (:func:`offers`) ask this same
    question, so a button is shown exactly when its form opens."""
    scope = scope_for(user)
    return scope.superuser or bool(scope.paths(action))


def require_may(user, action: str) -> None:
    """Refuse (403) a user none of whose roles may ``action`` anywhere: a form for a new record, asked before
    the user fills anything in."""
    if not may(user, action):
        roles = "或".join(label for role, label in ROLE_CHOICES if role in ACTIONS[action])
        raise PermissionDenied(f"此项需要{roles}角色办理，您的角色只能查看")


def offers(action: str):
    """Decorator for a console form that creates a record, inside ``staff_required``: :func:`require_may` on GET
    as well as POST. Which organisation the record may go to stays the form's scoped choices' and the service's
    decision. A form for an existing object is decided by that object's path instead
    (``get_scoped_or_404(..., "change")``: 404 outside the subtree, 403 inside it for a role that may not)."""
    from functools import wraps

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require_may(request.user, action)
            return view(request, *args, **kwargs)

        wrapper.offers_action = action
        return wrapper

    return decorate
