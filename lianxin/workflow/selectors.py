"""Reads of applications, always for an actor and scoped (DESIGN rule 1): reviewers through their grants,
applicants through ``applicant``/``entered_by`` only. Also the 最多跑一次 report."""

from __future__ import annotations

import statistics
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lianxin.core import notify
from lianxin.core.scoping import ACTIONS, can, get_scoped_or_404, scope_for, scoped

from .models import (
    FINISHED_STATES,
    OPEN_STATES,
    PENDING_STATES,
    Application,
    Attachment,
    Certificate,
    State,
    Step,
)
from .programmes import PROGRAMMES

REVIEW_ROLES = tuple(sorted(ACTIONS["review"]))  # the roles that may decide (core.scoping is the one source)

# A step is "mine" (待我审核) for a reviewer whose review grant sits directly at one of these organisations of
# the step: its own level, the union handling it because the one below has no reviewers, or the one it was
# escalated to. :func:`queue` filters steps by them; :func:`step_reviewers` reads the same fields from one step
# to find its people, so the queue and the new-step notifications cannot drift apart.
MINE_FIELDS = ("org_id", "assigned_to_id", "escalated_to_id")


def review_org_ids(actor) -> set[int]:
    """Organisations where the actor holds a reviewing role directly (not their subtrees)."""
    return set(actor.staff_roles.filter(active=True, role__in=REVIEW_ROLES)
               .values_list("organization_id", flat=True)) if getattr(actor, "pk", None) else set()


def queue(*, actor, programme: str = "", scope: str = "mine", overdue: bool = False) -> QuerySet[Step]:
    """Steps awaiting a decision that the actor may decide. ``mine``: at the actor's own organisations' level,
    assigned to them because the union below has no reviewers, or escalated to them; ``all``: anywhere in
    their subtree (a grant reaches its subtree, rule 1)."""
    qs = scoped(Step.objects.select_related("application", "application__org", "org", "assigned_to",
                                            "escalated_to"),
                actor, "review").filter(decision__isnull=True, application__state__in=PENDING_STATES)
    if scope == "mine" and not scope_for(actor).superuser:
        ids = review_org_ids(actor)
        mine = Q(pk__in=[])
        for f in MINE_FIELDS:
            mine |= Q(**{f"{f}__in": ids})
        qs = qs.filter(mine)
    if programme:
        qs = qs.filter(application__programme=programme)
    if overdue:
        qs = qs.filter(due_at__lt=timezone.now())
    return qs.order_by("due_at", "id")


def step_reviewers(step: Step) -> list:
    """The staff who find ``step`` under 待我审核: :func:`queue`'s rule read from the step's side (a direct
    review grant at one of its :data:`MINE_FIELDS` organisations, and ``review`` reaching the step through
    core.scoping). Platform superusers see every queue but hold no organisation's desk, so they are not
    counted. Ordered by id so messages are written in a stable order."""
    from lianxin.accounts.models import User

    org_ids = {getattr(step, f) for f in MINE_FIELDS} - {None}
    candidates = (User.objects.filter(is_active=True, is_superuser=False, staff_roles__active=True,
                                      staff_roles__role__in=REVIEW_ROLES, staff_roles__organization_id__in=org_ids)
                  .distinct().order_by("pk"))
    return [u for u in candidates if can(u, "review", step.org.path)]


# The in-app messages the workflow writes (reviewers' arrivals, overdue reminders and escalations, union admins'
# certificate reminders, and decisions on what staff filed for their union). The console's 审批消息 inbox, its
# unread counts (queue page and main navigation) and "全部标为已读" are all about these and nothing else: a staff
# member who is also a member keeps their activity notices etc. for the member pages, unread there.
WORKFLOW_TEMPLATES = ("workflow_new", "workflow_overdue", "workflow_escalated", "workflow_decision", "cert_expiry")
# The messages that announce one step (context["step"], dedupe key "<prefix>:<step>:…"); when the step closes they
# are done with (services.close_step_messages).
STEP_MESSAGE_PREFIXES = ("wf-new", "wf-overdue", "wf-esc")


def staff_inbox(*, actor):
    """The signed-in staff member's own workflow messages, newest first (never anyone else's)."""
    return notify.inbox(actor).filter(template__in=WORKFLOW_TEMPLATES)


def staff_unread_count(*, actor) -> int:
    """One COUNT, served by core's partial index ``notif_user_unread`` (the user's unread in-app rows only), so
    its cost follows what is unread (see README, "Unread counts")."""
    if not getattr(actor, "pk", None):
        return 0
    return staff_inbox(actor=actor).filter(read_at__isnull=True).count()


def staff_message(*, actor, pk):
    """One of the actor's own in-app messages; 404 for anyone else's (ids do not leak)."""
    n = staff_inbox(actor=actor).filter(pk=pk).first()
    if n is None:
        raise Http404
    return n


def application_list(*, actor, programme: str = "", state: str = "", q: str = "") -> QuerySet[Application]:
    qs = scoped(Application.objects.select_related("org", "target_org"), actor, "view").exclude(
        state=State.DRAFT)
    if programme:
        qs = qs.filter(programme=programme)
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(number=q.strip().upper()) | Q(title__icontains=q.strip()))
    return qs


def application_detail(*, actor, pk) -> Application:
    return get_scoped_or_404(Application.objects.select_related("org", "target_org", "applicant", "entered_by",
                                                                "person"), actor, pk, "view")


def my_applications(*, user) -> QuerySet[Application]:
    if not getattr(user, "pk", None):
        return Application.objects.none()
    return Application.objects.filter(Q(applicant=user) | Q(entered_by=user)).select_related("org", "target_org")


def waiting_on_me(*, user) -> QuerySet[Application]:
    """The member's own applications that wait for them, not for a reviewer: returned for correction (补正, the
    one trip 最多跑一次 allows) and drafts never submitted — newest first (the portal home's 需要您处理)."""
    return my_applications(user=user).filter(state__in=(State.RETURNED, State.DRAFT)).order_by("-updated_at", "-id")


def my_open_application(*, user, programme: str) -> Application | None:
    """The user's own application of ``programme`` still in hand (draft, submitted, in review or returned), if any:
    the portal names an open 入会 where it would otherwise offer 申请入会 again, and the engine refuses a second one
    for a programme with ``one_open_per_account``."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (Application.objects.filter(programme=programme, applicant=user, state__in=OPEN_STATES)
            .order_by("-id").first())


def my_application(*, user, pk) -> Application:
    """An application the user filed (or entered for someone); 404 otherwise, so ids do not leak."""
    app = my_applications(user=user).filter(pk=pk).first()
    if app is None:
        raise Http404
    return app


def steps_of(app: Application) -> QuerySet[Step]:
    return app.steps.select_related("org", "reviewer", "assigned_to", "escalated_to").order_by("id")


def open_step(app: Application) -> Step | None:
    return app.steps.filter(decision__isnull=True).select_related("org").first()


def attachment_for(*, user, pk) -> Attachment:
    """The file is served to its applicant and to staff whose scope reaches the application; 404 to anyone
    else (the file's existence does not leak)."""
    att = Attachment.objects.select_related("application").filter(pk=pk).first()
    if att is None or not getattr(user, "is_authenticated", False):
        raise Http404
    app = att.application
    if user.pk in (app.applicant_id, app.entered_by_id):
        return att
    if scoped(Attachment.objects.filter(pk=pk), user, "view").exists():
        return att
    raise Http404


def certificate_list(*, actor) -> QuerySet[Certificate]:
    return scoped(Certificate.objects.select_related("union"), actor, "view")


def certificate_for(*, user, pk) -> Certificate:
    cert = Certificate.objects.select_related("union", "application").filter(pk=pk).first()
    if cert is None:
        raise Http404
    if cert.application and user.pk and user.pk == cert.application.applicant_id:
        return cert
    if can(user, "view", cert.union.path):
        return cert
    raise Http404


def certificate_by_token(token: str) -> Certificate:
    cert = Certificate.objects.filter(token=token).first()
    if cert is None:
        raise Http404
    return cert


def trips_report(*, actor, programme: str = "", by: str = "org") -> tuple[list[dict], list[dict]]:
    """最多跑一次: per programme and receiving organisation, of the finished (approved or rejected)
    applications in scope, the share with zero trips and with at most one, and the median days from first
    submission to decision; plus one total row per programme (its median is over all its decisions, not a
    median of medians). Computed in Python over one narrow query so the figures match on SQLite and
    PostgreSQL. ``by="street"`` rolls the organisations up to the street (or park) they lie in."""
    from lianxin.orgs.models import STEP, Organization

    qs = application_list(actor=actor, programme=programme).filter(
        state__in=FINISHED_STATES, submitted_at__isnull=False, decided_at__isnull=False)
    groups: dict[tuple[str, object], dict] = defaultdict(lambda: {"trips": [], "days": []})
    data = list(qs.values_list("programme", "org__name", "org__path", "trips", "submitted_at", "decided_at"))
    if by == "street":
        prefixes = {p[: 2 * STEP] for _, _, p, *_ in data}
        street_names = dict(Organization.objects.filter(path__in=prefixes).values_list("path", "name"))
        data = [(pr, street_names.get(p[: 2 * STEP], n), p, *rest) for pr, n, p, *rest in data]
    for prog, org_name, _path, trips, sub, dec in data:
        days = (dec - sub).total_seconds() / 86400
        for key in ((prog, org_name), (prog, None)):
            groups[key]["trips"].append(trips)
            groups[key]["days"].append(days)

    def row(prog, org_name, g):
        n = len(g["trips"])
        zero = sum(1 for t in g["trips"] if t == 0)
        one = sum(1 for t in g["trips"] if t <= 1)
        return {"programme": prog, "programme_name": PROGRAMMES[prog].name if prog in PROGRAMMES else prog,
                "org": org_name or "合计", "finished": n, "zero": zero, "at_most_one": one,
                "zero_pct": round(100 * zero / n, 1), "one_pct": round(100 * one / n, 1),
                "median_days": round(statistics.median(g["days"]), 1)}

    rows = [row(p, o, g) for (p, o), g in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
            if o is not None]
    totals = [row(p, None, g) for (p, o), g in sorted(groups.items(), key=lambda kv: kv[0][0]) if o is None]
    return rows, totals


def still_waiting(messages) -> set[int]:
    """Of the steps these (the actor's own) messages announce, the ones still awaiting a decision, so the inbox
    can say which messages are done with. Only ids named in the actor's messages are looked up."""
    ids = {m.context.get("step") for m in messages if isinstance(m.context, dict)} - {None}
    return set(Step.objects.filter(pk__in=ids, decision__isnull=True, application__state__in=PENDING_STATES)
               .values_list("pk", flat=True))
