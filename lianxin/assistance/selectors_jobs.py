"""Scoped reads of 就业帮扶: posts and their applicants in the actor's subtree, job seekers with their matches by
工种 keyword, and the member's side (open posts, their own applications and registration)."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone

from lianxin.core.scoping import get_scoped_or_404, scoped

from .models import JobApplication, JobPost, JobPostStatus, JobSeeker


def _open():
    return Q(status=JobPostStatus.OPEN, valid_until__gte=timezone.localdate())


def post_list(*, actor, status: str = ""):
    qs = (scoped(JobPost.objects.select_related("union", "employer"), actor)
          .annotate(applicants=Count("applications")))
    if status == "open":
        qs = qs.filter(_open())
    elif status == "closed":
        qs = qs.exclude(_open())
    return qs.order_by("-created_at", "-pk")


def post_detail(*, actor, pk, action: str = "view") -> JobPost:
    return get_scoped_or_404(JobPost.objects.select_related("union", "employer"), actor, pk, action)


def applicants(*, actor, post: JobPost):
    """The post's applicants: the posting union's staff see all; another union's staff see their own members."""
    return (scoped(JobApplication.objects.filter(post=post), actor).select_related("person", "union")
            .order_by("created_at", "pk"))


def application_of(*, actor, post: JobPost, pk) -> JobApplication:
    return get_scoped_or_404(JobApplication.objects.filter(post=post).select_related("person", "post"), actor, pk)


def seekers(*, actor, q: str = "", active_only: bool = True):
    qs = scoped(JobSeeker.objects.select_related("person", "union"), actor)
    if active_only:
        qs = qs.filter(active=True)
    if q:
        q = q.strip()
        qs = qs.filter(Q(trade__contains=q) | Q(wanted_job__contains=q) | Q(person__name__contains=q))
    return qs.order_by("-updated_at", "-pk")


def matches(*, actor, page) -> dict[int, list[JobPost]]:
    """For the seekers on one page: open posts in the actor's scope whose 工种 or title contains the seeker's 工种
    keyword (or whose 工种 appears in the seeker's wanted job). One query for the whole page."""
    rows = list(page)
    keys = {s.pk: s.trade.strip() for s in rows if s.trade.strip()}
    if not keys:
        return {}
    cond = Q(pk__in=[])
    for k in set(keys.values()):
        cond |= Q(trade__icontains=k) | Q(title__icontains=k)
    posts = list(scoped(JobPost.objects.filter(_open()).filter(cond).select_related("employer"), actor)
                 .order_by("valid_until", "pk")[:500])
    out: dict[int, list[JobPost]] = {}
    for s in rows:
        k = keys.get(s.pk, "").lower()
        if not k:
            continue
        out[s.pk] = [p for p in posts if k in p.trade.lower() or k in p.title.lower()][:5]
    return out


# --- member side -------------------------------------------------------------------------------------------------


def open_posts(*, q: str = ""):
    """Every open post in the district (job posts are public to members)."""
    qs = JobPost.objects.filter(_open()).filter(hired__lt=F("openings")).select_related("employer", "union")
    if q:
        q = q.strip()
        qs = qs.filter(Q(title__contains=q) | Q(trade__contains=q) | Q(employer__name__contains=q))
    return qs.order_by("-created_at", "-pk")


def member_post(person, pk) -> JobPost:
    """A post the member may look at: open, or one they applied to (so their history links keep working)."""
    try:
        return (JobPost.objects.filter(Q(_open()) | Q(applications__person=person)).distinct()
                .select_related("employer", "union").get(pk=int(pk)))
    except (JobPost.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def my_applications(person):
    return (JobApplication.objects.filter(person=person).select_related("post__employer")
            .order_by("-created_at"))


def my_seeker(person) -> JobSeeker | None:
    return JobSeeker.objects.filter(person=person).first()

