"""Reads of selections and the 劳模工匠库: staff views scoped (DESIGN rule 1), member views of what is public."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from lianxin.core.scoping import can, get_scoped_or_404, scope_for, scoped
from lianxin.orgs.models import STEP, Organization, OrgKind

from .models import Candidate, Honour, Selection, Vote, Voter

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
