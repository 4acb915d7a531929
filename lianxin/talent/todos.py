"""工作台 待办 of 评选表彰 and 劳动竞赛: candidates to review, innovation entries to score, competitions to finish.

Each item is what this person may act on at their own desk — the organiser's administrators at the organising
organisation itself (as 待我审核: not every ancestor), a judge for the rounds they judge — counted in one grouped
query, and linked to the one page that lists it (or to the filtered list when it spans several)."""

from django.db.models import Q

from lianxin.core.scoping import desk_paths
from lianxin.core.todos import Todo, grouped, todo

from .models import Candidate, Competition, InnovationEntry, InnovationRound, Selection


def _desk(user, field: str) -> Q:
    """``field`` (an organisation path) is one where ``user`` holds an administrator's grant directly."""
    paths = desk_paths(user, "change")
    return Q() if paths is None else Q(**{f"{field}__in": paths})


@todo(order=50)
def candidates(user):
    """Nominees 待审核 in selections still nominating, for the administrators of the organising organisation."""
    n, sels = grouped(Candidate.objects.filter(status=Candidate.Status.PENDING,
                                                selection__status=Selection.Status.NOMINATING)
                       .filter(_desk(user, "selection__org__path")), "selection_id")
    url = f"/console/talent/{sels[0]}/?cstatus=pending" if len(sels) == 1 else "/console/talent/?status=nominating"
    yield Todo("评选表彰", "待审核的候选人", n, url)


@todo(order=55)
def contest_work(user):
    """Innovation entries this judge has not scored yet in rounds under judging; competitions in 评分中 whose
    scores this administrator of the organiser is to record and publish."""
    uid = getattr(user, "pk", None)
    n, rounds = grouped(InnovationEntry.objects.filter(round__status=InnovationRound.Status.JUDGING,
                                                        round__judges__user_id=uid)
                         .exclude(scores__judge_id=uid), "round_id")
    url = f"/console/talent/innovation/{rounds[0]}/scoring/" if len(rounds) == 1 else "/console/talent/innovation/"
    yield Todo("劳动竞赛", "待我评分的创新成果", n, url)
    comps = list(Competition.objects.filter(status=Competition.Status.SCORING)
                 .filter(_desk(user, "org__path")).values_list("pk", flat=True))
    url = (f"/console/talent/competitions/{comps[0]}/scores/" if len(comps) == 1
           else "/console/talent/competitions/?status=scoring")
    yield Todo("劳动竞赛", "待登记成绩的竞赛", len(comps), url)
