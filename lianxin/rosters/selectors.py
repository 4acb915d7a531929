"""Reads of import jobs, always for an actor and scoped to the organisations their roles reach."""

from __future__ import annotations

from django.db.models import QuerySet

from lianxin.core.scoping import get_scoped_or_404, scoped
from lianxin.orgs.models import Organization

from .models import ImportJob, JobStatus


def job_list(*, actor, status: str = "", mine: bool = False) -> QuerySet[ImportJob]:
    """The jobs in scope; ``status`` narrows to one state, ``mine`` to the actor's own uploads."""
    qs = scoped(ImportJob.objects.select_related("org", "created_by").defer("problems", "header"), actor)
    if status in JobStatus.values:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(created_by_id=getattr(actor, "pk", None))
    return qs


def job_detail(*, actor, pk, action: str = "view") -> ImportJob:
    return get_scoped_or_404(ImportJob.objects.select_related("org", "created_by"), actor, pk, action)


def import_targets(*, actor) -> QuerySet[Organization]:
    """Organisations the actor may import into (their 'change' subtree)."""
    return scoped(Organization.objects.all(), actor, "change").order_by("path")


def org_for_import(*, actor, pk) -> Organization:
    return get_scoped_or_404(Organization.objects.all(), actor, pk, "change")


def org_for_export(*, actor, pk) -> Organization:
    return get_scoped_or_404(Organization.objects.all(), actor, pk, "export")
