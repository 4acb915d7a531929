"""评选表彰 pages: the console (create, steps of the state machine, nominate, review, live tally, announce; the
劳模工匠库 with its filters) and the member H5 pages (the list, the ballot, a candidate's 事迹, the vote, the
results after 公示). Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.content.access import send_file
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import may, offers
from lianxin.core.views import form_error, member_login_required, paginate, staff_required
from lianxin.members.selectors import person_to_change
from lianxin.portal.services import current_membership

from . import selectors, services
from .forms import CloseForm, EndHonourForm, HonourForm, NominateForm, ReviewForm, SelectionForm
from .models import Candidate, Honour, HonourCategory, HonourLevel, Selection

S = Selection.Status


# ---------------------------------------------------------------- console: selections

@staff_required
def console_list(request):
    status = request.GET.get("status", "")
    return render(request, "talent/console/list.html", {
        "page": paginate(request, selectors.staff_selections(actor=request.user, status=status)),
        "status": status, "statuses": S.choices})


@staff_required
@offers("change")
def console_new(request):
    form = SelectionForm(request.POST or None, orgs=selectors.selection_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "org"}
        try:
            sel = services.create_selection(actor=request.user, org=form.cleaned_data["org"], **data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "评选已创建（草稿），核对无误后请开始推荐")
            return redirect(f"/console/talent/{sel.pk}/")
    return render(request, "talent/console/edit.html", {"form": form, "instance": None},
                  status=400 if form.errors else 200)


@staff_required
def console_edit(request, pk):
    sel = selectors.organiser_selection(actor=request.user, pk=pk)
    form = SelectionForm(request.POST or None, instance=sel, orgs=selectors.selection_orgs(actor=request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "org"}
        try:
            services.update_selection(actor=request.user, selection=sel, **data)
        except ServiceError as e:
            form_error(form, e)
        else:
            messages.success(request, "已保存")
            return redirect(f"/console/talent/{sel.pk}/")
    return render(request, "talent/console/edit.html", {"form": form, "instance": sel},
                  status=400 if form.errors else 200)


def _detail_page(request, sel, *, nominate=None, status=200):
    organiser = selectors.is_organiser(request.user, sel)
    cstatus = request.GET.get("cstatus", "")
    now = timezone.now()
    ctx = {
        "s": sel, "organiser": organiser, "cstatus": cstatus, "cstatuses": Candidate.Status.choices,
        "candidates": paginate(request, selectors.staff_candidates(actor=request.user, selection=sel,
                                                                    status=cstatus), 50),
        "may_nominate": sel.status == S.NOMINATING and now <= sel.nomination_deadline
        and may(request.user, "change"),
        "nominate_form": nominate or NominateForm(), "review_form": ReviewForm(), "close_form": CloseForm(),
        "voting_open": sel.status == S.VOTING and sel.voting_opens_at <= now < sel.voting_closes_at,
        "early": sel.status == S.VOTING and now < sel.voting_closes_at,
    }
    if sel.past_nomination and (organiser or selectors.is_organiser(request.user, sel, "view")):
        rows = selectors.ranking(sel)
        ctx["ranking"] = rows
        ctx["proposed"] = {c.pk for c in selectors.proposed_winners(sel, rows)}
        ctx["turnout"] = selectors.turnout(sel)
    elif sel.status == S.ANNOUNCED:
        ctx["ranking"] = selectors.ranking(sel)
    return render(request, "talent/console/detail.html", ctx, status=status)


@staff_required
def console_detail(request, pk):
    return _detail_page(request, selectors.staff_selection(actor=request.user, pk=pk))


@staff_required
@require_POST
def console_step(request, pk, step):
    sel = selectors.organiser_selection(actor=request.user, pk=pk)
    try:
        if step == "nominating":
            services.open_nomination(actor=request.user, selection=sel)
            messages.success(request, "已开始推荐，范围内各工会可推荐候选人")
        elif step == "voting":
            sel = services.open_voting(actor=request.user, selection=sel)
            messages.success(request, f"已开始投票：投票名单 {sel.electorate} 人（已确定，不再变动）")
        elif step == "close":
            services.close_voting(actor=request.user, selection=sel, reason=request.POST.get("reason", ""))
            messages.success(request, "投票已结束，请核对结果后公示")
        else:
            raise Http404
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect(f"/console/talent/{sel.pk}/")


@staff_required
@require_POST
def console_nominate(request, pk):
    sel = selectors.staff_selection(actor=request.user, pk=pk)
    form = NominateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            person = person_to_change(actor=request.user, who=form.cleaned_data["who"])
            c = services.nominate(actor=request.user, selection=sel, person=person,
                                  deeds=form.cleaned_data["deeds"], photo=form.cleaned_data["photo"])
        except ServiceError as e:
            form_error(form, e, {"person": "who"})
        else:
            messages.success(request, f"已推荐 {c.person.name}，待主办单位审核")
            return redirect(f"/console/talent/{sel.pk}/")
    return _detail_page(request, sel, nominate=form, status=400)


@staff_required
@require_POST
def console_review(request, pk, cid):
    sel = selectors.staff_selection(actor=request.user, pk=pk)
    c = selectors.staff_candidate(actor=request.user, selection=sel, pk=cid)
    approve = request.POST.get("decision") == "approve"
    try:
        services.review_candidate(actor=request.user, candidate=c, approve=approve, note=request.POST.get("note", ""))
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"{c.person.name}：{'审核通过' if approve else '审核不通过'}")
    return redirect(f"/console/talent/{sel.pk}/")


@staff_required
def console_announce(request, pk):
    sel = selectors.staff_selection(actor=request.user, pk=pk)
    if not selectors.is_organiser(request.user, sel):
        raise PermissionDenied("只有评选主办单位的管理员可以公示结果")
    if sel.status != S.CLOSED:
        messages.error(request, "本次评选已公示，不能重复公示" if sel.status == S.ANNOUNCED else "请先结束投票再公示结果")
        return redirect(f"/console/talent/{sel.pk}/")
    rows = selectors.ranking(sel)
    proposed = {c.pk for c in selectors.proposed_winners(sel, rows)}
    chosen, reason, error = proposed, "", ""
    if request.method == "POST":
        chosen = {int(x) for x in request.POST.getlist("winners") if x.isdigit()}
        reason = request.POST.get("reason", "")
        try:
            services.announce(actor=request.user, selection=sel, winner_ids=chosen, reason=reason)
        except ServiceError as e:
            error = e.message
        else:
            messages.success(request, "已公示评选结果，当选人已记入劳模工匠库")
            return redirect(f"/console/talent/{sel.pk}/")
    tied = len(proposed) > sel.winners_count
    return render(request, "talent/console/announce.html", {
        "s": sel, "ranking": rows, "proposed": proposed, "chosen": chosen, "reason": reason, "error": error,
        "tied": tied}, status=400 if error else 200)


# ---------------------------------------------------------------- console: the 劳模工匠库

@staff_required
def honour_list(request):
    g = request.GET
    year = int(g["year"]) if g.get("year", "").isdigit() else None
    union = None
    unions = selectors.honour_unions(actor=request.user)
    if g.get("union", "").isdigit():
        union = unions.filter(pk=int(g["union"])).first()
    level = g.get("level", "") if g.get("level", "") in HonourLevel.values else ""
    category = g.get("category", "") if g.get("category", "") in HonourCategory.values else ""
    status = g.get("status", "active")
    qs = selectors.honours(actor=request.user, title=g.get("title", ""), level=level, year=year, union=union,
                           category=category, status=status)
    return render(request, "talent/console/honours.html", {
        "page": paginate(request, qs), "f": {"title": g.get("title", ""), "level": level, "year": year or "",
                                             "union": union.pk if union else "", "category": category,
                                             "status": status},
        "levels": HonourLevel.choices, "categories": HonourCategory.choices, "unions": unions,
        "statuses": Honour.Status.choices, "end_form": EndHonourForm()})


@staff_required
@offers("change")
def honour_new(request):
    form = HonourForm(request.POST or None, initial={"year": timezone.localdate().year, "level": "city",
                                                     "category": "model_worker"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = person_to_change(actor=request.user, who=d["who"])
            h = services.add_honour(actor=request.user, person=person, title=d["title"],
                                    category=d["category"], level=d["level"], year=d["year"],
                                    awarded_by=d["awarded_by"], note=d["note"])
        except ServiceError as e:
            form_error(form, e, {"person": "who"})
        else:
            messages.success(request, f"已将 {h.person.name} 记入劳模工匠库")
            return redirect("/console/talent/honours/")
    return render(request, "talent/console/honour_form.html", {"form": form}, status=400 if form.errors else 200)


@staff_required
@require_POST
def honour_end(request, pk):
    h = selectors.honour_detail(actor=request.user, pk=pk, action="change")
    try:
        services.end_honour(actor=request.user, honour=h, reason=request.POST.get("reason", ""))
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已撤销 {h.person.name} 的“{h.title}”")
    return redirect("/console/talent/honours/")


# ---------------------------------------------------------------- member pages

def _person(request):
    return getattr(request.user, "person", None) if request.user.is_authenticated else None


def m_list(request):
    person = _person(request)
    membership = current_membership(person)
    return render(request, "talent/m/list.html", {
        "selections": list(selectors.member_selections(membership)[:50]), "membership": membership})


def m_detail(request, pk):
    sel = selectors.member_selection(pk)
    person = _person(request)
    now = timezone.now()
    voter = selectors.my_voter(person, sel)
    left = None
    if voter is not None:
        day = services.ballot_day(sel, now)
        left = voter.allowed - voter.used if voter.day == day else voter.allowed
        mine = selectors.my_votes(person, sel, day)
    else:
        mine = set()
    return render(request, "talent/m/detail.html", {
        "s": sel, "candidates": list(selectors.ballot(sel)), "voter": voter, "left": left, "mine": mine,
        "open": sel.status == S.VOTING and sel.voting_opens_at <= now < sel.voting_closes_at,
        "not_yet": sel.status == S.VOTING and now < sel.voting_opens_at})


def m_candidate(request, pk, cid):
    sel = selectors.member_selection(pk)
    return render(request, "talent/m/candidate.html", {"s": sel, "c": selectors.ballot_candidate(sel, cid)})


@member_login_required
@require_POST
def m_vote(request, pk, cid):
    try:
        voter = services.cast_vote(actor=request.user, selection_id=pk, candidate_id=cid)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        left = voter.allowed - voter.used
        messages.success(request, f"投票成功，您还有 {left} 票" if left else "投票成功，您的票已全部投出，感谢参与")
    return redirect(f"/m/selections/{int(pk)}/#c{int(cid)}")


def m_results(request, pk):
    sel = selectors.member_selection(pk)
    if sel.status != S.ANNOUNCED:
        messages.info(request, "评选结果尚未公示")
        return redirect(f"/m/selections/{sel.pk}/")
    return render(request, "talent/m/results.html", {"s": sel, "ranking": selectors.ranking(sel)})


def photo(request, cid):
    return send_file(selectors.candidate_photo(request.user, cid).photo, cache_seconds=3600)
