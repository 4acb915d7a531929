"""Every write of 劳动竞赛 / 职工技能竞赛 (labour and skills competitions).

=============  ==========================================  ============================================
status         what it allows                              the step out
=============  ==========================================  ============================================
open 报名中    unions enter members inside the window;     :func:`close_signup` (→ scoring), by the
               an entry may be withdrawn                   organiser, at or before the deadline
scoring 评分中 the organiser records theory/practice       :func:`publish_results` (→ published): ranks
published      the ranking is public to the contestants    :func:`confirm_awards` (titles → 劳模工匠库)
=============  ==========================================  ============================================

The limits are the database's (DESIGN rule 4). An entry, in one transaction and in this lock order:

1. inserts the contestant row — ``UNIQUE(competition, person)``: one entry per person (a double-click queues
   on the unique index and is refused);
2. raises the competition's counter by a conditional UPDATE (``WHERE status = 'open' AND signup_closes_at > now
   AND entrants < max_entrants``) under ``CHECK entrants <= max_entrants``; closing the sign-up locks that row
   too, so no entry commits after the close;
3. when the competition caps entries per union, raises that union's counter the same way (the row is created
   by ``INSERT … ON CONFLICT DO NOTHING`` first) under ``CHECK entrants <= cap``.

Any refusal rolls all three back. Withdrawing locks the competition row first, then lowers both counters.

Ranking (:func:`ranking_of`): by total (theory × weight + practice × (100 − weight), exact in thousandths), then by
the practice score (the usual tie-break of skills contests: 总分相同时实操成绩高者名次在前); contestants equal on
both share the place (1, 2, 2, 4) and are marked 并列. The award goes to everyone placed within ``award_places``,
so a tie at the last place gives the title to all who share it. :func:`confirm_awards` adds each title through
the register's own ``_add_honour`` (``Honour.contestant`` is unique), so running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.core import audit, notify
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, require
from lianxin.members.models import Person
from lianxin.members.selectors import live_member_for
from lianxin.orgs.models import Organization

from .models import SCORE_MAX, Competition, CompetitionUnion, Contestant, HonourCategory, HonourLevel
from .services import _add_honour, _uid, audience_of, local_day

C = Competition.Status
TEXT_MAX = 5000


def _int(value, *, label: str, field: str, lo: int, hi: int, blank=None):
    if value in (None, "") and blank is not None:
        return blank
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(f"{label}须为整数", field=field) from None
    if not lo <= n <= hi:
        raise ServiceError(f"{label}须在 {lo}–{hi} 之间", field=field)
    return n


def parse_score(value, *, label: str, field: str) -> int:
    """'85' / '85.5' / '８５.５' → 855 (tenths of a point). Refused in Chinese: blank, not a number, more than one
    decimal, or outside 0–100."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().removesuffix("分")
    if not text:
        raise ServiceError(f"请填写{label}", field=field)
    if not re.fullmatch(r"\d{1,3}(\.\d+)?", text):
        raise ServiceError(f"{label}应为 0–100 的数字，如 85 或 85.5", field=field)
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ServiceError(f"{label}应为 0–100 的数字，如 85 或 85.5", field=field) from None
    if d != d.quantize(Decimal("0.1")):
        raise ServiceError(f"{label}最多保留一位小数", field=field)
    tenths = int(d * 10)
    if not 0 <= tenths <= SCORE_MAX:
        raise ServiceError(f"{label}应在 0–100 之间", field=field)
    return tenths


def total_of(comp: Competition, theory: int, practice: int) -> int:
    """The weighted total in thousandths of a point (exact: tenths × percent)."""
    return theory * comp.theory_weight + practice * (100 - comp.theory_weight)


def _lock(comp) -> Competition:
    return Competition.objects.select_for_update(of=("self",)).select_related("org", "audience").get(
        pk=comp.pk if isinstance(comp, Competition) else comp)


def _organiser(actor, comp: Competition) -> None:
    require(actor, "change", comp.org.path, "只有竞赛主办单位的管理员可以办理")


# ---------------------------------------------------------------- the competition

def _clean(f: dict) -> dict:
    title = (f.get("title") or "").strip()
    if not title or len(title) > 100:
        raise ServiceError("请填写竞赛名称（100字以内）", field="title")
    trade = (f.get("trade") or "").strip()
    if not trade or len(trade) > 50:
        raise ServiceError("请填写工种/项目（50字以内），如：数控车工、焊工", field="trade")
    level = f.get("level") or HonourLevel.DISTRICT
    if level not in HonourLevel.values:
        raise ServiceError("请选择竞赛级别", field="level")
    opens, closes = f.get("signup_opens_at"), f.get("signup_closes_at")
    if not isinstance(opens, dt.datetime):
        raise ServiceError("请填写报名开始时间", field="signup_opens_at")
    if not isinstance(closes, dt.datetime):
        raise ServiceError("请填写报名截止时间", field="signup_closes_at")
    if closes <= opens:
        raise ServiceError("报名截止时间必须晚于报名开始时间", field="signup_closes_at")
    if closes <= timezone.now():
        raise ServiceError("报名截止时间已过，请重新填写", field="signup_closes_at")
    max_entrants = _int(f.get("max_entrants"), label="参赛名额", field="max_entrants", lo=1, hi=100000)
    cap = _int(f.get("union_cap"), label="每个工会限报人数", field="union_cap", lo=1, hi=max_entrants, blank=0)
    weight = _int(f.get("theory_weight"), label="理论成绩权重", field="theory_weight", lo=0, hi=100, blank=30)
    award_title = (f.get("award_title") or "").strip()
    places = _int(f.get("award_places"), label="授予名额", field="award_places", lo=0, hi=max_entrants, blank=0)
    if len(award_title) > 50:
        raise ServiceError("授予称号不能超过50字", field="award_title")
    if places and not award_title:
        raise ServiceError("设置了授予名额，请填写授予称号，如：技术能手", field="award_title")
    if award_title and not places:
        raise ServiceError("请填写授予称号的名额（前几名）", field="award_places")
    return {"title": title, "trade": trade, "level": level, "signup_opens_at": opens, "signup_closes_at": closes,
            "max_entrants": max_entrants, "union_cap": cap or None, "theory_weight": weight,
            "award_title": award_title, "award_places": places,
            "description": (f.get("description") or "").strip()[:TEXT_MAX]}


@transaction.atomic
def create_competition(*, actor, org: Organization, **fields) -> Competition:
    require(actor, "change", org.path, "该组织不在您的管理范围内，不能以其名义举办竞赛")
    data = _clean(fields)
    comp = Competition.objects.create(org=org, audience=audience_of(org), created_by=_uid(actor), **data)
    audit.record(actor=actor, action="talent.competition_create", obj=comp, org_path=org.path,
                 detail={"title": comp.title, "trade": comp.trade, "max_entrants": comp.max_entrants,
                         "union_cap": comp.union_cap, "honour": comp.award_title, "places": comp.award_places})
    return comp


EDITABLE = ("title", "trade", "level", "description", "signup_opens_at", "signup_closes_at", "max_entrants",
            "union_cap", "theory_weight", "award_title", "award_places")


@transaction.atomic
def update_competition(*, actor, competition: Competition, **fields) -> Competition:
    """Change a competition while sign-up is open (the organiser's 管理员; the organiser itself stays). Under the
    competition's row lock, which every entry's conditional UPDATE also takes, so no entry slips past a lowered
    limit: 参赛名额 never below those already entered, 每个工会限报 never below what a union has already entered
    (refused naming the union). Changing or setting the per-union cap rebuilds the unions' counters from the
    entries themselves (entries made while there was no cap had none), under the same lock."""
    comp = _lock(competition)
    _organiser(actor, comp)
    if comp.status != C.OPEN:
        raise ServiceError("报名结束后不能再修改竞赛设置", code="bad_status")
    data = _clean(fields)
    if data["max_entrants"] < comp.entrants:
        raise ServiceError(f"已有 {comp.entrants} 人报名，参赛名额不能少于 {comp.entrants}", field="max_entrants",
                           code="below_entrants")
    cap = data["union_cap"]
    counts = {}
    if cap:
        from django.db.models import Count

        counts = dict(Contestant.objects.filter(competition=comp).values_list("union").annotate(n=Count("id"))
                      .values_list("union", "n"))
        over = [(u, n) for u, n in counts.items() if n > cap]
        if over:
            u, n = max(over, key=lambda x: x[1])
            name = Organization.objects.get(pk=u).name
            raise ServiceError(f"{name}已报名 {n} 人，每个工会限报不能少于 {n}", field="union_cap",
                               code="below_union")
    changed = {k: [_plain(getattr(comp, k)), _plain(data[k])] for k in EDITABLE if getattr(comp, k) != data[k]}
    if not changed:
        return comp
    for k in EDITABLE:
        setattr(comp, k, data[k])
    comp.save(update_fields=list(EDITABLE))
    if "union_cap" in changed:
        CompetitionUnion.objects.filter(competition=comp).delete()
        if cap:
            CompetitionUnion.objects.bulk_create([CompetitionUnion(competition=comp, union_id=u, cap=cap, entrants=n)
                                                  for u, n in counts.items()])
    audit.record(actor=actor, action="talent.competition_update", obj=comp, org_path=comp.org.path,
                 detail={"title": comp.title, "changed": changed})
    return comp


def _plain(v):
    return timezone.localtime(v).strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime) else v


# ---------------------------------------------------------------- entries

def enter_contestant(*, actor, competition: Competition, person: Person) -> Contestant:
    """A union's administrator enters a live member of their own subtree, inside the competition's audience,
    while sign-up is open (see the module docstring for the order of the three writes)."""
    with transaction.atomic():
        comp = Competition.objects.select_related("org", "audience").get(pk=competition.pk)
        now = timezone.now()
        if comp.status != C.OPEN or now >= comp.signup_closes_at:
            raise ServiceError("本次竞赛报名已截止", code="closed")
        if now < comp.signup_opens_at:
            raise ServiceError(f"报名将于 {timezone.localtime(comp.signup_opens_at):%Y-%m-%d %H:%M} 开始",
                               code="not_open")
        m = live_member_for(actor, person, refused="，不能报名参赛")
        if not m.union.path.startswith(comp.audience.path):
            raise ServiceError(f"{person.name}所在的{m.union.name}不在{comp.audience.name}的参赛范围内",
                               field="person", code="out_of_audience")
        try:
            with transaction.atomic():
                c = Contestant.objects.create(competition=comp, person=person, union=m.union,
                                              entered_by=_uid(actor))
        except IntegrityError:
            raise ServiceError(f"{person.name}已报名本次竞赛", field="person", code="duplicate") from None
        if not Competition.objects.filter(pk=comp.pk, status=C.OPEN, signup_closes_at__gt=now,
                                          entrants__lt=F("max_entrants")).update(entrants=F("entrants") + 1):
            comp.refresh_from_db(fields=["status", "entrants"])
            if comp.status != C.OPEN:
                raise ServiceError("本次竞赛报名已截止", code="closed")
            raise ServiceError(f"本次竞赛的 {comp.max_entrants} 个参赛名额已满", field="person", code="full")
        # The cap as it is now that this entry holds the competition's row: a change made while it waited for
        # that lock (update_competition takes it too) has committed, and this fresh read sees it.
        comp.union_cap = Competition.objects.filter(pk=comp.pk).values_list("union_cap", flat=True).get()
        if comp.union_cap:
            CompetitionUnion.objects.bulk_create(
                [CompetitionUnion(competition=comp, union=m.union, cap=comp.union_cap)], ignore_conflicts=True)
            if not CompetitionUnion.objects.filter(competition=comp, union=m.union,
                                                   entrants__lt=F("cap")).update(entrants=F("entrants") + 1):
                raise ServiceError(f"{m.union.name}的报名人数已达每个工会 {comp.union_cap} 人的上限",
                                   field="person", code="union_full")
        audit.record(actor=actor, action="talent.contestant_enter", obj=c, org_path=m.union.path,
                     detail={"competition": comp.pk, "person": person.pk, "union": m.union_id})
        return c


@transaction.atomic
def withdraw_contestant(*, actor, contestant: Contestant, reason: str) -> None:
    """撤回报名 while sign-up is open: the row goes, both counters come down (lock order: competition first)."""
    comp = _lock(contestant.competition_id)
    c = Contestant.objects.select_for_update(of=("self",)).select_related("person", "union").get(pk=contestant.pk)
    if not (can(actor, "change", c.union.path) or can(actor, "change", comp.org.path)):
        raise PermissionDenied("只有报名工会或竞赛主办单位的管理员可以撤回报名")
    if comp.status != C.OPEN:
        raise ServiceError("报名已结束，不能撤回", code="closed")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写撤回原因", field="reason")
    Competition.objects.filter(pk=comp.pk, entrants__gt=0).update(entrants=F("entrants") - 1)
    CompetitionUnion.objects.filter(competition=comp, union=c.union, entrants__gt=0).update(
        entrants=F("entrants") - 1)
    audit.record(actor=actor, action="talent.contestant_withdraw", obj=c, org_path=c.union.path, reason=reason[:500],
                 detail={"competition": comp.pk, "person": c.person_id, "union": c.union_id})
    c.delete()


@transaction.atomic
def close_signup(*, actor, competition: Competition) -> Competition:
    """open → scoring. Under the row lock, so entries in flight commit first and later ones see it closed."""
    comp = _lock(competition)
    _organiser(actor, comp)
    if comp.status != C.OPEN:
        raise ServiceError("本次竞赛已结束报名", code="bad_status")
    if not comp.contestants.exists():
        raise ServiceError("还没有选手报名，不能进入评分", code="empty")
    comp.status, comp.scoring_at = C.SCORING, timezone.now()
    comp.save(update_fields=["status", "scoring_at"])
    audit.record(actor=actor, action="talent.competition_close", obj=comp, org_path=comp.org.path,
                 detail={"count": comp.entrants})
    return comp


# ---------------------------------------------------------------- scores and ranking

@transaction.atomic
def record_scores(*, actor, competition: Competition, scores: dict) -> int:
    """``scores``: {contestant id: (theory text, practice text)}; rows with both blank are skipped, a row with one
    score only is refused (naming the contestant). Returns how many contestants' scores changed."""
    comp = _lock(competition)
    _organiser(actor, comp)
    if comp.status != C.SCORING:
        raise ServiceError("只有评分阶段可以登记成绩" if comp.status == C.OPEN else "成绩已公布，不能修改",
                           code="bad_status")
    rows = {c.pk: c for c in Contestant.objects.select_for_update(of=("self",)).select_related("person")
            .filter(competition=comp)}
    changed, now = [], timezone.now()
    for raw_id, pair in scores.items():
        try:
            c = rows[int(raw_id)]
        except (KeyError, TypeError, ValueError):
            raise ServiceError("成绩表中有不是本次竞赛的选手", field="scores") from None
        t_raw, p_raw = (str(x or "").strip() for x in pair)
        if not t_raw and not p_raw:
            continue
        t = parse_score(t_raw, label=f"{c.person.name}的理论成绩", field="scores")
        p = parse_score(p_raw, label=f"{c.person.name}的实操成绩", field="scores")
        if (t, p) == (c.theory, c.practice):
            continue
        changed.append({"id": c.pk, "before": [c.theory, c.practice], "after": [t, p]})
        c.theory, c.practice, c.total = t, p, total_of(comp, t, p)
        c.scored_by, c.scored_at = _uid(actor), now
        c.save(update_fields=["theory", "practice", "total", "scored_by", "scored_at"])
    if changed:
        audit.record(actor=actor, action="talent.competition_scores", obj=comp, org_path=comp.org.path,
                     detail={"count": len(changed), "changed": changed[:200]})
    return len(changed)


def ranking_of(rows: list[Contestant]) -> list[Contestant]:
    """Scored contestants in order, each with ``place`` and ``is_tied`` (the module docstring's rule)."""
    scored = sorted((c for c in rows if c.total is not None), key=lambda c: (-c.total, -c.practice, c.pk))
    place, prev = 0, None
    for i, c in enumerate(scored, start=1):
        if (c.total, c.practice) != prev:
            place, prev = i, (c.total, c.practice)
        c.place = place
    counts: dict[int, int] = {}
    for c in scored:
        counts[c.place] = counts.get(c.place, 0) + 1
    for c in scored:
        c.is_tied = counts[c.place] > 1
    return scored


def proposed_awards(comp: Competition, ranked: list[Contestant]) -> list[Contestant]:
    if not comp.award_places:
        return []
    return [c for c in ranked if c.place <= comp.award_places]


@transaction.atomic
def publish_results(*, actor, competition: Competition) -> Competition:
    """scoring → published: places written to the rows; contestants without scores stay unranked (缺考)."""
    comp = _lock(competition)
    _organiser(actor, comp)
    if comp.status == C.PUBLISHED:
        raise ServiceError("成绩已公布，不能重复公布", code="published")
    if comp.status != C.SCORING:
        raise ServiceError("请先结束报名并登记成绩", code="bad_status")
    rows = list(Contestant.objects.select_for_update(of=("self",)).filter(competition=comp))
    ranked = ranking_of(rows)
    if not ranked:
        raise ServiceError("还没有登记任何成绩，不能公布", code="empty")
    for c in ranked:
        Contestant.objects.filter(pk=c.pk).update(rank=c.place, tied=c.is_tied)
    comp.status, comp.published_at = C.PUBLISHED, timezone.now()
    comp.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, action="talent.competition_publish", obj=comp, org_path=comp.org.path,
                 detail={"count": len(ranked), "absent": len(rows) - len(ranked)})
    for c in ranked:
        user = getattr(c.person, "user", None)
        if user is not None:
            notify.enqueue(channel="inapp", user=user, template="talent_contest_result", title=f"竞赛成绩：{comp.title}",
                           body=f"您在“{comp.title}”中获得第 {c.place} 名，可在“我的竞赛”中查看成绩。",
                           dedupe_key=f"talent-contest:{c.pk}")
    return comp


@transaction.atomic
def confirm_awards(*, actor, competition: Competition) -> tuple[int, list[str]]:
    """The organiser confirms the titles: each contestant placed within ``award_places`` gets the title in the
    劳模工匠库 (category 工匠/技能人才, the competition's level, the year of publication), through the register's
    own service. Idempotent: a contestant who already has the honour is skipped (``Honour.contestant`` is unique
    beneath that), so a second run adds nothing. Returns (added, names skipped because the person already holds
    the same title, level and year)."""
    comp = _lock(competition)
    _organiser(actor, comp)
    if comp.status != C.PUBLISHED:
        raise ServiceError("请先公布成绩再授予称号", code="bad_status")
    if not comp.award_places:
        raise ServiceError("本次竞赛没有设置授予称号", code="no_award")
    ranked = ranking_of(list(Contestant.objects.select_related("person", "union").filter(competition=comp)))
    year = local_day(comp.published_at).year
    added, skipped = 0, []
    for c in proposed_awards(comp, ranked):
        if Contestant.objects.filter(pk=c.pk, honour__isnull=False).exists():
            continue
        try:
            _add_honour(person=c.person, union=c.union, title=comp.award_title, category=HonourCategory.CRAFTSMAN,
                        level=comp.level, year=year, awarded_by=comp.org.name, contestant=c, actor=actor,
                        note=f"{comp.title}第{c.place}名")
        except ServiceError as e:
            if e.code != "duplicate":
                raise
            skipped.append(c.person.name)
            continue
        Contestant.objects.filter(pk=c.pk).update(awarded=True)
        added += 1
        user = getattr(c.person, "user", None)
        if user is not None:
            notify.enqueue(channel="inapp", user=user, template="talent_contest_award", title=f"授予：{comp.award_title}",
                           body=f"恭喜您在“{comp.title}”中获得“{comp.award_title}”称号，已记入劳模工匠库。",
                           dedupe_key=f"talent-contest-award:{c.pk}")
    if comp.awarded_at is None:
        comp.awarded_at = timezone.now()
        comp.save(update_fields=["awarded_at"])
    audit.record(actor=actor, action="talent.competition_award", obj=comp, org_path=comp.org.path,
                 detail={"honour": comp.award_title, "added": added, "unchanged": len(skipped)})
    return added, skipped


def export_results(*, actor, competition: Competition, rows):
    """成绩名单 (xlsx, streamed through the core writer: typed cells, formula-defused text; phones masked; audited as
    an export). Before publication it is the entry list with the scores so far and no places."""
    from lianxin.core.excel import XlsxStreamWriter

    if not can(actor, "export", competition.org.path):
        raise PermissionDenied("只有竞赛主办单位的工作人员可以导出成绩")
    published = competition.status == C.PUBLISHED
    header = ["名次", "并列", "姓名", "身份证号", "手机号码", "报名工会", "理论成绩", "实操成绩", "总成绩", "授予称号"]
    with XlsxStreamWriter(header, sheet="成绩名单", widths=[6, 6, 10, 20, 14, 28, 10, 10, 10, 14]) as w:
        for c in rows:
            w.row([c.rank if published else None, "是" if published and c.tied else "", c.person.name,
                   c.person.id_masked, c.person.mobile_masked, c.union.name,
                   None if c.theory is None else c.theory / 10, None if c.practice is None else c.practice / 10,
                   None if c.total is None else c.total / 1000,
                   competition.award_title if c.awarded else ""])
    with transaction.atomic():
        audit.record(actor=actor, action="talent.competition_export", obj=competition, org_path=competition.org.path,
                     detail={"title": competition.title, "count": w.n - 1})
    return w
