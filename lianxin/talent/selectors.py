"""Reads of selections and the 劳模工匠库: staff views scoped (DESIGN rule 1), member views of what is public."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lianxin.core.scoping import can, desk_paths, get_scoped_or_404, scope_for, scoped
from lianxin.orgs.models import STEP, Organization, OrgKind

from .models import (
    Candidate,
    Competition,
    Contestant,
    Honour,
    InnovationEntry,
    InnovationJudge,
    InnovationRound,
    InnovationScore,
    Selection,
    Vote,
    Voter,
)

S = Selection.Status
PUBLIC = (S.VOTING, S.CLOSED, S.ANNOUNCED)


def _ancestors_or_self(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def _reach(actor) -> Q:
    """Selections a staff member takes part in: organised inside their subtree (they run or oversee them), or
    whose audience contains their organisation (their unions nominate)."""
    scope = scope_for(actor)
    if scope.superuser:
        return Q()
    q = Q(pk__in=[])
    for p in scope.paths("view"):
        q |= Q(org__path__startswith=p) | Q(audience__path__in=_ancestors_or_self(p))
    return q


def staff_selections(*, actor, status: str = "") -> QuerySet[Selection]:
    qs = Selection.objects.filter(_reach(actor)).select_related("org").annotate(
        n_candidates=Count("candidates", filter=Q(candidates__status=Candidate.Status.APPROVED)))
    if status in S.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def staff_selection(*, actor, pk) -> Selection:
    """404 for a selection the actor takes no part in."""
    try:
        return Selection.objects.filter(_reach(actor)).select_related("org", "audience").get(pk=int(pk))
    except (Selection.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def organiser_selection(*, actor, pk, action: str = "change") -> Selection:
    """The selection for its organiser's own forms: 404 outside the organiser's subtree, 403 for a role that
    sees it but may not ``action``."""
    return get_scoped_or_404(Selection.objects.select_related("org", "audience"), actor, pk, action)


def is_organiser(actor, sel: Selection, action: str = "change") -> bool:
    return can(actor, action, sel.org.path)


def staff_candidates(*, actor, selection: Selection, status: str = "") -> QuerySet[Candidate]:
    """The organiser's staff see every nominee; a nominating union's staff see their own, and once the list is
    published (voting on) every approved candidate like the members do."""
    qs = Candidate.objects.filter(selection=selection).select_related("person", "union")
    if not is_organiser(actor, selection, "view"):
        mine = scoped(Candidate.objects.filter(selection=selection), actor).values("pk")
        published = Q(status=Candidate.Status.APPROVED) if selection.status in PUBLIC else Q(pk__in=[])
        qs = qs.filter(Q(pk__in=mine) | published)
    if status in Candidate.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("number", "id")


def staff_candidate(*, actor, selection: Selection, pk) -> Candidate:
    try:
        return staff_candidates(actor=actor, selection=selection).get(pk=int(pk))
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def selection_orgs(*, actor) -> QuerySet[Organization]:
    """Where the actor may organise a selection: unions above the grassroots and the side bodies (团工委、妇工委)."""
    return scoped(Organization.objects.filter(kind__in=(OrgKind.FEDERATION, OrgKind.STREET, OrgKind.JOINT,
                                                        OrgKind.INDUSTRY, OrgKind.YOUTH, OrgKind.WOMEN)),
                  actor, "change").order_by("path")


def ranking(sel: Selection) -> list[Candidate]:
    """The approved candidates by votes, each with ``place``: competition ranking (1, 2, 2, 4), so ties show."""
    rows = list(sel.candidates.filter(status=Candidate.Status.APPROVED).select_related("person", "union")
                .order_by("-votes", "number", "id"))
    place, prev = 0, None
    for i, c in enumerate(rows, start=1):
        if c.votes != prev:
            place, prev = i, c.votes
        c.place = place
    counts: dict[int, int] = {}
    for c in rows:
        counts[c.place] = counts.get(c.place, 0) + 1
    for c in rows:
        c.tied = counts[c.place] > 1
    return rows


def proposed_winners(sel: Selection, rows: list[Candidate] | None = None) -> list[Candidate]:
    """Everyone placed within the number of places: with a tie at the last place, all tied candidates."""
    rows = ranking(sel) if rows is None else rows
    return [c for c in rows if c.place <= sel.winners_count and c.votes > 0]


def turnout(selection: Selection) -> dict:
    """Roll size, members who voted, votes cast."""
    voted = Vote.objects.filter(selection=selection).values("voter").distinct().count()
    return {"electorate": selection.electorate, "voted": voted,
            "votes": Vote.objects.filter(selection=selection).count()}


# ---------------------------------------------------------------- members

def member_selections(membership=None) -> QuerySet[Selection]:
    """Published selections (voting, closed, announced). A member sees those whose audience holds their union;
    a visitor sees them all (selections are public)."""
    qs = Selection.objects.filter(status__in=PUBLIC).select_related("org")
    if membership is not None:
        qs = qs.filter(audience__path__in=_ancestors_or_self(membership.union.path))
    return qs.order_by("-voting_opens_at", "-id")


def member_selection(pk) -> Selection:
    try:
        return Selection.objects.select_related("org", "audience").get(pk=int(pk), status__in=PUBLIC)
    except (Selection.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def ballot(selection: Selection) -> QuerySet[Candidate]:
    return (Candidate.objects.filter(selection=selection, status=Candidate.Status.APPROVED)
            .select_related("person", "union").order_by("number", "id"))


def ballot_candidate(selection: Selection, pk) -> Candidate:
    try:
        return ballot(selection).get(pk=int(pk))
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def my_voter(person, selection: Selection) -> Voter | None:
    if person is None:
        return None
    return Voter.objects.filter(selection=selection, person=person).first()


def my_votes(person, selection: Selection, day) -> set[int]:
    """Candidates this member has voted for in the current counting period."""
    if person is None:
        return set()
    return set(Vote.objects.filter(selection=selection, voter=person, day=day).values_list("candidate_id", flat=True))


def candidate_photo(user, pk) -> Candidate:
    """A candidate's photo: public once the approved list is published; before that only to staff in scope."""
    c = Candidate.objects.select_related("selection").filter(pk=pk).exclude(photo="").first()
    if c is None:
        raise Http404
    if c.status == Candidate.Status.APPROVED and c.selection.status in PUBLIC:
        return c
    return get_scoped_or_404(Candidate.objects.exclude(photo=""), user, pk, "view")


# ---------------------------------------------------------------- the 劳模工匠库

def honours(*, actor, title: str = "", level: str = "", year=None, union=None, category: str = "",
            status: str = "active") -> QuerySet[Honour]:
    qs = scoped(Honour.objects.select_related("person", "union", "selection"), actor)
    if title:
        qs = qs.filter(title__contains=title.strip())
    if level:
        qs = qs.filter(level=level)
    if category:
        qs = qs.filter(category=category)
    if year:
        qs = qs.filter(year=year)
    if union is not None:
        qs = qs.filter(union__path__startswith=union.path)
    if status in Honour.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "-id")


def honour_unions(*, actor) -> QuerySet[Organization]:
    """Organisations to filter the register by: the federation, streets, joint and industry unions in the actor's
    subtree, and the grassroots unions there that hold honoured people."""
    holders = scoped(Honour.objects.all(), actor).values("union_id")
    upper = scoped(Organization.objects.filter(kind__in=(OrgKind.FEDERATION, OrgKind.STREET, OrgKind.JOINT,
                                                         OrgKind.INDUSTRY)), actor).values("pk")
    return Organization.objects.filter(Q(pk__in=holders) | Q(pk__in=upper)).order_by("path")


def honour_detail(*, actor, pk, action: str = "view") -> Honour:
    return get_scoped_or_404(Honour.objects.select_related("person", "union", "selection"), actor, pk, action)


# ---------------------------------------------------------------- 劳动竞赛

def staff_competitions(*, actor, status: str = "") -> QuerySet[Competition]:
    """Competitions organised in the actor's subtree, or whose audience holds their organisation (they enter)."""
    qs = Competition.objects.filter(_reach(actor)).select_related("org")
    if status in Competition.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def staff_competition(*, actor, pk) -> Competition:
    try:
        return Competition.objects.filter(_reach(actor)).select_related("org", "audience").get(pk=int(pk))
    except (Competition.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def organiser_competition(*, actor, pk, action: str = "change") -> Competition:
    """The competition for its organiser's own forms: 404 outside the actor's subtree, 403 for a role that sees
    it but may not ``action``."""
    return get_scoped_or_404(Competition.objects.select_related("org", "audience"), actor, pk, action)


def staff_contestants(*, actor, competition: Competition) -> QuerySet[Contestant]:
    """The organiser's staff see every contestant; an entering union's staff their own, and after publication
    the whole ranking."""
    qs = Contestant.objects.filter(competition=competition).select_related("person", "union")
    if not is_organiser(actor, competition, "view") and competition.status != Competition.Status.PUBLISHED:
        qs = qs.filter(pk__in=scoped(Contestant.objects.filter(competition=competition), actor).values("pk"))
    return qs.order_by("rank", "union__path", "id")


def staff_contestant(*, actor, competition: Competition, pk) -> Contestant:
    try:
        return staff_contestants(actor=actor, competition=competition).get(pk=int(pk))
    except (Contestant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def member_competitions(membership) -> QuerySet[Competition]:
    """Competitions open for sign-up now whose audience holds the member's union (a visitor sees them all)."""
    now = timezone.now()
    qs = Competition.objects.filter(status=Competition.Status.OPEN, signup_opens_at__lte=now,
                                    signup_closes_at__gt=now).select_related("org")
    if membership is not None:
        qs = qs.filter(audience__path__in=_ancestors_or_self(membership.union.path))
    return qs.order_by("signup_closes_at", "id")


def my_contests(person) -> QuerySet[Contestant]:
    if person is None:
        return Contestant.objects.none()
    return (Contestant.objects.filter(person=person).select_related("competition", "competition__org", "union")
            .order_by("-created_at"))


def member_competition(pk) -> Competition:
    try:
        return Competition.objects.select_related("org").get(pk=int(pk))
    except (Competition.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# ---------------------------------------------------------------- 创新成果评审

def _round_reach(actor) -> Q:
    """Rounds organised in the actor's subtree, rounds whose organiser is above them (their unions submit), and
    rounds they judge."""
    scope = scope_for(actor)
    if scope.superuser:
        return Q()
    q = Q(pk__in=InnovationJudge.objects.filter(user_id=getattr(actor, "pk", None)).values("round_id"))
    for p in scope.paths("view"):
        q |= Q(org__path__startswith=p) | Q(org__path__in=_ancestors_or_self(p))
    return q


def staff_rounds(*, actor) -> QuerySet[InnovationRound]:
    return (InnovationRound.objects.filter(_round_reach(actor)).select_related("org")
            .annotate(n_entries=Count("entries", distinct=True)).order_by("-created_at", "-id"))


def staff_round(*, actor, pk) -> InnovationRound:
    try:
        return InnovationRound.objects.filter(_round_reach(actor)).select_related("org").get(pk=int(pk))
    except (InnovationRound.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_judge(actor, rnd: InnovationRound) -> bool:
    return InnovationJudge.objects.filter(round=rnd, user_id=getattr(actor, "pk", None)).exists()


def round_entries(*, actor, rnd: InnovationRound) -> QuerySet[InnovationEntry]:
    """The organiser's staff and the judges see every entry; a submitting union's staff see their own, and after
    the close the results."""
    qs = InnovationEntry.objects.filter(round=rnd).select_related("union")
    if not (can(actor, "view", rnd.org.path) or is_judge(actor, rnd)) and rnd.status != InnovationRound.Status.CLOSED:
        qs = qs.filter(pk__in=scoped(InnovationEntry.objects.filter(round=rnd), actor).values("pk"))
    return qs.order_by("rank", "id")


def round_entry(*, actor, rnd: InnovationRound, pk) -> InnovationEntry:
    try:
        return round_entries(actor=actor, rnd=rnd).get(pk=int(pk))
    except (InnovationEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def my_scores(actor, rnd: InnovationRound) -> dict[int, int]:
    """The judge's own marks, by entry: all a judge sees of the scores before the round closes."""
    return dict(InnovationScore.objects.filter(round=rnd, judge_id=getattr(actor, "pk", None))
                .values_list("entry_id", "score"))


def progress(rnd: InnovationRound) -> dict:
    """How many scores are in (counts only: no marks before the close)."""
    judges = rnd.judges.count()
    entries = rnd.entries.count()
    return {"judges": judges, "entries": entries, "given": InnovationScore.objects.filter(round=rnd).count(),
            "expected": judges * entries}


def judge_progress(rnd: InnovationRound) -> list:
    """Each judge with the number of entries they have scored (no marks)."""
    given = dict(InnovationScore.objects.filter(round=rnd).values("judge_id").annotate(n=Count("id"))
                 .values_list("judge_id", "n"))
    out = list(rnd.judges.select_related("user"))
    for j in out:
        j.given = given.get(j.user_id, 0)
    return out


def closed_scores(rnd: InnovationRound) -> dict[int, list[int]]:
    """After the close only: every entry's marks, sorted (to show which were dropped)."""
    if rnd.status != InnovationRound.Status.CLOSED:
        return {}
    out: dict[int, list[int]] = {}
    for entry_id, score in InnovationScore.objects.filter(round=rnd).values_list("entry_id", "score"):
        out.setdefault(entry_id, []).append(score)
    return {k: sorted(v) for k, v in out.items()}


def submit_unions(*, actor, rnd: InnovationRound) -> QuerySet[Organization]:
    """Unions the actor may submit for: in their change scope and the organiser's subtree (no side bodies)."""
    return scoped(Organization.objects.filter(path__startswith=rnd.org.path, kind__in=(
        OrgKind.FEDERATION, OrgKind.STREET, OrgKind.JOINT, OrgKind.INDUSTRY, OrgKind.BASE)), actor,
        "change").order_by("path")


# ---------------------------------------------------------------- 工作台 待办 (todos.py counts these)


def _desk(actor, field: str) -> Q:
    """``field`` (an organisation path) is one where ``actor`` holds an administrator's grant directly."""
    paths = desk_paths(actor, "change")
    return Q() if paths is None else Q(**{f"{field}__in": paths})


def candidates_to_review(*, actor) -> QuerySet[Candidate]:
    """Nominees 待审核 in selections still nominating, at the organising organisation's own desk."""
    return Candidate.objects.filter(status=Candidate.Status.PENDING, selection__status=Selection.Status.NOMINATING
                                    ).filter(_desk(actor, "selection__org__path"))


def entries_to_score(*, actor) -> QuerySet[InnovationEntry]:
    """Innovation entries this judge has not scored yet, in rounds under judging."""
    uid = getattr(actor, "pk", None)
    return (InnovationEntry.objects.filter(round__status=InnovationRound.Status.JUDGING, round__judges__user_id=uid)
            .exclude(scores__judge_id=uid))


def competitions_to_score(*, actor) -> QuerySet[Competition]:
    """Competitions in 评分中 whose scores the organiser's administrators are to record and publish."""
    return Competition.objects.filter(status=Competition.Status.SCORING).filter(_desk(actor, "org__path"))
