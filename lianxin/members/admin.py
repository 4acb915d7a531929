"""Back-office pages for people and memberships.

Personal data shows masked only: the forms list their fields explicitly and never include the ciphertext,
key id or blind-index columns. The identity (ID number and everything derived from it) is read-only once
stored, because it can only be written through ``create_person``; a new mobile goes through
``update_person``. Searching by a full ID number or mobile uses the blind index, like the console.
Memberships are admitted here through ``admit_member``; transfers and ends are console actions.
"""

from django import forms
from django.contrib import admin
from django.db.models import Q
from unfold.admin import ModelAdmin
from unfold.widgets import UnfoldAdminTextInputWidget

from lianxin.core.admin_scoping import ScopedAdminMixin
from lianxin.core.errors import ServiceError
from lianxin.orgs.models import MEMBER_HOLDING_KINDS

from . import selectors, services
from .models import Membership, Person

PII_COLUMNS = ("id_cipher", "id_key", "id_bidx", "mobile_cipher", "mobile_bidx")
_PROFILE = ("employer", "employer_name", "job", "education", "ethnicity", "political_status", "is_migrant",
            "is_frontline", "is_model_worker")


_FORM_FIELDS = ("org", "name", *_PROFILE)  # never a PII column: the admin's fieldsets narrow this further


class PersonAddForm(forms.ModelForm):
    id_number = forms.CharField(label="身份证号", max_length=30, widget=UnfoldAdminTextInputWidget)
    mobile = forms.CharField(label="手机号码", max_length=20, required=False, widget=UnfoldAdminTextInputWidget)

    class Meta:
        model = Person
        fields = _FORM_FIELDS


class PersonChangeForm(forms.ModelForm):
    new_mobile = forms.CharField(label="新手机号码", max_length=20, required=False, widget=UnfoldAdminTextInputWidget,
                                 help_text="留空则不修改；原号码只显示脱敏值")

    class Meta:
        model = Person
        fields = _FORM_FIELDS


@admin.register(Person)
class PersonAdmin(ScopedAdminMixin, ModelAdmin):
    allow_add = allow_change = True
    list_display = ("name", "id_masked", "mobile_masked", "gender", "birth_date", "org", "employer_name")
    search_fields = ("name",)
    search_help_text = "姓名、会员编号、完整身份证号或手机号"
    exclude = PII_COLUMNS
    error_fields = {"身份证号": "id_number", "手机号码": "mobile", "性别": "id_number", "出生日期": "id_number"}
    add_fieldsets = (
        (None, {"fields": ("org", "name", "id_number", "mobile")}),
        ("工作与身份", {"fields": _PROFILE}),
    )
    fieldsets = (
        (None, {"fields": ("org", "name", "id_masked", "mobile_masked", "new_mobile")}),
        ("由身份证号得出", {"fields": ("gender", "birth_date", "region_code")}),
        ("工作与身份", {"fields": _PROFILE}),
    )

    def get_queryset(self, request):
        # the admin never needs the ciphertext or blind indexes: do not even load them
        return super().get_queryset(request).select_related("org", "employer").defer(*PII_COLUMNS)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = PersonChangeForm if obj is not None else PersonAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # read-only viewers get no "new mobile" input
            fieldsets = tuple((name, {"fields": tuple(f for f in opts["fields"] if f != "new_mobile")})
                              for name, opts in fieldsets)
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # the organisation changes only through admission and transfer (membership services)
        return ("org", "id_masked", "mobile_masked", "gender", "birth_date", "region_code")

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        q = selectors.person_search_filter(search_term)
        return queryset.filter(q), "memberships__" in str(q)

    def service_save(self, request, form, change):
        cd = form.cleaned_data
        profile = {k: cd[k] for k in ("name", *_PROFILE) if k in cd}
        if not change:
            return services.create_person(actor=request.user, org=cd["org"], id_number=cd["id_number"],
                                          mobile=cd.get("mobile") or None, **profile)
        changes = {k: v for k, v in profile.items() if k in form.changed_data}
        mobile = cd.get("new_mobile") or None
        person = Person.objects.get(pk=form.instance.pk)
        if not changes and mobile is None:
            return person
        try:
            return services.update_person(actor=request.user, person=person, mobile=mobile, **changes)
        except ServiceError as e:
            if e.field == "手机号码":  # on the change form the mobile input is "new_mobile"
                e.field = "new_mobile"
            raise


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, ModelAdmin):
    allow_add = True  # through admit_member; transfers and ends are console actions with their own forms
    fk_limits = {"union": Q(kind__in=list(MEMBER_HOLDING_KINDS))}
    autocomplete_fields = ("person",)  # not raw_id_fields: its label lookup ignores scope
    list_display = ("member_no", "person", "union", "status", "joined_on", "left_on")
    list_filter = ("status",)
    search_fields = ("=member_no", "person__name")
    add_fieldsets = ((None, {"fields": ("person", "union", "joined_on", "note")}),)
    fields = ("person", "union", "status", "member_no", "joined_on", "left_on", "transferred_from", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "union")

    def service_save(self, request, form, change):
        cd = form.cleaned_data
        return services.admit_member(actor=request.user, person=cd["person"], union=cd["union"],
                                     joined_on=cd.get("joined_on"), note=cd.get("note") or "")
