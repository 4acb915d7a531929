"""Back-office pages for the organisation tree and the enterprise register.

Scope, permissions and saving come from :class:`lianxin.core.admin_scoping.ScopedAdminMixin`; here we only say
which fields show and which service performs each write. No foreign-key list filters: Django builds their
choices from the whole table, which would list other streets' names.
"""

from django.contrib import admin
from django.db.models import Q
from unfold.admin import ModelAdmin

from lianxin.core.admin_scoping import ScopedAdminMixin
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import can

from . import selectors, services
from .models import Enterprise, Organization, OrgKind

_COVERING = [OrgKind.BASE, OrgKind.JOINT, OrgKind.INDUSTRY]
_ORG_DETAIL_FIELDS = ("code", "chair_name", "vice_chair_names", "contact_name", "contact_phone", "address",
                      "founded_on", "term_ends_on", "enterprise")


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, ModelAdmin):
    allow_add = allow_change = True
    list_display = ("name", "kind", "parent", "member_count_col", "chair_name", "term_ends_on")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    ordering = ("path",)
    add_fieldsets = ((None, {"fields": ("parent", "kind", "name", *_ORG_DETAIL_FIELDS)}),)
    fieldsets = (
        (None, {"fields": ("parent", "kind", "name", "member_total")}),
        ("详细信息", {"fields": _ORG_DETAIL_FIELDS}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")

    def get_changelist_instance(self, request):
        """Member counts for the page's rows from one grouped query (the console's selector), attached to
        the very instances the change list renders."""
        cl = super().get_changelist_instance(request)
        rows = list(cl.result_list)  # evaluates and caches the page's queryset
        counts = selectors.member_counts(rows)
        for org in rows:
            org.member_count = counts.get(org.pk, 0)
        return cl

    def get_readonly_fields(self, request, obj=None):
        # the kind of an existing organisation is fixed (ALLOWED_CHILDREN depends on it); the tree path is
        # computed by the services only
        return ("kind", "member_total") if obj is not None else ()

    @admin.display(description="会员数（含下级）")
    def member_count_col(self, obj):
        return getattr(obj, "member_count", "—")

    @admin.display(description="会员数（含下级）")
    def member_total(self, obj):
        return selectors.member_count(obj)

    def service_save(self, request, form, change):
        cd = form.cleaned_data
        details = {k: cd[k] for k in _ORG_DETAIL_FIELDS if k in cd}
        if not change:
            return services.create_organization(actor=request.user, parent=cd.get("parent"), kind=cd["kind"],
                                                name=cd["name"], **details)
        org = Organization.objects.get(pk=form.instance.pk)
        changes = {k: cd[k] for k in form.changed_data if k in services.ORG_FIELDS}
        if changes:
            org = services.update_organization(actor=request.user, org=org, **changes)
        if "parent" in form.changed_data:
            if cd.get("parent") is None:
                raise ServiceError("请选择上级组织", field="parent")
            org = services.move_organization(actor=request.user, org=org, new_parent=cd["parent"])
        return org


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdminMixin, ModelAdmin):
    allow_add = allow_change = True
    fk_limits = {"street": Q(kind=OrgKind.STREET), "covering_union": Q(kind__in=_COVERING)}
    list_display = ("name", "credit_code", "industry", "size", "street", "covering_union", "headcount",
                    "needs_union_founding")
    list_filter = ("industry", "size", "ownership", "needs_union_founding")
    search_fields = ("name", "=credit_code")
    error_fields = {"统一社会信用代码": "credit_code"}
    fields = services.ENTERPRISE_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("street", "covering_union")

    def has_change_permission(self, request, obj=None):
        # a covering union sees an enterprise of another street, but only that street edits it (as in
        # update_enterprise); without this the form would offer a save the service then refuses
        if obj is not None:
            return self.allow_change and can(request.user, "change", obj.street.path)
        return super().has_change_permission(request, obj)

    def service_save(self, request, form, change):
        cd = form.cleaned_data
        if not change:
            fields = {k: cd[k] for k in services.ENTERPRISE_FIELDS if k in cd}
            street = fields.pop("street")
            return services.create_enterprise(actor=request.user, street=street, **fields)
        changes = {k: cd[k] for k in form.changed_data if k in services.ENTERPRISE_FIELDS}
        ent = Enterprise.objects.get(pk=form.instance.pk)
        if not changes:
            return ent
        return services.update_enterprise(actor=request.user, enterprise=ent, **changes)
