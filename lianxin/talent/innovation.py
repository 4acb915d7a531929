"""Every write of 职工创新成果评审 (innovation awards).

=============  ===========================================  ==========================================
status         what it allows                               the step out
=============  ===========================================  ==========================================
open 征集中    unions submit results (until the deadline);  :func:`start_judging` (→ judging)
               the organiser assigns judges
judging 评审中 each judge scores each entry once (0–100);   :func:`close_round` (→ closed): averages,
               judges see only their own scores             places, prizes
closed 已结束  results and the xlsx export                  —
=============  ===========================================  ==========================================

One score per judge per entry is ``UNIQUE(judge, entry)`` (a double submit stores one, the other is told it
was already scored); 0–100 is a CHECK. A score is written under a *shared* lock on the round row (``FOR SHARE``
on PostgreSQL) after checking the status there; closing takes the exclusive lock, so no score commits after the
close and the close sees every score. The audit entry of a score names the entry, not the mark, so that nobody
reads the other judges' marks in the audit log before the round closes.

Closing (:func:`close_round`) needs every judge's score of every entry. An entry's mark is the mean of its
scores, after dropping one highest and one lowest when there are five judges or more; entries are placed by that
exact mean (equal means share the place, 1, 2, 2, 4); prizes go by place: place ≤ first_prizes → 一等奖, ≤ first
+ second → 二等奖, ≤ first + second + third → 三等奖 (so entries tied at a boundary all get the better prize).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from lianxin.accounts.models import StaffRole
from lianxin.assistance.services import parse_yuan
from lianxin.core import audit
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import require
from lianxin.orgs.models import Organization

from .models import (
    InnovationCategory,
    InnovationEntry,
    InnovationJudge,
    InnovationRound,
    InnovationScore,
    Prize,
)
from .services import _uid

R = InnovationRound.Status
TRIM_FROM = 5  # judges: from this many on, the highest and the lowest score are dropped


def _lock(rnd) -> InnovationRound:
    return InnovationRound.objects.select_for_update(of=("self",)).select_related("org").get(
        pk=rnd.pk if isinstance(rnd, InnovationRound) else rnd)


def _organiser(actor, rnd: InnovationRound) -> None:
    require(actor, "change", rnd.org.path, "只有评审主办单位的管理员可以办理")


def _count(value, label: str, field: str) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(f"{label}须为整数", field=field) from None
    if not 0 <= n <= 1000:
        raise ServiceError(f"{label}须在 0–1000 之间", field=field)
    return n


@transaction.atomic
def create_round(*, actor, org: Organization, title: str, submit_until, first_prizes=1, second_prizes=2,
                 third_prizes=3, description: str = "") -> InnovationRound:
    require(actor, "change", org.path, "该组织不在您的管理范围内，不能以其名义组织评审")
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise ServiceError("请填写评审名称（100字以内）", field="title")
    if not isinstance(submit_until, dt.datetime):
        raise ServiceError("请填写申报截止时间", field="submit_until")
    if submit_until <= timezone.now():
        raise ServiceError("申报截止时间已过，请重新填写", field="submit_until")
    counts = [_count(v, label, f) for v, label, f in ((first_prizes, "一等奖名额", "first_prizes"),
                                                     (second_prizes, "二等奖名额", "second_prizes"),
                                                     (third_prizes, "三等奖名额", "third_prizes"))]
    if not sum(counts):
        raise ServiceError("请至少设置一个奖项名额", field="first_prizes")
    rnd = InnovationRound.objects.create(org=org, title=title, submit_until=submit_until, first_prizes=counts[0],
                                         second_prizes=counts[1], third_prizes=counts[2],
                                         description=(description or "").strip()[:5000], created_by=_uid(actor))
    audit.record(actor=actor, action="talent.innovation_create", obj=rnd, org_path=org.path,
                 detail={"title": title, "prizes": counts})
    return rnd


def judge_choices(rnd: InnovationRound):
    """Staff users who may judge: an active role somewhere in the organiser's subtree."""
    from lianxin.accounts.models import User

    ids = StaffRole.objects.filter(active=True, organization__path__startswith=rnd.org.path).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


@transaction.atomic
def add_judge(*, actor, round: InnovationRound, user) -> InnovationJudge:
    rnd = _lock(round)
    _organiser(actor, rnd)
    if rnd.status == R.CLOSED:
        raise ServiceError("评审已结束，不能再添加评委", code="bad_status")
    if user is None or not judge_choices(rnd).filter(pk=user.pk).exists():
        raise ServiceError(f"评委须是{rnd.org.name}范围内的工作人员", field="user")
    try:
        with transaction.atomic():
            j = InnovationJudge.objects.create(round=rnd, user=user)
    except IntegrityError:
        raise ServiceError(f"{user.display_name or user.username}已是本轮评委", field="user", code="duplicate") from None
    audit.record(actor=actor, action="talent.innovation_judge", obj=rnd, org_path=rnd.org.path,
                 detail={"user": user.username})
    return j


@transaction.atomic
def submit_entry(*, actor, round: InnovationRound, union: Organization, title: str, team: str, summary: str,
                 category: str, benefit="0") -> InnovationEntry:
    """A union (in the organiser's subtree and the actor's change scope) submits a result while the call is open."""
    rnd = InnovationRound.objects.select_related("org").get(pk=round.pk)
    if rnd.status != R.OPEN or timezone.now() > rnd.submit_until:
        raise ServiceError("本轮评审已截止申报", code="closed")
    if union is None or not union.path.startswith(rnd.org.path):
        raise ServiceError(f"申报工会须在{rnd.org.name}范围内", field="union")
    require(actor, "change", union.path, f"{union.name}不在您的管理范围内")
    title, team, summary = (title or "").strip(), (team or "").strip(), (summary or "").strip()
    if not title or len(title) > 100:
        raise ServiceError("请填写成果名称（100字以内）", field="title")
    if not team or len(team) > 300:
        raise ServiceError("请填写完成人（300字以内，多人用顿号分隔）", field="team")
    if not 20 <= len(summary) <= 5000:
        raise ServiceError("请填写成果简介（20–5000 字）", field="summary")
    if category not in InnovationCategory.values:
        raise ServiceError("请选择成果类别", field="category")
    fen = parse_yuan(benefit if str(benefit or "").strip() else "0", label="经济效益", field="benefit",
                     allow_zero=True)
    try:
        with transaction.atomic():
            e = InnovationEntry.objects.create(round=rnd, union=union, title=title, team=team, summary=summary,
                                               category=category, benefit_fen=fen, submitted_by=_uid(actor))
    except IntegrityError:
        raise ServiceError(f"{union.name}已申报过“{title}”", field="title", code="duplicate") from None
    audit.record(actor=actor, action="talent.innovation_submit", obj=e, org_path=union.path,
                 detail={"round": rnd.pk, "title": title, "category": category, "amount": fen / 100})
    return e


@transaction.atomic
def start_judging(*, actor, round: InnovationRound) -> InnovationRound:
    rnd = _lock(round)
    _organiser(actor, rnd)
    if rnd.status != R.OPEN:
        raise ServiceError("本轮评审已开始", code="bad_status")
    if not rnd.entries.exists():
        raise ServiceError("还没有申报的成果", code="empty")
    if not rnd.judges.exists():
        raise ServiceError("请先添加评委", field="user", code="no_judges")
    rnd.status, rnd.judging_at = R.JUDGING, timezone.now()
    rnd.save(update_fields=["status", "judging_at"])
    audit.record(actor=actor, action="talent.innovation_judging", obj=rnd, org_path=rnd.org.path,
                 detail={"count": rnd.entries.count(), "people": rnd.judges.count()})
    return rnd


def _round_for_score(pk: int) -> InnovationRound | None:
    """The round under a shared row lock on PostgreSQL (as votes: closing waits for scores in flight)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SELECT id FROM {InnovationRound._meta.db_table} WHERE id = %s FOR SHARE", [pk])
            if cur.fetchone() is None:
                return None
    return InnovationRound.objects.select_related("org").filter(pk=pk).first()


def parse_mark(value) -> int:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or not 0 <= int(text) <= 100:
        raise ServiceError("评分应为 0–100 的整数", field="score")
    return int(text)


def score_entry(*, actor, entry: InnovationEntry, score) -> InnovationScore:
    """A judge of the round scores one entry, once."""
    mark = parse_mark(score)
    try:
        with transaction.atomic():
            rnd = _round_for_score(entry.round_id)
            if rnd is None:
                raise ServiceError("评审不存在", code="not_found")
            if not InnovationJudge.objects.filter(round=rnd, user_id=getattr(actor, "pk", None)).exists():
                raise PermissionDenied("您不是本轮评审的评委")
            if rnd.status != R.JUDGING:
                raise ServiceError("本轮评审未在评审阶段" if rnd.status == R.OPEN else "本轮评审已结束",
                                   code="bad_status")
            s = InnovationScore.objects.create(round=rnd, entry_id=entry.pk, judge=actor, score=mark)
            # the entry, not the mark: the other judges must not read it in the audit log before the close
            audit.record(actor=actor, action="talent.innovation_score", obj=entry, org_path=rnd.org.path,
                         detail={"round": rnd.pk, "title": entry.title})
            return s
    except IntegrityError:
        raise ServiceError(f"您已为“{entry.title}”评分，每位评委对每项成果只能评一次", code="duplicate") from None


def mark_of(scores: list[int]) -> tuple[Fraction, int]:
    """(exact mean, how many scores it is over): the highest and lowest dropped from ``TRIM_FROM`` scores on."""
    s = sorted(scores)
    if len(s) >= TRIM_FROM:
        s = s[1:-1]
    return Fraction(sum(s), len(s)), len(s)


def hundredths(f: Fraction) -> int:
    """A mean in hundredths of a point, rounded half up (for display and the stored ``average``)."""
    return int(f * 100 + Fraction(1, 2))


def prize_for(rnd: InnovationRound, place: int) -> str:
    if place <= rnd.first_prizes:
        return Prize.FIRST
    if place <= rnd.first_prizes + rnd.second_prizes:
        return Prize.SECOND
    if place <= rnd.first_prizes + rnd.second_prizes + rnd.third_prizes:
        return Prize.THIRD
    return ""


@transaction.atomic
def close_round(*, actor, round: InnovationRound) -> InnovationRound:
    rnd = _lock(round)
    _organiser(actor, rnd)
    if rnd.status == R.CLOSED:
        raise ServiceError("本轮评审已结束", code="closed")
    if rnd.status != R.JUDGING:
        raise ServiceError("请先开始评审", code="bad_status")
    judges = set(rnd.judges.values_list("user_id", flat=True))
    entries = list(InnovationEntry.objects.select_for_update(of=("self",)).filter(round=rnd))
    marks: dict[int, list[int]] = {e.pk: [] for e in entries}
    given: dict[int, set[int]] = {e.pk: set() for e in entries}
    for entry_id, judge_id, score in InnovationScore.objects.filter(round=rnd).values_list("entry_id", "judge_id",
                                                                                         "score"):
        marks[entry_id].append(score)
        given[entry_id].add(judge_id)
    missing = sum(len(judges - given[e.pk]) for e in entries)
    if missing:
        raise ServiceError(f"评审尚未完成：还有 {missing} 份评分未提交", code="incomplete")
    scored = []
    for e in entries:
        e.mean, e.n = mark_of(marks[e.pk])
        scored.append(e)
    scored.sort(key=lambda e: (-e.mean, e.pk))
    place, prev = 0, None
    for i, e in enumerate(scored, start=1):
        if e.mean != prev:
            place, prev = i, e.mean
        e.place = place
    counts: dict[int, int] = {}
    for e in scored:
        counts[e.place] = counts.get(e.place, 0) + 1
    for e in scored:
        InnovationEntry.objects.filter(pk=e.pk).update(average=hundredths(e.mean), counted=e.n, rank=e.place,
                                                      tied=counts[e.place] > 1, prize=prize_for(rnd, e.place))
    rnd.status, rnd.closed_at = R.CLOSED, timezone.now()
    rnd.save(update_fields=["status", "closed_at"])
    audit.record(actor=actor, action="talent.innovation_close", obj=rnd, org_path=rnd.org.path,
                 detail={"count": len(scored), "people": len(judges),
                         "awarded": [e.pk for e in scored if prize_for(rnd, e.place)]})
    return rnd


def export_results(*, actor, round: InnovationRound, rows):
    """评审结果 (xlsx, streamed; every cell defused by the core writer; audited as an export)."""
    from lianxin.core.excel import XlsxStreamWriter

    if round.status != R.CLOSED:
        raise ServiceError("评审结束后才能导出结果", code="bad_status")
    header = ["名次", "奖项", "成果名称", "类别", "申报工会", "完成人", "经济效益（元）", "平均分", "计入评分数"]
    with XlsxStreamWriter(header, sheet="评审结果", widths=[6, 8, 30, 12, 24, 24, 14, 8, 10]) as w:
        for e in rows:
            w.row([e.rank, e.get_prize_display(), e.title, e.get_category_display(), e.union.name, e.team,
                   e.benefit_fen / 100, (e.average or 0) / 100, e.counted])
    with transaction.atomic():
        audit.record(actor=actor, action="talent.innovation_export", obj=round, org_path=round.org.path,
                     detail={"title": round.title, "count": w.n - 1})
    return w
