"""Reads of 社会化工会工作者 that staff see, always scoped (DESIGN rule 1): a worker through their post (the street
that hosts them and everything above it), a work log and an assessment through the organisation they belong to."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lianxin.core.scoping import can, desk_paths, get_scoped_or_404, scoped
from lianxin.orgs.models import STEP, Organization, OrgKind

from .models import CONTRACT_DUE_DAYS, Assessment, AssessmentRound, SocialWorker, WorkerPosting, WorkLog
from .selectors import _round_reach
from .services_workers import POST_KINDS

W = SocialWorker.Status


def workers(*, actor, status: str = "active", q: str = "", post=None) -> QuerySet[SocialWorker]:
    qs = scoped(SocialWorker.objects.select_related("person", "post"), actor)
    if status in W.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(post__name__contains=q))
    if post is not None:
        qs = qs.filter(post__path__startswith=post.path)
    return qs.order_by("post__path", "id")


def worker_detail(*, actor, pk, action: str = "view") -> SocialWorker:
    return get_scoped_or_404(SocialWorker.objects.select_related("person", "post"), actor, pk, action)


def contract_horizon(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=CONTRACT_DUE_DAYS)


def expiring_contracts(*, actor) -> QuerySet[SocialWorker]:
    """Workers on post whose contract ends within 60 days (or has already ended without renewal)."""
    return workers(actor=actor).filter(contract_end__lte=contract_horizon()).order_by("contract_end", "id")


def engagements(*, actor, worker: SocialWorker) -> QuerySet[SocialWorker]:
    """The same person's engagements (重新聘用 makes a new one), newest first, as far as the actor sees them."""
    return scoped(SocialWorker.objects.filter(person_id=worker.person_id).select_related("post"), actor).order_by(
        "-created_at", "-pk"
    )


def postings(worker: SocialWorker) -> QuerySet[WorkerPosting]:
    return WorkerPosting.objects.filter(worker=worker).select_related("org").order_by("-started_on", "-id")


def post_orgs(*, actor) -> QuerySet[Organization]:
    """Where the actor may post a worker: streets and unions under a federation whose administrator they are."""
    feds = scoped(Organization.objects.filter(kind=OrgKind.FEDERATION), actor, "change").values_list(
        "path", flat=True
    )
    q = Q(pk__in=[])
    for p in feds:
        q |= Q(path__startswith=p)
    return Organization.objects.filter(q, kind__in=POST_KINDS).order_by("path")


def federations(*, actor) -> QuerySet[Organization]:
    return scoped(Organization.objects.filter(kind=OrgKind.FEDERATION), actor, "change").order_by("path")


def may_recruit(actor) -> bool:
    return federations(actor=actor).exists()


def may_manage(actor, worker: SocialWorker) -> bool:
    """The federation's administrator (recruit, transfer, renew, leave)."""
    return bool(worker.post_id) and can(actor, "change", worker.post.path[:STEP])


# ---------------------------------------------------------------------------------------------- 工作记录


def work_logs(
    *, actor, year=None, month=None, status: str = "", worker=None, mine: bool = False
) -> QuerySet[WorkLog]:
    """Logs in scope; ``mine``: only those of the organisations where the actor confirms logs themselves (a
    reviewing role held there directly), the 待确认 of their own desk."""
    qs = scoped(WorkLog.objects.select_related("worker__person", "org"), actor)
    if mine:
        paths = desk_paths(actor, "review")
        if paths is not None:
            qs = qs.filter(org__path__in=paths)
    if year:
        qs = qs.filter(year=year)
    if month:
        qs = qs.filter(month=month)
    if status in WorkLog.Status.values:
        qs = qs.filter(status=status)
    if worker is not None:
        qs = qs.filter(worker=worker)
    return qs.order_by("-year", "-month", "org__path", "worker_id")


def work_log_detail(*, actor, pk, action: str = "view") -> WorkLog:
    return get_scoped_or_404(
        WorkLog.objects.select_related("worker__person", "worker__post", "org"), actor, pk, action
    )


def missing_logs(*, actor, year: int, month: int) -> QuerySet[SocialWorker]:
    """Workers on post in scope with no log for the month yet."""
    done = WorkLog.objects.filter(year=year, month=month).values("worker_id")
    return workers(actor=actor).exclude(pk__in=done)


# ---------------------------------------------------------------------------------------------- 年度考核


def assessment_rounds(*, actor) -> QuerySet[AssessmentRound]:
    """Rounds of the federation above (or at) the actor's grants."""
    return AssessmentRound.objects.filter(_round_reach(actor)).select_related("org").order_by("-year", "-id")


def assessment_round(*, actor, pk) -> AssessmentRound:
    try:
        return assessment_rounds(actor=actor).get(pk=int(pk))
    except (AssessmentRound.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def assessment_items(
    *, actor, round: AssessmentRound | None, grade: str = "", mine: bool = False
) -> QuerySet[Assessment]:
    """A round's assessments in scope (``round=None``: every open round's); ``mine``: only those the actor grades
    at their own desk (an administrator's grant held at the worker's post itself)."""
    qs = Assessment.objects.filter(round=round) if round is not None else Assessment.objects.filter(
        round__status=AssessmentRound.Status.OPEN
    )
    qs = scoped(qs, actor).select_related("worker__person", "worker", "org")
    if mine:
        paths = desk_paths(actor, "change")
        if paths is not None:
            qs = qs.filter(org__path__in=paths)
    if grade == "none":
        qs = qs.filter(grade="")
    elif grade in Assessment.Grade.values:
        qs = qs.filter(grade=grade)
    return qs.order_by("org__path", "worker_id")


def assessment_item(*, actor, pk, action: str = "view") -> Assessment:
    return get_scoped_or_404(
        Assessment.objects.select_related("round", "round__org", "worker__person", "worker", "org"),
        actor,
        pk,
        action,
    )


def grade_counts(*, actor, round: AssessmentRound) -> dict[str, int]:
    rows = (
        scoped(Assessment.objects.filter(round=round), actor)
        .order_by()
        .values("grade")
        .annotate(n=Count("id"))
    )
    return {r["grade"]: r["n"] for r in rows}


def worker_assessments(*, actor, worker: SocialWorker) -> QuerySet[Assessment]:
    return (
        scoped(Assessment.objects.filter(worker=worker), actor)
        .select_related("round", "org")
        .order_by("-round__year")
    )


def rounds_to_confirm(*, actor) -> QuerySet[AssessmentRound]:
    """工作台 待办: open 年度考核 rounds organised at the actor's own desk (an administrator there) with every
    assessment graded — waiting for 确认考核结果."""
    qs = AssessmentRound.objects.filter(status=AssessmentRound.Status.OPEN).exclude(items__grade="")
    paths = desk_paths(actor, "change")
    return qs if paths is None else qs.filter(org__path__in=paths)
