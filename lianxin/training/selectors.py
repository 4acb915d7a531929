"""Reads of 职工教育培训: staff views scoped to the actor's subtree (DESIGN rule 1) — classes by their organiser,
enrolments by the class's organiser or the trainee's union, grants by the applicant's union — and the member's own
views."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from lianxin.core.scoping import get_scoped_or_404, scoped
from lianxin.members.models import Membership, MembershipStatus
from lianxin.orgs.models import Organization

from .models import ClassQuota, EducationGrant, Enrolment, RevokedCertificate, Session, TrainingClass
from .services import ORGANISER_KINDS, attended_counts, qualifies

E = Enrolment.Status


def organiser_orgs(*, actor) -> QuerySet[Organization]:
    return scoped(Organization.objects.filter(kind__in=ORGANISER_KINDS), actor, "change").order_by("path")


def staff_classes(*, actor, status: str = "") -> QuerySet[TrainingClass]:
    """Classes the actor sees: organised in their subtree, or (for a union below the organiser) classes their
    union may enrol in — a base union's staff find the federation's class to enrol their team leaders."""
    from lianxin.core.scoping import scope_for

    scope = scope_for(actor)
    qs = TrainingClass.objects.select_related("org")
    if not scope.superuser:
        paths = scope.paths("view")
        if not paths:
            return qs.none()
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(org__path__startswith=p) | Q(org__path__in=_prefixes(p))
        qs = qs.filter(q)
    today = timezone.localdate()
    live = qs.filter(status=TrainingClass.Status.OPEN)
    if status == "open":
        qs = live.filter(signup_deadline__gte=today)
    elif status == "running":
        qs = live.filter(signup_deadline__lt=today, ends_on__gte=today)
    elif status == "ended":
        qs = live.filter(ends_on__lt=today)
    elif status == "cancelled":
        qs = qs.filter(status=TrainingClass.Status.CANCELLED)
    return qs.order_by("-starts_on", "-id")


def _prefixes(path: str) -> list[str]:
    from .services import ancestors_or_self

    return ancestors_or_self(path)


def class_detail(*, actor, pk) -> TrainingClass:
    """A class the actor may see (see :func:`staff_classes`): 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    k = staff_classes(actor=actor).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if k is None:
        from django.http import Http404

        raise Http404
    return k


def organised_class(*, actor, pk, action: str = "change") -> TrainingClass:
    """A class of the actor's own subtree (organiser's pages): 404 outside, 403 inside for a role that may not."""
    return get_scoped_or_404(TrainingClass.objects.select_related("org"), actor, pk, action)


def roll(klass: TrainingClass, *, actor=None, include_withdrawn: bool = True) -> list[Enrolment]:
    """The class's trainees with ``attended`` and ``qualified`` set; ``actor`` narrows to what they may see
    (the organiser sees all, a union only its own)."""
    qs = (
        Enrolment.objects.filter(klass=klass)
        .select_related("person", "union")
        .prefetch_related(_revocations())
    )
    if actor is not None:
        qs = scoped(qs, actor)
    if not include_withdrawn:
        qs = qs.filter(status=E.ENROLLED)
    rows = list(qs.order_by("status", "union__path", "id"))
    counts = attended_counts(klass)
    for e in rows:
        e.attended = counts.get(e.pk, 0)
        e.qualified = qualifies(klass, e, e.attended)
    return rows


def quotas(klass: TrainingClass) -> list[ClassQuota]:
    return list(ClassQuota.objects.filter(klass=klass).select_related("union").order_by("union__path"))


def quota_unions(*, klass: TrainingClass) -> QuerySet[Organization]:
    return (
        Organization.objects.filter(
            path__startswith=klass.org.path, kind__in=["street", "joint", "industry", "base"]
        )
        .exclude(pk=klass.org_id)
        .order_by("path")
    )


def sessions(klass: TrainingClass) -> list[Session]:
    return list(Session.objects.filter(klass=klass).order_by("n"))


def session_marks(session: Session) -> dict[int, bool]:
    return dict(session.marks.values_list("enrolment_id", "present"))


def roster(*, actor, klass: TrainingClass, q: str = "") -> QuerySet[Membership]:
    """Live members the actor may enrol in the class: of unions in the actor's change scope inside the class's
    audience, not yet enrolled."""
    qs = scoped(
        Membership.objects.filter(status=MembershipStatus.MEMBER, union__path__startswith=klass.org.path),
        actor,
        "change",
    ).select_related("person", "union")
    taken = Enrolment.objects.filter(klass=klass, status=E.ENROLLED).values("person_id")
    qs = qs.exclude(person_id__in=taken)
    q = (q or "").strip()
    if q:
        qs = qs.filter(person__name__contains=q[:50])
    return qs.order_by("union__path", "person__name", "id")


def may_enrol_somewhere(*, actor, klass: TrainingClass) -> bool:
    from lianxin.core.scoping import scope_for

    scope = scope_for(actor)
    if scope.superuser:
        return True
    return any(p.startswith(klass.org.path) or klass.org.path.startswith(p) for p in scope.paths("change"))


def certificate(*, actor, number: str) -> Enrolment | None:
    number = (number or "").strip()
    if not number or len(number) > 20:
        return None
    return (
        scoped(Enrolment.objects.select_related("person", "union", "klass__org"), actor)
        .filter(certificate_no=number)
        .first()
    )


def _revocations():
    from django.db.models import Prefetch

    return Prefetch("revocations", queryset=RevokedCertificate.objects.order_by("revoked_at", "id"))


def revoked_certificate(*, actor, number: str) -> RevokedCertificate | None:
    """证书查验 of a revoked number: in scope as a valid certificate is (the class's organiser or the trainee's
    union), otherwise None."""
    number = (number or "").strip()
    if not number or len(number) > 20:
        return None
    return (
        scoped(
            RevokedCertificate.objects.select_related(
                "enrolment__person", "enrolment__union", "enrolment__klass__org", "revoked_by"
            ),
            actor,
        )
        .filter(certificate_no=number)
        .first()
    )


def _certified():
    return Enrolment.objects.select_related("person", "union", "klass__org").filter(
        status=E.ENROLLED, certificate_no__isnull=False
    )


def staff_certificate(*, actor, pk) -> Enrolment:
    """A certificate for staff to download: the class's organiser or the trainee's union in the actor's
    subtree (as the console's 证书查验), 404 otherwise — existence does not leak."""
    from django.http import Http404

    e = scoped(_certified(), actor).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if e is None:
        raise Http404
    return e


def my_certificate(*, person, pk) -> Enrolment:
    """The member's own certificate: 404 for anyone else's (or one not issued)."""
    from django.http import Http404

    e = _certified().filter(pk=pk, person=person).first() if 0 < pk < 2**63 else None
    if e is None:
        raise Http404
    return e


def certificate_by_token(token: str) -> Enrolment | None:
    """The public verification page's read: the certificate whose unguessable token this is, or None."""
    token = (token or "").strip()
    if not token or len(token) > 43:
        return None
    return _certified().filter(certificate_token=token).first()


def revoked_by_token(token: str) -> RevokedCertificate | None:
    """The public page of a revoked certificate's QR code (it says 已撤销 and when), or None."""
    token = (token or "").strip()
    if not token or len(token) > 43:
        return None
    return (
        RevokedCertificate.objects.select_related("enrolment__person", "enrolment__klass__org")
        .filter(certificate_token=token)
        .first()
    )


def staff_grants(*, actor) -> QuerySet[EducationGrant]:
    return scoped(EducationGrant.objects.select_related("person", "union", "application"), actor).order_by(
        "-created_at", "-id"
    )


# ---------------------------------------------------------------- members


def my_enrolments(person) -> list[Enrolment]:
    rows = list(
        Enrolment.objects.filter(person=person, status=E.ENROLLED)
        .select_related("klass__org", "union")
        .prefetch_related(_revocations())
        .order_by("-klass__starts_on", "-id")
    )
    for e in rows:
        e.attended = attended_counts(e.klass).get(e.pk, 0)
    return rows


def my_grants(person) -> QuerySet[EducationGrant]:
    return EducationGrant.objects.filter(person=person).select_related("application").order_by("-created_at")
