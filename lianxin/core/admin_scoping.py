"""The one mixin that makes every Django admin page obey :mod:`lianxin.core.scoping` (DESIGN rule 1).

Django admin decides access with per-model permissions (``app.change_model``) and shows every row; neither
fits a federation where a street administrator reaches exactly its own subtree. So here:

* every queryset — the change list, the object fetched by id, bulk actions, autocomplete — goes through
  :func:`scoped`, with the admin's ``view_action`` (the audit log uses ``"audit"``);
* an id outside the subtree is a 404, never the admin's "perhaps it was deleted?" redirect and never a 403,
  so existence does not leak;
* view/add/change/delete are decided by the scoping roles (auditors and viewers read only, administrators
  change within their subtree), not by Django's model permissions, which we never grant;
* foreign-key choices are scoped with the *change* action, so a form cannot point a record at another
  street's organisation (posting such an id fails form validation like any invalid choice);
* saves go through the app's services: the form calls :meth:`ScopedAdminMixin.service_save` once its own
  fields are clean, inside the admin's transaction, and a :class:`ServiceError` becomes a form error in
  Chinese on the field it names (or at the top). ``save_model`` then only adopts the service's result.
  Where no service exists for an operation the admin does not offer it (``allow_add/allow_change/
  allow_delete``), because an unaudited direct write would bypass the rules the services enforce.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .errors import ServiceError
from .scoping import scope_for, scoped


# Models that are staff-visible but declare no SCOPE_PATHS of their own: how a set of subtree paths places
# their rows. A user is placed by the organisations of their *active* grants and by the person record
# they are (a member's portal account).
def _user_q(paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(staff_roles__organization__path__startswith=p, staff_roles__active=True)
        q |= Q(person__org__path__startswith=p)
    return q


FALLBACK_SCOPES = {"accounts.user": _user_q}


def scope_queryset(qs: QuerySet, user, action: str) -> QuerySet:
    """:func:`scoped` for any model the admin shows, including the few placed by FALLBACK_SCOPES.
    Unknown models fail closed (TypeError), like :func:`scoped` itself."""
    model = qs.model
    if getattr(model, "SCOPE_PATHS", None):
        return scoped(qs, user, action)
    build = FALLBACK_SCOPES.get(model._meta.label_lower)
    if build is None:
        raise TypeError(f"{model.__name__} cannot be scoped in the admin")
    scope = scope_for(user)
    if scope.superuser:
        return qs
    paths = scope.paths(action)
    if not paths:
        return qs.none()
    # the join through grants may repeat a user; pk__in keeps the admin's queryset free of DISTINCT
    return qs.filter(pk__in=model._default_manager.filter(build(paths)).values("pk"))


class ScopedAdminMixin:
    """Put before ``unfold.admin.ModelAdmin`` in the bases. Subclasses set the switches below and, when
    they allow add or change, implement :meth:`service_save`."""

    view_action = "view"
    allow_add = False
    allow_change = False
    allow_delete = False
    # extra narrowing of foreign-key choices, e.g. {"union": Q(kind__in=[...])}
    fk_limits: dict[str, Q] = {}
    # services name some fields by their Chinese label (shared with the Excel import): label -> form field
    error_fields: dict[str, str] = {}
    save_as = False
    show_full_result_count = False  # one COUNT per change list, not two

    # --- querysets -------------------------------------------------------------------------------------
    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user, self.view_action)

    def get_object(self, request, object_id, from_field=None):
        """Outside the subtree (or not existing, or a malformed id): 404, indistinguishably."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("未找到")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            qs = scope_queryset(db_field.remote_field.model._default_manager.all(), request.user, "change")
            if db_field.name in self.fk_limits:
                qs = qs.filter(self.fk_limits[db_field.name])
            kwargs["queryset"] = qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- permissions (roles, not Django model permissions) -----------------------------------------------
    def _reaches(self, request, action: str, obj=None) -> bool:
        scope = scope_for(request.user)
        if obj is None:
            return scope.superuser or bool(scope.paths(action))
        return scope_queryset(self.model._default_manager.filter(pk=obj.pk), request.user, action).exists()

    def has_module_permission(self, request):
        return self._reaches(request, self.view_action)

    def has_view_permission(self, request, obj=None):
        return self._reaches(request, self.view_action, obj)

    def has_add_permission(self, request):
        # where the new record lands is checked by the scoped choices and again by the service
        return self.allow_add and self._reaches(request, "change")

    def has_change_permission(self, request, obj=None):
        return self.allow_change and self._reaches(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and self._reaches(request, "delete", obj)

    # --- saving through services ---------------------------------------------------------------------------
    def service_save(self, request, form, change: bool):
        """Perform the write through the app's service and return the saved object. ``form.cleaned_data``
        holds the clean input; ``form.instance`` already carries it, but services re-read (and lock) the row
        themselves, so use the instance only for its pk."""
        raise NotImplementedError(f"{type(self).__name__} allows writes but has no service_save")

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        admin = self

        class ServiceForm(base):
            def _post_clean(self):
                super()._post_clean()
                if self.errors or not (admin.allow_add or admin.allow_change):
                    return
                try:
                    self.service_result = admin.service_save(request, self, change)
                except ServiceError as e:
                    field = admin.error_fields.get(e.field, e.field)
                    self.add_error(field if field in self.fields else None, e.message)

        ServiceForm.__name__ = base.__name__
        return ServiceForm

    def save_model(self, request, obj, form, change):
        """The service already wrote (during validation, inside the admin's transaction); adopt its result
        so the admin's redirect and history point at the saved row."""
        result = getattr(form, "service_result", None)
        if result is None:
            raise ServiceError("保存失败：未经业务服务处理")
        for k, v in result.__dict__.items():
            if k != "_state":
                obj.__dict__[k] = v
        obj._state.adding = False
        obj._state.db = result._state.db

    def save_related(self, request, form, formsets, change):
        """No inline or many-to-many writes bypass the services."""

    def delete_model(self, request, obj):
        raise ServiceError("该记录不能在后台删除")

    def delete_queryset(self, request, queryset):
        raise ServiceError("该记录不能在后台删除")


class AdminCSPMiddleware:
    """Let the themed admin run under our Content Security Policy.

    django-unfold drives its pages with Alpine.js, whose standard build evaluates ``x-data``/``x-bind``
    expressions with ``Function()``; under ``script-src 'self'`` that is refused and the admin stays behind its
    loading overlay (login included). This adds ``'unsafe-eval'`` to script-src for admin responses only —
    still nothing from outside our own host — and leaves every other page's policy untouched.

    List it in MIDDLEWARE *after* ``csp.middleware.CSPMiddleware``: responses pass through middleware in reverse
    order, so it must mark the response before the CSP middleware builds the header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(_admin_prefix()):
            update = dict(getattr(response, "_csp_update", None) or {})
            update["script-src"] = [*update.get("script-src", []), "'unsafe-eval'"]
            response._csp_update = update
        return response


def _admin_prefix() -> str:
    from django.urls import reverse

    return reverse("admin:index")
