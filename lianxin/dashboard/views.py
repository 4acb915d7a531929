"""领导驾驶舱 pages: the figures of one organisation's subtree for a year, its children to drill into, and the
report download. Thin: the scope and the figures are the selectors', the audited export the service's."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from lianxin.core.errors import ServiceError
from lianxin.core.views import staff_required

from . import selectors, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _org_and_year(request):
    """The organisation asked for (``org``: 404 outside the scope) and the year; a bad year is answered with
    its message and this year's figures."""
    raw = request.GET.get("org", "").strip()
    org = selectors.dashboard_org(actor=request.user, pk=raw or None)
    try:
        return org, selectors.parse_year(request.GET.get("year")), ""
    except ServiceError as e:
        return org, timezone.localdate().year, e.message


@staff_required
@require_GET
def dashboard(request):
    return _page(request, *_org_and_year(request))


def _page(request, org, year: int, year_error: str):
    data = selectors.overview(actor=request.user, org=org, year=year)
    this_year = timezone.localdate().year
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "org": org,
            "year": year,
            "d": data,
            "year_error": year_error,
            "years": list(range(this_year, max(selectors.FIRST_YEAR, this_year - 9) - 1, -1)),
            "roots": selectors.dashboard_roots(actor=request.user),
            "crumbs": selectors.breadcrumbs(actor=request.user, org=org),
            "charts": {
                "trend": data["trend"],
                "children": data["children"],
                "ages": data["members"]["ages"],
                "by_size": data["enterprises"]["by_size"],
            },
        },
        status=400 if year_error else 200,
    )


@staff_required
@require_POST
def refresh(request):
    """重新统计: count again now instead of waiting for the cached figures to expire."""
    org, year, _error = _org_and_year(request)
    selectors.overview(actor=request.user, org=org, year=year, fresh=True)
    return redirect(f"/console/dashboard/?org={org.pk}&year={year}")


@staff_required
@require_GET
def export(request):
    org, year, year_error = _org_and_year(request)
    if year_error:
        return _page(request, org, year, year_error)
    body, filename = services.export_dashboard(actor=request.user, org=org, year=year)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
