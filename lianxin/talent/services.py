"""Every write of 评选表彰 and the 劳模工匠库.

The state machine (one service per step, each under a row lock on the selection, each audited):

=============  ================================  ==================================================
status         what it allows                    the step out
=============  ================================  ==================================================
draft          editing                           :func:`open_nomination` (→ nominating)
nominating     editing, nominating, reviewing    :func:`open_voting` (→ voting): roll frozen
voting         votes within the time window      :func:`close_voting` (→ closed)
closed         the tally is final                :func:`announce` (→ announced): winners, honours
announced      nothing; results are public       —
=============  ================================  ==================================================

A vote (:func:`cast_vote`) runs in one transaction that first takes a *shared* lock on the selection row
(``SELECT … FOR SHARE`` on PostgreSQL) and checks the status and the time window there; closing takes the
exclusive lock (``select_for_update``), so it waits for votes in flight and every vote after it sees
"closed". Votes of many members never wait for each other on that shared lock. Then, in this order:

1. the vote row is inserted — ``UNIQUE(selection, candidate, voter, day)`` refuses a second vote for the same
   candidate (a double-click queues on the unique index and gets "每位候选人只能投一票");
2. the member's roll row is raised by a conditional UPDATE (``WHERE used < allowed``, or a new day for a daily
   selection) under ``CHECK used <= allowed`` — a burst of one member's votes gets at most N;
3. the candidate's counter is raised by ``F("votes") + 1`` last, so its row lock is held for the shortest time.

Any refusal rolls the whole vote back. Member votes are not written to the audit log (they are the member's own
act, and one chain lock per vote would serialise a district's burst), like activity sign-ups; every staff step is.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone

from lianxin.content import files
from lianxin.core import audit, notify
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import require
from lianxin.members.models import Membership, MembershipStatus, Person
from lianxin.members.selectors import live_member_for
from lianxin.orgs.models import Organization, OrgKind

from .models import Candidate, Honour, HonourCategory, HonourLevel, Selection, Vote, Voter
from .selectors import proposed_winners, ranking

S = Selection.Status
SIDE_BODIES = (OrgKind.YOUTH, OrgKind.WOMEN, OrgKind.PARTY)
EDITABLE = ("title", "description", "honour_title", "honour_level", "honour_category", "nomination_deadline",
            "voting_opens_at", "voting_closes_at", "votes_per_member", "daily", "winners_count")
VOTES_PER_MINUTE = 30  # per member: far above a person tapping, far below a script
DEEDS_MIN, DEEDS_MAX = 20, 3000


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def audience_of(org: Organization) -> Organization:
    """A side body (团工委, 妇工委, 党支部) holds no members: its selection is voted by its parent union's subtree."""
    return org.parent if org.kind in SIDE_BODIES and org.parent_id else org


def local_day(when: dt.datetime) -> dt.date:
    return timezone.localtime(when).date()


def ballot_day(sel: Selection, now: dt.datetime) -> dt.date:
    """The counting period a vote falls in: its Shanghai date for a daily selection, else the voting-open date
    (one period for the whole selection)."""
    return local_day(now) if sel.daily else local_day(sel.voting_opens_at)


# ---------------------------------------------------------------- staff: the selection

def _clean(fields: dict, *, current: Selection | None = None) -> dict:
    fields = {k: v for k, v in fields.items() if k in EDITABLE}
    merged = {k: getattr(current, k) for k in EDITABLE} if current else {}
    merged.update(fields)
    title = (merged.get("title") or "").strip()
    if not title:
        raise ServiceError("请填写评选名称", field="title")
    if len(title) > 100:
        raise ServiceError("评选名称不能超过100字", field="title")
    honour = (merged.get("honour_title") or "").strip()
    if not honour:
        raise ServiceError("请填写荣誉称号，如：十佳工匠", field="honour_title")
    if len(honour) > 50:
        raise ServiceError("荣誉称号不能超过50字", field="honour_title")
    if merged.get("honour_level", HonourLevel.DISTRICT) not in HonourLevel.values:
        raise ServiceError("请选择荣誉级别", field="honour_level")
    if merged.get("honour_category", HonourCategory.EXEMPLARY) not in HonourCategory.values:
        raise ServiceError("请选择荣誉类别", field="honour_category")
    for f, label in (("nomination_deadline", "推荐截止时间"), ("voting_opens_at", "投票开始时间"),
                     ("voting_closes_at", "投票截止时间")):
        if not isinstance(merged.get(f), dt.datetime):
            raise ServiceError(f"请填写{label}", field=f)
    if merged["voting_closes_at"] <= merged["voting_opens_at"]:
        raise ServiceError("投票截止时间必须晚于投票开始时间", field="voting_closes_at")
    if merged["nomination_deadline"] > merged["voting_opens_at"]:
        raise ServiceError("推荐截止时间不能晚于投票开始时间", field="nomination_deadline")
    if merged["voting_closes_at"] <= timezone.now():
        raise ServiceError("投票截止时间已过，请重新填写", field="voting_closes_at")
    n = merged.get("votes_per_member")
    if not isinstance(n, int) or not 1 <= n <= 100:
        raise ServiceError("每人票数须为 1–100 的整数", field="votes_per_member")
    w = merged.get("winners_count")
    if not isinstance(w, int) or not 1 <= w <= 1000:
        raise ServiceError("评选名额须为 1–1000 的整数", field="winners_count")
    fields["title"], fields["honour_title"] = title, honour
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()[:5000]
    if "daily" in fields:
        fields["daily"] = bool(fields["daily"])
    return fields


@transaction.atomic
def create_selection(*, actor, org: Organization, **fields) -> Selection:
    require(actor, "change", org.path, "该组织不在您的管理范围内，不能以其名义举办评选")
    fields = _clean(fields)
    sel = Selection.objects.create(org=org, audience=audience_of(org), created_by=_uid(actor), **fields)
    audit.record(actor=actor, action="talent.selection_create", obj=sel, org_path=org.path,
                 detail={"title": sel.title, "honour": sel.honour_title, "votes_per_member": sel.votes_per_member,
                         "winners": sel.winners_count})
    return sel


def _lock(selection) -> Selection:
    pk = selection.pk if isinstance(selection, Selection) else selection
    return Selection.objects.select_for_update(of=("self",)).select_related("org", "audience").get(pk=pk)


def _organiser(actor, sel: Selection) -> None:
    require(actor, "change", sel.org.path, "只有评选主办单位的管理员可以办理此项")


@transaction.atomic
def update_selection(*, actor, selection: Selection, **fields) -> Selection:
    sel = _lock(selection)
    _organiser(actor, sel)
    if sel.status not in (S.DRAFT, S.NOMINATING):
        raise ServiceError("投票开始后评选规则已确定，不能再修改", code="frozen")
    fields = _clean(fields, current=sel)
    before = {k: str(getattr(sel, k)) for k in fields}
    for k, v in fields.items():
        setattr(sel, k, v)
    sel.save()
    audit.record(actor=actor, action="talent.selection_update", obj=sel, org_path=sel.org.path,
                 detail={"before": before, "after": {k: str(getattr(sel, k)) for k in fields}})
    return sel


@transaction.atomic
def open_nomination(*, actor, selection: Selection) -> Selection:
    sel = _lock(selection)
    _organiser(actor, sel)
    if sel.status != S.DRAFT:
        raise ServiceError("只有草稿状态的评选可以开始推荐", code="bad_status")
    if sel.nomination_deadline <= timezone.now():
        raise ServiceError("推荐截止时间已过，请先修改评选时间", field="nomination_deadline", code="deadline")
    sel.status = S.NOMINATING
    sel.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="talent.selection_nominating", obj=sel, org_path=sel.org.path)
    return sel


def _freeze_roll(sel: Selection, now: dt.datetime) -> int:
    """Write the roll: every live member of the audience's subtree at this instant, one INSERT … SELECT (a
    district's members in one statement, nothing through Python)."""
    v, m, o = Voter._meta.db_table, Membership._meta.db_table, Organization._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {v} (selection_id, person_id, union_id, allowed, used, day) "
            f"SELECT %s, m.person_id, m.union_id, %s, 0, %s FROM {m} m JOIN {o} o ON o.id = m.union_id "
            f"WHERE m.status = %s AND o.path LIKE %s",
            [sel.pk, sel.votes_per_member, connection.ops.adapt_datefield_value(ballot_day(sel, now)),
             str(MembershipStatus.MEMBER), sel.audience.path + "%"])
        return cur.rowcount


@transaction.atomic
def open_voting(*, actor, selection: Selection) -> Selection:
    """nominating → voting. Every nominee must have been reviewed; the approved ones get their ballot numbers
    (by union, then nomination order) and the roll is frozen (Helios' freeze)."""
    sel = _lock(selection)
    _organiser(actor, sel)
    if sel.status != S.NOMINATING:
        raise ServiceError("只有推荐阶段的评选可以开始投票", code="bad_status")
    now = timezone.now()
    if sel.voting_closes_at <= now:
        raise ServiceError("投票截止时间已过，请先修改评选时间", field="voting_closes_at", code="deadline")
    pending = sel.candidates.filter(status=Candidate.Status.PENDING).count()
    if pending:
        raise ServiceError(f"还有 {pending} 名候选人待审核，请先审核", code="pending")
    approved = list(sel.candidates.filter(status=Candidate.Status.APPROVED).order_by("union__path", "id")
                    .values_list("pk", flat=True))
    if not approved:
        raise ServiceError("还没有审核通过的候选人，不能开始投票", code="no_candidates")
    for i, pk in enumerate(approved, start=1):
        Candidate.objects.filter(pk=pk).update(number=i)
    sel.electorate = _freeze_roll(sel, now)
    sel.status, sel.frozen_at = S.VOTING, now
    sel.save(update_fields=["status", "frozen_at", "electorate", "updated_at"])
    audit.record(actor=actor, action="talent.selection_voting", obj=sel, org_path=sel.org.path,
                 detail={"candidates": len(approved), "electorate": sel.electorate})
    return sel


@transaction.atomic
def close_voting(*, actor, selection: Selection, reason: str = "") -> Selection:
    """voting → closed. Before the published closing time only with a reason (the closing time becomes now).
    The exclusive row lock waits for every vote in flight (they hold the shared lock)."""
    sel = _lock(selection)
    _organiser(actor, sel)
    if sel.status != S.VOTING:
        raise ServiceError("只有投票中的评选可以结束投票", code="bad_status")
    now = timezone.now()
    reason = (reason or "").strip()
    early = now < sel.voting_closes_at
    if early and len(reason) < 2:
        raise ServiceError("投票尚未到截止时间，提前结束请填写原因", field="reason", code="reason")
    fields = ["status", "closed_at", "updated_at"]
    if early:
        sel.voting_closes_at = max(now, sel.voting_opens_at + dt.timedelta(seconds=1))
        fields.append("voting_closes_at")
    sel.status, sel.closed_at = S.CLOSED, now
    sel.save(update_fields=fields)
    audit.record(actor=actor, action="talent.selection_close", obj=sel, org_path=sel.org.path, reason=reason[:500],
                 detail={"early": early, "votes": sel.votes.count()})
    return sel


# ---------------------------------------------------------------- staff: candidates

def _live_membership(person: Person) -> Membership | None:
    return (Membership.objects.select_related("union").filter(person=person, status=MembershipStatus.MEMBER)
            .first())


def nominate(*, actor, selection: Selection, person: Person, deeds: str, photo=None) -> Candidate:
    """A union administrator puts forward a live member of their own subtree, inside the selection's audience,
    while nomination is open. The photo is checked by content and re-encoded before anything is stored."""
    deeds = (deeds or "").strip()
    if not DEEDS_MIN <= len(deeds) <= DEEDS_MAX:
        raise ServiceError(f"请填写主要事迹（{DEEDS_MIN}–{DEEDS_MAX} 字）", field="deeds")
    image = files.prepare_image(photo, field="photo") if photo else None
    with transaction.atomic():
        sel = _lock(selection)  # the status cannot move on while this nomination is written
        if sel.status != S.NOMINATING:
            raise ServiceError("本次评选不在推荐阶段", code="bad_status")
        if timezone.now() > sel.nomination_deadline:
            raise ServiceError(f"推荐已于 {timezone.localtime(sel.nomination_deadline):%Y-%m-%d %H:%M} 截止",
                               code="deadline")
        m = live_member_for(actor, person, refused="，不能被推荐")
        if not m.union.path.startswith(sel.audience.path):
            raise ServiceError(f"{person.name}所在的{m.union.name}不在{sel.audience.name}的评选范围内",
                               field="person", code="out_of_audience")
        c = Candidate(selection=sel, person=person, union=m.union, deeds=deeds, nominated_by=_uid(actor))
        if image:
            c.photo.save(f"{uuid.uuid4().hex}.{image[0]}", ContentFile(image[1]), save=False)
        try:
            with transaction.atomic():
                c.save()
        except IntegrityError:
            if c.photo:
                c.photo.delete(save=False)
            raise ServiceError(f"{person.name}已被推荐参加本次评选", field="person", code="duplicate") from None
        audit.record(actor=actor, action="talent.candidate_nominate", obj=c, org_path=m.union.path,
                     detail={"selection": sel.pk, "person": person.pk, "union": m.union_id, "photo": bool(image)})
        return c


@transaction.atomic
def review_candidate(*, actor, candidate: Candidate, approve: bool, note: str = "") -> Candidate:
    sel = _lock(candidate.selection_id)
    _organiser(actor, sel)
    if sel.status != S.NOMINATING:
        raise ServiceError("只有推荐阶段可以审核候选人", code="bad_status")
    c = Candidate.objects.select_for_update(of=("self",)).get(pk=candidate.pk, selection=sel)
    note = (note or "").strip()
    if not approve and len(note) < 2:
        raise ServiceError("不通过时请填写原因", field="note", code="reason")
    c.status = Candidate.Status.APPROVED if approve else Candidate.Status.REJECTED
    c.review_note, c.reviewed_by, c.reviewed_at = note[:200], _uid(actor), timezone.now()
    c.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit.record(actor=actor, action="talent.candidate_approve" if approve else "talent.candidate_reject", obj=c,
                 org_path=sel.org.path, reason=note[:500], detail={"selection": sel.pk, "person": c.person_id})
    return c


# ---------------------------------------------------------------- members: voting

def _selection_for_vote(selection_id) -> Selection | None:
    """The selection, read under a shared row lock on PostgreSQL (held to the vote's commit, so closing — which
    locks the row exclusively — waits for this vote, and no vote commits after it). SQLite has one writer at a
    time, which gives the same order."""
    try:
        pk = int(selection_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SELECT id FROM {Selection._meta.db_table} WHERE id = %s FOR SHARE", [pk])
            if cur.fetchone() is None:
                return None
    return Selection.objects.filter(pk=pk).only(
        "id", "status", "voting_opens_at", "voting_closes_at", "votes_per_member", "daily").first()


def out_of_votes_message(sel: Selection) -> str:
    if sel.daily:
        return f"您今天的 {sel.votes_per_member} 票已投完，明天可以继续投票"
    return f"您在本次评选中的 {sel.votes_per_member} 票已投完"


def cast_vote(*, actor, selection_id, candidate_id) -> Voter:
    """The member votes for one candidate; returns their roll row (``used`` of ``allowed`` after the vote)."""
    from lianxin.portal.services import take

    person = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    if person is None:
        raise ServiceError("请先登录并完成会员认证后投票", code="not_member")
    # Counted in its own transaction, before the vote: refused and duplicate taps count too (anti-abuse).
    if not take(f"talent.vote:{actor.pk}", limit=VOTES_PER_MINUTE, per=dt.timedelta(minutes=1)):
        raise ServiceError("操作过于频繁，请稍后再试", code="throttled")
    try:
        with transaction.atomic():
            sel = _selection_for_vote(selection_id)
            if sel is None or sel.status in (S.DRAFT, S.NOMINATING):
                raise ServiceError("评选不存在或尚未开始投票", code="not_found")
            now = timezone.now()
            if sel.status != S.VOTING or now >= sel.voting_closes_at:
                raise ServiceError("投票已截止", code="closed")
            if now < sel.voting_opens_at:
                raise ServiceError(f"投票将于 {timezone.localtime(sel.voting_opens_at):%m月%d日 %H:%M} 开始",
                                   code="not_open")
            try:
                cid = int(candidate_id)
            except (TypeError, ValueError):
                cid = 0
            if not Candidate.objects.filter(pk=cid, selection_id=sel.pk, status=Candidate.Status.APPROVED).exists():
                raise ServiceError("候选人不存在", code="no_candidate")
            day = ballot_day(sel, now)
            Vote.objects.create(selection_id=sel.pk, candidate_id=cid, voter=person, day=day)
            # The per-voter counter: raised only while below the allowance; a daily selection's first vote of a
            # new day restarts it at 1.
            spent = Voter.objects.filter(Q(selection_id=sel.pk, person=person)
                                         & (~Q(day=day) | Q(used__lt=F("allowed")))).update(
                used=Case(When(day=day, then=F("used") + 1), default=Value(1)), day=day)
            if not spent:
                if Voter.objects.filter(selection_id=sel.pk, person=person).exists():
                    raise ServiceError(out_of_votes_message(sel), code="no_votes_left")
                raise ServiceError("您不在本次评选的投票范围内（投票名单在投票开始时确定）", code="not_on_roll")
            Candidate.objects.filter(pk=cid).update(votes=F("votes") + 1)
            return Voter.objects.get(selection_id=sel.pk, person=person)
    except IntegrityError as e:
        if "vote_one_per_candidate" in str(e) or "UNIQUE" in str(e):
            raise ServiceError("每位候选人只能投一票", code="duplicate") from None
        raise


# ---------------------------------------------------------------- results and announcement

def tally_mismatches(sel: Selection) -> list[str]:
    """Candidates whose counter differs from COUNT(*) of their vote rows (empty when the tally is sound)."""
    counted = dict(Vote.objects.filter(selection=sel).values("candidate").annotate(n=Count("id"))
                   .values_list("candidate", "n"))
    return [c.person.name for c in sel.candidates.select_related("person") if c.votes != counted.get(c.pk, 0)]


@transaction.atomic
def announce(*, actor, selection: Selection, winner_ids=None, reason: str = "") -> Selection:
    """closed → announced (公示): the winners are the proposed ones (top N by votes, ties included) unless the
    organiser names others with a reason (audited with both lists). Every winner enters the 劳模工匠库 in this
    same transaction; a second announcement is refused by the status under the row lock and, beneath that, by
    the unique honour per candidate."""
    sel = _lock(selection)
    _organiser(actor, sel)
    if sel.status == S.ANNOUNCED:
        raise ServiceError("本次评选已公示，不能重复公示", code="announced")
    if sel.status != S.CLOSED:
        raise ServiceError("请先结束投票再公示结果", code="bad_status")
    bad = tally_mismatches(sel)
    if bad:
        raise ServiceError(f"计票核对不一致（{'、'.join(bad[:5])}），请联系平台管理员", code="tally")
    rows = ranking(sel)
    by_id = {c.pk: c for c in rows}
    proposed = {c.pk for c in proposed_winners(sel, rows)}
    if winner_ids is None:
        chosen = proposed
    else:
        try:
            chosen = {int(x) for x in winner_ids}
        except (TypeError, ValueError):
            raise ServiceError("当选名单有误", field="winners") from None
        if not chosen <= set(by_id):
            raise ServiceError("当选名单中有不是本次评选候选人的人员", field="winners")
    if not chosen:
        raise ServiceError("请至少确定一名当选人", field="winners")
    reason = (reason or "").strip()
    adjusted = chosen != proposed
    if adjusted and len(reason) < 4:
        raise ServiceError("当选名单与按票数排名不同，请填写调整说明（至少4个字）", field="reason", code="reason")
    now = timezone.now()
    year = local_day(sel.voting_closes_at).year
    for c in rows:
        Candidate.objects.filter(pk=c.pk).update(rank=c.place, is_winner=c.pk in chosen)
    for pk in sorted(chosen, key=lambda k: (by_id[k].place, by_id[k].number or 0)):
        c = by_id[pk]
        _add_honour(person=c.person, union=c.union, title=sel.honour_title, category=sel.honour_category,
                    level=sel.honour_level, year=year, awarded_by=sel.org.name, selection=sel, candidate=c,
                    actor=actor)
        user = getattr(c.person, "user", None)
        if user is not None:
            notify.enqueue(channel="inapp", user=user, template="talent_winner", title=f"当选：{sel.honour_title}",
                           body=f"恭喜您在“{sel.title}”中当选{sel.honour_title}，已记入劳模工匠库。",
                           dedupe_key=f"talent-winner:{c.pk}")
    sel.status, sel.announced_at, sel.adjust_reason = S.ANNOUNCED, now, reason if adjusted else ""
    sel.save(update_fields=["status", "announced_at", "adjust_reason", "updated_at"])
    audit.record(actor=actor, action="talent.selection_announce", obj=sel, org_path=sel.org.path,
                 reason=reason[:500] if adjusted else "",
                 detail={"winners": sorted(chosen), "proposed": sorted(proposed), "adjusted": adjusted,
                         "votes": sum(c.votes for c in rows)})
    return sel


# ---------------------------------------------------------------- the 劳模工匠库

def _add_honour(*, person, union, title, category, level, year, awarded_by, actor, selection=None,
                candidate=None, contestant=None, note: str = "") -> Honour:
    """The one way into the register (staff entries, announced selections, confirmed competition titles)."""
    try:
        with transaction.atomic():
            h = Honour.objects.create(person=person, union=union, title=title, category=category, level=level,
                                      year=year, awarded_by=awarded_by, selection=selection, candidate=candidate,
                                      contestant=contestant, note=note, recorded_by=_uid(actor))
    except IntegrityError as e:
        if candidate is not None and "candidate" in str(e).lower() and "honour_once" not in str(e):
            raise ServiceError("该候选人已记入劳模工匠库，不能重复记入", code="announced") from None
        if contestant is not None and "contestant" in str(e).lower() and "honour_once" not in str(e):
            raise ServiceError("该选手的称号已记入劳模工匠库，不能重复记入", code="awarded") from None
        raise ServiceError(f"{person.name}已有 {year} 年{HonourLevel(level).label}“{title}”的记录",
                           field="title", code="duplicate") from None
    # Activities and rest holidays for model workers read the person's flag: the register keeps it true.
    flagged = False
    if category == HonourCategory.MODEL_WORKER:
        flagged = bool(Person.objects.filter(pk=person.pk, is_model_worker=False).update(is_model_worker=True))
    audit.record(actor=actor, action="talent.honour_add", obj=h, org_path=union.path,
                 detail={"person": person.pk, "title": title, "level": level, "year": year,
                         "selection": selection.pk if selection else None, "model_worker_flag": flagged,
                         **({"competition": contestant.competition_id} if contestant is not None else {})})
    return h


def _union_of(person: Person) -> Organization:
    m = _live_membership(person)
    return m.union if m else person.org


@transaction.atomic
def add_honour(*, actor, person: Person, title: str, category: str, level: str, year, awarded_by: str,
               note: str = "") -> Honour:
    """Staff enter an honour from outside (a city or provincial 劳模, a national 技术能手) for someone in their
    subtree."""
    union = _union_of(person)
    require(actor, "change", union.path, f"{person.name}不在您的管理范围内")
    title, awarded_by = (title or "").strip(), (awarded_by or "").strip()
    if not title or len(title) > 50:
        raise ServiceError("请填写荣誉称号（50字以内）", field="title")
    if category not in HonourCategory.values:
        raise ServiceError("请选择荣誉类别", field="category")
    if level not in HonourLevel.values:
        raise ServiceError("请选择荣誉级别", field="level")
    if not isinstance(year, int) or not 1950 <= year <= timezone.localdate().year:
        raise ServiceError(f"年度须在 1950–{timezone.localdate().year} 之间", field="year")
    if not awarded_by or len(awarded_by) > 100:
        raise ServiceError("请填写授予单位（100字以内）", field="awarded_by")
    return _add_honour(person=person, union=union, title=title, category=category, level=level, year=year,
                       awarded_by=awarded_by, actor=actor, note=(note or "").strip()[:200])


@transaction.atomic
def end_honour(*, actor, honour: Honour, reason: str) -> Honour:
    """撤销 an honour (revoked, or entered by mistake), with a reason; the row stays in the register as 已撤销."""
    h = Honour.objects.select_for_update(of=("self",)).select_related("union").get(pk=honour.pk)
    require(actor, "change", h.union.path, "该人员不在您的管理范围内")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写撤销原因", field="reason")
    if h.status != Honour.Status.ACTIVE:
        raise ServiceError("该荣誉已撤销", code="ended")
    h.status, h.ended_at, h.end_reason = Honour.Status.ENDED, timezone.now(), reason[:200]
    h.save(update_fields=["status", "ended_at", "end_reason"])
    audit.record(actor=actor, action="talent.honour_end", obj=h, org_path=h.union.path, reason=reason[:500],
                 detail={"person": h.person_id, "title": h.title, "year": h.year})
    return h
