"""劳动竞赛 and 创新成果评审 pages: the console (set up, enter contestants, score sheet, publish, confirm titles;
rounds, submissions, judges, a judge's score sheet, results and export) and the member H5 pages (competitions open
for sign-up, my results). Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, may, offers
from lianxin.core.views import form_error, paginate, staff_required
from lianxin.members.selectors import person_to_change
from lianxin.portal.services import current_membership

from . import competitions, innovation, selectors
from .forms import CompetitionForm, EnterForm, EntryForm, JudgeForm, RoundForm, WithdrawForm
from .models import Competition, InnovationRound

C = Competition.Status
R = InnovationRound.Status


def _score_text(tenths) -> str:
    return "" if tenths is None else f"{tenths // 10}.{tenths % 10}"


# ---------------------------------------------------------------- console: competitions

@staff_required
def competition_list(request):
    status = request.GET.get("status", "")
    return render(request, "talent/console/competitions.html", {
        "page": paginate(request, selectors.staff_competitions(actor=request.user, status=status)),
        "status": status, "statuses": C.choices})


@staff_required
@offers("change")
def competition_new(request):
    form = CompetitionForm(request.POST or None, orgs=selectors.selection_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        org = d.pop("org")
        try:
            comp = competitions.create_competition(actor=request.user, org=org, **d)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "竞赛已创建，范围内各工会可在报名时间内为会员报名")
            return redirect(f"/console/talent/competitions/{comp.pk}/")
    return render(request, "talent/console/competition_form.html", {"form": form},
                  status=400 if form.errors else 200)


@staff_required
def competition_edit(request, pk):
    """修改 while sign-up is open: 404 outside the viewer's reach, 403 for a role that may not change the organiser's
    records; the limits (no fewer places than entries, no union over a lowered cap) are the service's."""
    comp = selectors.organiser_competition(actor=request.user, pk=pk)
    if comp.status != C.OPEN:
        messages.error(request, "报名结束后不能再修改竞赛设置")
        return redirect(f"/console/talent/competitions/{comp.pk}/")
    form = CompetitionForm(request.POST or None, instance=comp)
    if request.method == "POST" and form.is_valid():
        try:
            competitions.update_competition(actor=request.user, competition=comp, **form.cleaned_data)
        except ServiceError as e:
            if isinstance(e, PermissionDenied):
                raise
            form_error(form, e)
        else:
            messages.success(request, "竞赛设置已保存")
            return redirect(f"/console/talent/competitions/{comp.pk}/")
    return render(request, "talent/console/competition_form.html", {"form": form, "instance": comp},
                  status=400 if form.errors else 200)


@staff_required
def competition_export(request, pk):
    from lianxin.assistance.views import _xlsx

    comp = selectors.staff_competition(actor=request.user, pk=pk)
    rows = selectors.staff_contestants(actor=request.user, competition=comp)
    w = competitions.export_results(actor=request.user, competition=comp, rows=rows)
    return _xlsx(w, f"{comp.title}成绩名单.xlsx")


def _competition_page(request, comp, *, enter=None, status=200):
    organiser = selectors.is_organiser(request.user, comp)
    may_export = can(request.user, "export", comp.org.path)
    now = timezone.now()
    rows = list(selectors.staff_contestants(actor=request.user, competition=comp))
    ranked = competitions.ranking_of(rows)
    places = {c.pk: c for c in ranked}
    for c in rows:
        c.theory_text, c.practice_text = _score_text(c.theory), _score_text(c.practice)
        c.total_text = "" if c.total is None else f"{c.total / 1000:.3f}".rstrip("0").rstrip(".")
        c.live_place = places[c.pk].place if c.pk in places else None
        c.live_tied = places[c.pk].is_tied if c.pk in places else False
    proposed = {c.pk for c in competitions.proposed_awards(comp, ranked)}
    if comp.status == C.PUBLISHED:
        rows.sort(key=lambda c: (c.rank is None, c.rank or 0, c.pk))
    return render(request, "talent/console/competition.html", {
        "c": comp, "organiser": organiser, "may_export": may_export, "rows": rows, "proposed": proposed,
        "may_enter": comp.status == C.OPEN and comp.signup_opens_at <= now < comp.signup_closes_at
        and may(request.user, "change"),
        "enter_form": enter or EnterForm(), "withdraw_form": WithdrawForm(),
        "honours": comp.contestants.filter(honour__isnull=False).count(),
    }, status=status)


@staff_required
def competition_detail(request, pk):
    return _competition_page(request, selectors.staff_competition(actor=request.user, pk=pk))


@staff_required
@require_POST
def competition_enter(request, pk):
    comp = selectors.staff_competition(actor=request.user, pk=pk)
    form = EnterForm(request.POST)
    if form.is_valid():
        try:
            person = person_to_change(actor=request.user, who=form.cleaned_data["who"])
            c = competitions.enter_contestant(actor=request.user, competition=comp, person=person)
        except ServiceError as e:
            form_error(form, e, {"person": "who"})
        else:
            messages.success(request, f"已为 {c.person.name} 报名")
            return redirect(f"/console/talent/competitions/{comp.pk}/")
    return _competition_page(request, comp, enter=form, status=400)


@staff_required
@require_POST
def competition_withdraw(request, pk, cid):
    comp = selectors.staff_competition(actor=request.user, pk=pk)
    c = selectors.staff_contestant(actor=request.user, competition=comp, pk=cid)
    try:
        competitions.withdraw_contestant(actor=request.user, contestant=c, reason=request.POST.get("reason", ""))
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已撤回 {c.person.name} 的报名")
    return redirect(f"/console/talent/competitions/{comp.pk}/")


@staff_required
@require_POST
def competition_step(request, pk, step):
    comp = selectors.staff_competition(actor=request.user, pk=pk)
    if not selectors.is_organiser(request.user, comp):
        raise PermissionDenied("只有竞赛主办单位的管理员可以办理")
    try:
        if step == "close":
            competitions.close_signup(actor=request.user, competition=comp)
            messages.success(request, "报名已结束，请登记成绩")
        elif step == "publish":
            competitions.publish_results(actor=request.user, competition=comp)
            messages.success(request, "成绩已公布，选手可在手机上查看名次")
        elif step == "award":
            added, skipped = competitions.confirm_awards(actor=request.user, competition=comp)
            text = f"已将 {added} 名选手的“{comp.award_title}”称号记入劳模工匠库" if added else "没有需要新增的称号记录"
            if skipped:
                text += f"；{'、'.join(skipped)}已有同年度同级别的该称号，未重复记入"
            messages.success(request, text)
        else:
            raise Http404
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect(f"/console/talent/competitions/{comp.pk}/")


@staff_required
def competition_scores(request, pk):
    """The organiser's score sheet: theory and practice for every contestant, saved together."""
    comp = selectors.staff_competition(actor=request.user, pk=pk)
    if not selectors.is_organiser(request.user, comp):
        raise PermissionDenied("只有竞赛主办单位的管理员可以登记成绩")
    rows = list(selectors.staff_contestants(actor=request.user, competition=comp).order_by("union__path", "id"))
    error, posted = "", {}
    if request.method == "POST":
        posted = {c.pk: (request.POST.get(f"theory-{c.pk}", ""), request.POST.get(f"practice-{c.pk}", ""))
                  for c in rows}
        try:
            n = competitions.record_scores(actor=request.user, competition=comp, scores=posted)
        except ServiceError as e:
            error = e.message
        else:
            messages.success(request, f"已保存 {n} 名选手的成绩" if n else "成绩没有变化")
            return redirect(f"/console/talent/competitions/{comp.pk}/")
    for c in rows:
        c.theory_text, c.practice_text = posted.get(c.pk, (_score_text(c.theory), _score_text(c.practice)))
    return render(request, "talent/console/competition_scores.html", {
        "c": comp, "rows": rows, "error": error, "editable": comp.status == C.SCORING},
        status=400 if error else 200)


# ---------------------------------------------------------------- console: innovation rounds

@staff_required
def round_list(request):
    return render(request, "talent/console/rounds.html", {
        "page": paginate(request, selectors.staff_rounds(actor=request.user))})


@staff_required
@offers("change")
def round_new(request):
    form = RoundForm(request.POST or None, orgs=selectors.selection_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        org = d.pop("org")
        try:
            rnd = innovation.create_round(actor=request.user, org=org, **d)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "评审已创建，请添加评委；各工会可在截止前申报成果")
            return redirect(f"/console/talent/innovation/{rnd.pk}/")
    return render(request, "talent/console/round_form.html", {"form": form}, status=400 if form.errors else 200)


def _round_page(request, rnd, *, judge_form=None, status=200):
    organiser = can(request.user, "change", rnd.org.path)
    entries = list(selectors.round_entries(actor=request.user, rnd=rnd))
    scores = selectors.closed_scores(rnd)
    for e in entries:
        e.marks = scores.get(e.pk, [])
    ctx = {"r": rnd, "organiser": organiser, "entries": entries, "judge": selectors.is_judge(request.user, rnd),
           "progress": selectors.progress(rnd), "judges": selectors.judge_progress(rnd),
           "may_submit": rnd.status == R.OPEN and timezone.now() <= rnd.submit_until
           and selectors.submit_unions(actor=request.user, rnd=rnd).exists()}
    if organiser and rnd.status != R.CLOSED:
        ctx["judge_form"] = judge_form or JudgeForm(users=innovation.judge_choices(rnd))
    return render(request, "talent/console/round.html", ctx, status=status)


@staff_required
def round_detail(request, pk):
    return _round_page(request, selectors.staff_round(actor=request.user, pk=pk))


@staff_required
def round_submit(request, pk):
    rnd = selectors.staff_round(actor=request.user, pk=pk)
    unions = selectors.submit_unions(actor=request.user, rnd=rnd)
    if not unions.exists():
        raise PermissionDenied("您管理的范围内没有可以申报的工会")
    form = EntryForm(request.POST or None, unions=unions)
    if request.method == "POST" and form.is_valid():
        try:
            e = innovation.submit_entry(actor=request.user, round=rnd, **form.cleaned_data)
        except ServiceError as err:
            form_error(form, err)
        else:
            messages.success(request, f"已申报“{e.title}”")
            return redirect(f"/console/talent/innovation/{rnd.pk}/")
    return render(request, "talent/console/entry_form.html", {"r": rnd, "form": form},
                  status=400 if form.errors else 200)


@staff_required
@require_POST
def round_judge(request, pk):
    rnd = selectors.staff_round(actor=request.user, pk=pk)
    if not can(request.user, "change", rnd.org.path):
        raise PermissionDenied("只有评审主办单位的管理员可以添加评委")
    form = JudgeForm(request.POST, users=innovation.judge_choices(rnd))
    if form.is_valid():
        try:
            innovation.add_judge(actor=request.user, round=rnd, user=form.cleaned_data["user"])
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已添加评委")
            return redirect(f"/console/talent/innovation/{rnd.pk}/")
    return _round_page(request, rnd, judge_form=form, status=400)


@staff_required
@require_POST
def round_step(request, pk, step):
    rnd = selectors.staff_round(actor=request.user, pk=pk)
    try:
        if step == "judging":
            innovation.start_judging(actor=request.user, round=rnd)
            messages.success(request, "评审已开始，评委可以评分")
        elif step == "close":
            innovation.close_round(actor=request.user, round=rnd)
            messages.success(request, "评审已结束，名次和奖项已确定")
        else:
            raise Http404
    except ServiceError as e:
        if isinstance(e, PermissionDenied):
            raise
        messages.error(request, e.message)
    return redirect(f"/console/talent/innovation/{rnd.pk}/")


@staff_required
def round_entry(request, pk, eid):
    rnd = selectors.staff_round(actor=request.user, pk=pk)
    e = selectors.round_entry(actor=request.user, rnd=rnd, pk=eid)
    judge = selectors.is_judge(request.user, rnd)
    return render(request, "talent/console/entry.html", {
        "r": rnd, "e": e, "judge": judge, "mine": selectors.my_scores(request.user, rnd).get(e.pk) if judge else None,
        "marks": selectors.closed_scores(rnd).get(e.pk, [])})


@staff_required
def round_scoring(request, pk):
    """A judge's score sheet: every entry, their own mark where given, a box where not."""
    rnd = selectors.staff_round(actor=request.user, pk=pk)
    if not selectors.is_judge(request.user, rnd):
        raise PermissionDenied("您不是本轮评审的评委")
    mine = selectors.my_scores(request.user, rnd)
    entries = list(selectors.round_entries(actor=request.user, rnd=rnd).order_by("id"))
    for e in entries:
        e.mine = mine.get(e.pk)
    return render(request, "talent/console/round_scoring.html", {"r": rnd, "entries": entries,
                                                                  "open": rnd.status == R.JUDGING})


@staff_required
@require_POST
def round_score(request, pk, eid):
    rnd = selectors.staff_round(actor=request.user, pk=pk)
    e = selectors.round_entry(actor=request.user, rnd=rnd, pk=eid)
    try:
        innovation.score_entry(actor=request.user, entry=e, score=request.POST.get("score", ""))
    except ServiceError as err:
        if isinstance(err, PermissionDenied):
            raise
        messages.error(request, f"“{e.title}”：{err.message}")
    else:
        messages.success(request, f"已提交对“{e.title}”的评分")
    return redirect(f"/console/talent/innovation/{rnd.pk}/scoring/#e{e.pk}")


@staff_required
def round_export(request, pk):
    from lianxin.assistance.views import _xlsx

    rnd = selectors.staff_round(actor=request.user, pk=pk)
    if not can(request.user, "export", rnd.org.path):
        raise PermissionDenied("只有评审主办单位的工作人员可以导出结果")
    try:
        w = innovation.export_results(actor=request.user, round=rnd,
                                      rows=selectors.round_entries(actor=request.user, rnd=rnd))
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect(f"/console/talent/innovation/{rnd.pk}/")
    return _xlsx(w, f"{rnd.title}评审结果.xlsx")


# ---------------------------------------------------------------- member pages

def _person(request):
    return getattr(request.user, "person", None) if request.user.is_authenticated else None


def m_competitions(request):
    person = _person(request)
    membership = current_membership(person)
    return render(request, "talent/m/competitions.html", {
        "open": list(selectors.member_competitions(membership)[:50]), "mine": list(selectors.my_contests(person)[:20]),
        "person": person})


def m_competition(request, pk):
    comp = selectors.member_competition(pk)
    person = _person(request)
    mine = selectors.my_contests(person).filter(competition=comp).first()
    if mine is not None:
        mine.theory_text, mine.practice_text = _score_text(mine.theory), _score_text(mine.practice)
        mine.total_text = "" if mine.total is None else f"{mine.total / 1000:.3f}".rstrip("0").rstrip(".")
    if mine is None and comp.status != C.OPEN:
        raise Http404
    return render(request, "talent/m/competition.html", {"c": comp, "mine": mine})
