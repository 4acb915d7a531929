"""Console pages for people and memberships: search (name, member number, full ID or mobile through the blind
index), masked display, audited reveal, admit / transfer / end membership."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from lianxin.core.errors import ServiceError
from lianxin.core.scoping import can, get_scoped_or_404, offers
from lianxin.core.views import form_error, paginate, staff_required
from lianxin.orgs.models import MEMBER_HOLDING_KINDS, Organization

from . import selectors, services
from .forms import EndMembershipForm, NewPersonForm, PersonProfileForm, RevealForm, UnionChoiceForm
from .models import Membership

# Identity errors name the Excel/ID column; the console form calls the fields otherwise.
ID_ALIASES = {"身份证号": "id_number", "手机号码": "mobile", "性别": "gender", "出生日期": "id_number"}


@staff_required
def person_list(request):
    q, status = request.GET.get("q", ""), request.GET.get("status", "")
    org = None
    if request.GET.get("org", "").isdigit():
        org = get_scoped_or_404(Organization.objects.all(), request.user, int(request.GET["org"]))
    try:
        qs = selectors.person_list(actor=request.user, q=q, org=org, status=status)
    except ServiceError as e:
        messages.error(request, e.message)
        qs = selectors.person_list(actor=request.user)
    employer = None
    if request.GET.get("employer", "").isdigit():
        qs = qs.filter(employer_id=int(request.GET["employer"]))
        from lianxin.orgs.selectors import enterprise_list

        # named in the heading (and kept by the search form) when the enterprise is in the user's scope
        employer = enterprise_list(actor=request.user).filter(pk=int(request.GET["employer"])).first()
    # a name is matched anywhere in it (no index can serve that): one scan gives the count and the page
    page = paginate(request, qs, single_scan=selectors.is_name_search(q))
    memberships = selectors.current_memberships(page.object_list)
    rows = [(p, memberships.get(p.pk)) for p in page.object_list]
    return render(request, "members/person_list.html", {
        "page": page, "rows": rows, "q": q, "status": status, "org": org, "employer": employer,
        "export_query": request.GET.urlencode(),
    })


@staff_required
def person_detail(request, pk):
    person = selectors.person_detail(actor=request.user, pk=pk)
    current = selectors.current_membership(person)
    return render(request, "members/person_detail.html", {
        "p": person,
        "current": current,
        "history": selectors.memberships_of(actor=request.user, person=person),
        "can_change": can(request.user, "change", person.org.path),
        "can_reveal": can(request.user, "reveal", person.org.path),
        # the form's own queryset (scoped "change"), read as (id, name) pairs only if a form is shown
        "union_choices": UnionChoiceForm(user=request.user).fields["union"].queryset.values_list("pk", "name"),
        "end_form": EndMembershipForm(),
    })


@staff_required
@offers("change")
def person_new(request):
    form = NewPersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        org, admit = d.pop("org"), d.pop("admit")
        try:
            person = services.create_person(actor=request.user, org=org, id_number=d.pop("id_number"),
                                            gender=d.pop("gender") or None, mobile=d.pop("mobile"), **d)
            if admit and org.kind in MEMBER_HOLDING_KINDS:
                services.admit_member(actor=request.user, person=person, union=org)
        except ServiceError as e:
            form_error(form, e, ID_ALIASES)
        else:
            messages.success(request, f"已登记 {person.name}")
            return redirect(f"/console/people/{person.pk}/")
    return render(request, "members/person_form.html", {"form": form, "title": "登记人员"})


@staff_required
def person_edit(request, pk):
    person = selectors.person_detail(actor=request.user, pk=pk, action="change")
    initial = {f: getattr(person, f) for f in services.PROFILE_FIELDS}
    form = PersonProfileForm(request.POST or None, initial=initial, user=request.user)
    form.fields["mobile"].help_text = f"当前：{person.mobile_masked or '未登记'}；留空表示不修改"
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        mobile = d.pop("mobile") or None
        try:
            services.update_person(actor=request.user, person=person, mobile=mobile, **d)
        except ServiceError as e:
            form_error(form, e, ID_ALIASES)
        else:
            messages.success(request, "已保存")
            return redirect(f"/console/people/{person.pk}/")
    return render(request, "members/person_form.html", {"form": form, "title": f"编辑 {person.name}", "p": person})


@staff_required
@require_POST
def person_reveal(request, pk):
    """htmx: returns the full value as a fragment (audited), or a Chinese error fragment."""
    person = selectors.person_detail(actor=request.user, pk=pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(format_html('<span class="error">{}</span>', "请选择字段并填写查看事由"), status=400)
    try:
        value = services.reveal_person_field(actor=request.user, person=person, **form.cleaned_data)
    except ServiceError as e:
        return HttpResponse(format_html('<span class="error">{}</span>', e.message),
                            status=403 if e.code == "forbidden" else 400)
    return HttpResponse(format_html('<span class="masked revealed">{}</span> <span class="help">已记录查看事由</span>',
                                    value or "（未登记）"))


@staff_required
@require_POST
def person_admit(request, pk):
    person = selectors.person_detail(actor=request.user, pk=pk, action="change")
    form = UnionChoiceForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            m = services.admit_member(actor=request.user, person=person, union=form.cleaned_data["union"],
                                      note=form.cleaned_data["note"])
            messages.success(request, f"已入会，会员编号 {m.member_no}")
        except ServiceError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, "请选择工会")
    return redirect(f"/console/people/{person.pk}/")


@staff_required
@require_POST
def membership_transfer(request, pk):
    m = get_scoped_or_404(Membership.objects.select_related("person"), request.user, pk, "change")
    form = UnionChoiceForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.transfer_membership(actor=request.user, membership=m, to_union=form.cleaned_data["union"],
                                         note=form.cleaned_data["note"])
            messages.success(request, f"已转入 {form.cleaned_data['union'].name}")
        except ServiceError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, "请选择转入工会")
    return redirect(f"/console/people/{m.person_id}/")


@staff_required
@require_POST
def membership_end(request, pk):
    m = get_scoped_or_404(Membership.objects.all(), request.user, pk, "change")
    form = EndMembershipForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("请填写退会原因", field="reason")
        services.end_membership(actor=request.user, membership=m, reason=form.cleaned_data["reason"])
        messages.success(request, "已办理退会")
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect(f"/console/people/{m.person_id}/")
