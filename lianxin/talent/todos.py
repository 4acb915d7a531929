"""工作台 待办 of 评选表彰 and 劳动竞赛: candidates to review, innovation entries to score, competitions to finish.

Each item is what this person may act on at their own desk — the organiser's administrators at the organising
organisation itself (as 待我审核: not every ancestor), a judge for the rounds they judge — counted in one grouped
query, and linked to the one page that lists it (or to the filtered list when it spans several)."""

from lianxin.core.todos import Todo, grouped, link, todo

from . import selectors


@todo(order=50)
def candidates(user):
    n, sels = grouped(selectors.candidates_to_review(actor=user), "selection_id")
    url = link(sels, "/console/talent/{}/?cstatus=pending", "/console/talent/?status=nominating")
    yield Todo("评选表彰", "待审核的候选人", n, url)


@todo(order=55)
def contest_work(user):
    n, rounds = grouped(selectors.entries_to_score(actor=user), "round_id")
    url = link(rounds, "/console/talent/innovation/{}/scoring/", "/console/talent/innovation/")
    yield Todo("劳动竞赛", "待我评分的创新成果", n, url)
    comps = list(selectors.competitions_to_score(actor=user).values_list("pk", flat=True))
    url = link(comps, "/console/talent/competitions/{}/scores/", "/console/talent/competitions/?status=scoring")
    yield Todo("劳动竞赛", "待登记成绩的竞赛", len(comps), url)
