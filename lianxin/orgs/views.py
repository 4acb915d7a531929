"""Console pages for the organisation tree, enterprises and coverage. Thin: parse, call a selector or service,
render; ServiceError messages are shown on the form, naming the field."""

from django.contrib import messages
from django.shortcuts import redirect, render

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, offers
from lianxin.core.views import form_error, paginate, staff_required

from . import selectors, services
from .forms import EnterpriseForm, NewOrganizationForm, OrganizationForm
from .models import STEP, Organization, OrgKind


def _crumbs(user, org) -> list[tuple[Organization, bool]]:
    """The organisation's ancestors, root first, each with whether this user may open it: a base union's
    reviewer sees the street above as plain text, not as a link that would answer 404."""
    prefixes = [org.path[:i] for i in range(STEP, len(org.path), STEP)]
    return [(a, can(user, "view", a.path)) for a in Organization.objects.filter(path__in=prefixes).order_by("depth")]


@staff_required
def org_list(request):
    kind, q = request.GET.get("kind", ""), request.GET.get("q", "")
    if kind and kind not in OrgKind.values:
        kind = ""
    page = paginate(request, selectors.org_list(actor=request.user, kind=kind, q=q), 50)
    counts = selectors.member_counts(page.object_list)
    rows = [(o, counts.get(o.pk, 0), "　" * (o.depth - min((x.depth for x in page.object_list), default=0)))
            for o in page.object_list]
    return render(request, "orgs/org_list.html", {"page": page, "rows": rows, "kind": kind, "q": q,
                                                  "kinds": OrgKind.choices})


@staff_required
def org_detail(request, pk):
    org = selectors.org_detail(actor=request.user, pk=pk)
    return render(request, "orgs/org_detail.html", {
        "org": org,
        "crumbs": _crumbs(request.user, org),
        "members": selectors.member_count(org),
        "children": org.children.all(),
        "enterprises": selectors.enterprise_list(actor=request.user).filter(covering_union=org)[:50],
        "can_change": can(request.user, "change", org.path),
    })


@staff_required
def org_edit(request, pk):
    org = selectors.org_detail(actor=request.user, pk=pk, action="change")
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(actor=request.user, org=org, **form.cleaned_data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已保存")
            return redirect(f"/console/orgs/{org.pk}/")
    return render(request, "orgs/org_form.html", {"form": form, "org": org, "title": f"编辑 {org.name}"})


@staff_required
def org_new(request, pk):
    parent = selectors.org_detail(actor=request.user, pk=pk, action="change")
    form = NewOrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            org = services.create_organization(actor=request.user, parent=parent, kind=data.pop("kind"),
                                               name=data.pop("name"), **data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, f"已新建 {org.name}")
            return redirect(f"/console/orgs/{org.pk}/")
    return render(request, "orgs/org_form.html", {"form": form, "org": parent, "title": f"在 {parent.name} 下新建组织"})


@staff_required
def enterprise_list(request):
    q, covered = request.GET.get("q", ""), request.GET.get("covered", "")
    page = paginate(request, selectors.enterprise_list(actor=request.user, q=q, covered=covered))
    return render(request, "orgs/enterprise_list.html", {
        "page": page, "q": q, "covered": covered,
        "can_register": selectors.enterprise_streets(actor=request.user).exists()})


@staff_required
def enterprise_detail(request, pk):
    e = selectors.enterprise_detail(actor=request.user, pk=pk)
    own_union = Organization.objects.filter(enterprise=e).first()
    # 报请建会批复 is for the upper union: the street the firm lies in or the union covering it
    can_found = own_union is None and any(
        u is not None and can(request.user, "change", u.path) for u in (e.street, e.covering_union))
    return render(request, "orgs/enterprise_detail.html", {
        "e": e, "can_change": can(request.user, "change", e.street.path), "own_union": own_union,
        "can_found": can_found})


def _enterprise_form_view(request, enterprise=None):
    initial = EnterpriseForm.initial_from(enterprise) if enterprise else None
    form = EnterpriseForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if enterprise:
                e = services.update_enterprise(actor=request.user, enterprise=enterprise, **data)
            else:
                e = services.create_enterprise(actor=request.user, street=data.pop("street"), **data)
        except ServiceError as err:
            form_error(form, err)
        else:
            messages.success(request, "已保存")
            return redirect(f"/console/enterprises/{e.pk}/")
    return render(request, "orgs/enterprise_form.html", {"form": form, "e": enterprise})


@staff_required
@offers("change")
def enterprise_new(request):
    if not selectors.enterprise_streets(actor=request.user).exists():
        raise PermissionDenied("登记企业需由街道或区总工会的管理员办理，请联系所在街道总工会")
    return _enterprise_form_view(request)


@staff_required
def enterprise_edit(request, pk):
    return _enterprise_form_view(request, selectors.enterprise_detail(actor=request.user, pk=pk, action="change"))


@staff_required
def coverage(request):
    return render(request, "orgs/coverage.html", {
        "by_street": selectors.coverage(actor=request.user, by="street"),
        "by_industry": selectors.coverage(actor=request.user, by="industry"),
    })
