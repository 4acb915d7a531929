"""Every write of 组织建设: 建家评选 (rounds, applications, the street's review, the organiser's decision, the
register's 复核) and 工会换届 (recording an election, which closes the previous term).

建家 applications move along one path only::

    submitted ──street: pass──▶ passed ──organiser: name──▶ named      (a NamedHome, one of the round's places)
        │  ▲                      └─────organiser: decline──▶ declined
        │  └─applicant: resubmit── returned ◀──street: return──┘(from submitted)
        └──street: reject──▶ rejected

Each step is one conditional UPDATE ``WHERE pk = … AND status = <the state it leaves>``: when two staff decide the
same application at once, the second UPDATE waits for the first's row lock, then finds the status changed, updates
nothing and is refused in Chinese — the database, not a check in Python, decides which one wins.

Naming takes one of the round's places: ``UPDATE round SET named = named + 1 WHERE named < places`` (and the same on
the street's share when the organiser set one), under ``CHECK named <= places``. Lock order, everywhere: the
application row, then the round, then the street's share (:func:`set_quota` locks round then share too).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, require
from lianxin.orgs import services as org_services
from lianxin.orgs.models import MEMBER_HOLDING_KINDS, STEP, Organization, OrgKind

from .models import (
    CRITERIA,
    CRITERIA_MAX,
    TOTAL_MAX,
    CommitteeTerm,
    ElectedPerson,
    HomeApplication,
    HomeLevel,
    HomeQuota,
    HomeRound,
    HomeScore,
    NamedHome,
)

A = HomeApplication.Status
ORGANISER_KINDS = (OrgKind.FEDERATION, OrgKind.STREET)
UNION_KINDS = (OrgKind.FEDERATION, OrgKind.STREET, OrgKind.JOINT, OrgKind.INDUSTRY, OrgKind.BASE)
SUMMARY_MIN, SUMMARY_MAX = 10, 3000


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def _int(value, *, label: str, field: str, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise ServiceError(f"{label}应为整数", field=field)
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(
            f"请填写{label}（整数）" if str(value or "").strip() == "" else f"{label}应为整数", field=field
        ) from None
    if not lo <= n <= hi:
        raise ServiceError(f"{label}应在 {lo} 至 {hi} 之间", field=field)
    return n


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path), STEP)]


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# ---------------------------------------------------------------------------------------------- 建家评选: rounds


@transaction.atomic
def create_round(
    *,
    actor,
    org: Organization,
    year,
    title: str,
    level: str,
    deadline,
    places,
    valid_years=3,
    notes: str = "",
) -> HomeRound:
    require(actor, "change", org.path, "该组织不在您的管理范围内，不能以其名义组织评选")
    if org.kind not in ORGANISER_KINDS:
        raise ServiceError("建家评选由总工会或街道（园区）工会组织", field="org")
    title, notes = (title or "").strip(), (notes or "").strip()
    if not 4 <= len(title) <= 100:
        raise ServiceError("请填写评选名称（4 至 100 个字）", field="title")
    if level not in HomeLevel.values:
        raise ServiceError("请选择命名称号", field="level")
    if org.kind == OrgKind.STREET and level != HomeLevel.STREET_HOME:
        raise ServiceError("街道组织的评选只能命名街道级模范职工之家", field="level")
    year = _int(year, label="年度", field="year", lo=2000, hi=2100)
    if not isinstance(deadline, dt.date):
        raise ServiceError("请填写申报截止日期", field="deadline")
    if deadline < timezone.localdate():
        raise ServiceError("申报截止日期不能早于今天", field="deadline")
    if len(notes) > 3000:
        raise ServiceError("评选说明最多 3000 个字", field="notes")
    r = HomeRound.objects.create(
        org=org,
        year=year,
        title=title,
        level=level,
        deadline=deadline,
        places=_int(places, label="命名名额", field="places", lo=1, hi=10000),
        valid_years=_int(valid_years, label="称号有效期", field="valid_years", lo=1, hi=10),
        notes=notes,
        created_by=_uid(actor),
    )
    audit.record(
        actor=actor,
        action="governance.round_create",
        obj=r,
        org_path=org.path,
        detail={"title": title, "year": year, "level": level, "places": r.places},
    )
    return r


def _lock_round(pk) -> HomeRound:
    return HomeRound.objects.select_for_update(of=("self",)).select_related("org").get(pk=pk)


@transaction.atomic
def set_quota(*, actor, round: HomeRound, street: Organization, places) -> HomeQuota | None:
    """名额分配: ``places`` of the round's named homes for one street (0 removes an unused share). The shares never
    add up to more than the round's places and never fall below what the street already has named."""
    r = _lock_round(round.pk)
    require(actor, "change", r.org.path, "只有评选组织单位的管理员可以分配名额")
    if street.kind != OrgKind.STREET or not street.path.startswith(r.org.path) or street.pk == r.org_id:
        raise ServiceError(f"只能把名额分配给{r.org.name}下的街道（园区）", field="street")
    n = _int(places, label="名额", field="places", lo=0, hi=r.places)
    quota = HomeQuota.objects.select_for_update().filter(round=r, street=street).first()
    others = (
        HomeQuota.objects.filter(round=r).exclude(street=street).order_by().aggregate(s=Sum("places"))["s"]
        or 0
    )
    if others + n > r.places:
        raise ServiceError(
            f"各街道名额合计不能超过总名额 {r.places} 个（其他街道已分配 {others} 个）", field="places"
        )
    if quota is not None and n < quota.named:
        raise ServiceError(f"{street.name}已命名 {quota.named} 家，名额不能少于已命名数", field="places")
    if n == 0:
        if quota is not None:
            quota.delete()
        quota = None
    elif quota is None:
        quota = HomeQuota.objects.create(round=r, street=street, places=n)
    else:
        quota.places = n
        quota.save(update_fields=["places"])
    audit.record(
        actor=actor,
        action="governance.quota_set",
        obj=r,
        org_path=r.org.path,
        detail={"title": r.title, "org": street.name, "places": n},
    )
    return quota


# ------------------------------------------------------------------------------------ 建家评选: applications


def clean_scores(raw: dict) -> tuple[dict[str, tuple[int, str]], int]:
    """Check every checklist item: ``raw`` maps criterion key -> (score text, note). Every item at fault is
    reported at once (``ServiceError.errors``, keyed ``score_<key>`` / ``note_<key>``) with the item's name."""
    errors, out = {}, {}
    for key, label, top, _ in CRITERIA:
        value, note = raw.get(key, ("", ""))
        text = "" if value is None else str(value).strip()
        note = (note or "").strip()
        if text == "":
            errors[f"score_{key}"] = f"{label}：请填写自评分（0–{top} 分）"
        elif not text.isdigit():
            errors[f"score_{key}"] = f"{label}：自评分应为 0–{top} 的整数"
        elif int(text) > top:
            errors[f"score_{key}"] = f"{label}：自评分不能超过满分 {top} 分"
        if len(note) > 300:
            errors[f"note_{key}"] = f"{label}：说明最多 300 个字"
        if not errors.get(f"score_{key}"):
            out[key] = (int(text), note)
    if errors:
        first = next(iter(errors))
        raise ServiceError(errors[first], field=first, errors=errors)
    return out, sum(s for s, _ in out.values())


def _clean_summary(summary: str) -> str:
    summary = (summary or "").strip()
    if not SUMMARY_MIN <= len(summary) <= SUMMARY_MAX:
        raise ServiceError(f"请填写创建工作简介（{SUMMARY_MIN}–{SUMMARY_MAX} 个字）", field="summary")
    return summary


def reviewing_street(r: HomeRound, union: Organization) -> Organization:
    """The street that reviews ``union``'s application: its street (园区) ancestor, else the organiser."""
    return (
        Organization.objects.filter(kind=OrgKind.STREET, path__in=_prefixes(union.path) + [union.path])
        .order_by("-depth")
        .first()
        or r.org
    )


def _write_scores(app: HomeApplication, scores: dict[str, tuple[int, str]]) -> None:
    HomeScore.objects.filter(application=app).delete()
    HomeScore.objects.bulk_create(
        [
            HomeScore(application=app, criterion=k, max_points=CRITERIA_MAX[k], self_score=s, note=n)
            for k, (s, n) in scores.items()
        ]
    )


@transaction.atomic
def submit_application(
    *, actor, round: HomeRound, union: Organization, summary: str, scores: dict
) -> HomeApplication:
    """申报: a member-holding union in the round's subtree, by its own (or a superior's) administrator, before the
    deadline, once per round (``UNIQUE(round, union)``), with a valid self-assessment of every item."""
    r = HomeRound.objects.select_related("org").get(pk=round.pk)
    require(actor, "change", union.path, "该工会不在您的管理范围内，不能代其申报")
    if (
        union.kind not in MEMBER_HOLDING_KINDS
        or not union.path.startswith(r.org.path)
        or union.pk == r.org_id
    ):
        raise ServiceError(f"只有{r.org.name}范围内的基层工会、联合工会可以申报", field="union")
    if timezone.localdate() > r.deadline:
        raise ServiceError(f"申报已于 {r.deadline:%Y-%m-%d} 截止", code="deadline")
    held = NamedHome.objects.filter(union=union, level=r.level, status=NamedHome.Status.ACTIVE).first()
    if held is not None:
        raise ServiceError(
            f"{union.name}已是{held.get_level_display()}（有效期至 {held.valid_until:%Y-%m-%d}），"
            "有效期内无需重复申报",
            field="union",
            code="held",
        )
    summary = _clean_summary(summary)
    cleaned, total = clean_scores(scores)
    try:
        with transaction.atomic():
            app = HomeApplication.objects.create(
                round=r,
                union=union,
                street=reviewing_street(r, union),
                summary=summary,
                self_total=total,
                submitted_by=_uid(actor),
                submitted_at=timezone.now(),
            )
    except IntegrityError:
        raise ServiceError(
            f"{union.name}已申报本次评选，每个工会只能申报一次", field="union", code="duplicate"
        ) from None
    _write_scores(app, cleaned)
    audit.record(
        actor=actor,
        action="governance.application_submit",
        obj=app,
        org_path=union.path,
        detail={"title": r.title, "union": union.name, "self_total": total},
    )
    return app


def _move(app: HomeApplication, frm: str, to: str, **fields) -> None:
    """The one way an application changes state: a conditional UPDATE from the state it must be in."""
    if not HomeApplication.objects.filter(pk=app.pk, status=frm).update(status=to, **fields):
        now = HomeApplication.objects.filter(pk=app.pk).values_list("status", flat=True).first()
        label = A(now).label if now in A.values else "未知"
        raise ServiceError(
            f"该申报当前为“{label}”，已由他人处理，不能再办理此项（请刷新页面）", code="bad_status"
        )
    for k, v in {"status": to, **fields}.items():
        setattr(app, k, v)


@transaction.atomic
def resubmit_application(
    *, actor, application: HomeApplication, summary: str, scores: dict
) -> HomeApplication:
    """退回修改后重新申报 (returned → submitted)."""
    app = HomeApplication.objects.select_related("round", "union").get(pk=application.pk)
    require(actor, "change", app.union.path, "只有申报工会的管理员可以修改申报")
    if app.status != A.RETURNED:
        raise ServiceError("只有退回修改的申报可以重新提交", code="bad_status")
    summary = _clean_summary(summary)
    cleaned, total = clean_scores(scores)
    _move(
        app,
        A.RETURNED,
        A.SUBMITTED,
        summary=summary,
        self_total=total,
        submitted_at=timezone.now(),
        resubmissions=F("resubmissions") + 1,
    )
    app.refresh_from_db()
    _write_scores(app, cleaned)
    audit.record(
        actor=actor,
        action="governance.application_resubmit",
        obj=app,
        org_path=app.union.path,
        detail={"title": app.round.title, "union": app.union.name, "self_total": total},
    )
    return app


REVIEW_TO = {"pass": A.PASSED, "return": A.RETURNED, "reject": A.REJECTED}


@transaction.atomic
def review_application(
    *, actor, application: HomeApplication, decision: str, score=None, comment: str = ""
) -> HomeApplication:
    """街道审核 of a submitted application: pass (with the street's score, 0–100), return for correction or
    reject (each with a comment)."""
    app = HomeApplication.objects.select_related("round", "union", "street").get(pk=application.pk)
    require(actor, "review", app.street.path, f"只有{app.street.name}的审核员或管理员可以审核该申报")
    if decision not in REVIEW_TO:
        raise ServiceError("请选择审核结论（推荐、退回修改或不通过）", field="decision")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ServiceError("审核意见最多 500 个字", field="comment")
    fields = {"reviewed_by": _uid(actor), "reviewed_at": timezone.now(), "street_comment": comment}
    if decision == "pass":
        fields["street_score"] = _int(score, label="街道评分", field="score", lo=0, hi=TOTAL_MAX)
    elif len(comment) < 2:
        raise ServiceError("退回或不通过时请填写审核意见，写明需要修改或不通过的原因", field="comment")
    _move(app, A.SUBMITTED, REVIEW_TO[decision], **fields)
    audit.record(
        actor=actor,
        action=f"governance.application_{decision}",
        obj=app,
        org_path=app.union.path,
        reason=comment,
        detail={"title": app.round.title, "union": app.union.name, "score": fields.get("street_score")},
    )
    return app


@transaction.atomic
def decide_application(*, actor, application: HomeApplication, name: bool, note: str = "") -> HomeApplication:
    """审定 by the round's organiser: name (命名, takes one of the round's places and the street's share, enters the
    register) or decline (with a reason)."""
    app = HomeApplication.objects.select_related("round", "round__org", "union", "street").get(
        pk=application.pk
    )
    r = app.round
    require(actor, "review", r.org.path, f"只有{r.org.name}的审核员或管理员可以审定命名")
    note = (note or "").strip()
    if len(note) > 500:
        raise ServiceError("审定意见最多 500 个字", field="note")
    if not name and len(note) < 2:
        raise ServiceError("不予命名时请填写原因", field="note")
    now = timezone.now()
    _move(
        app,
        A.PASSED,
        A.NAMED if name else A.DECLINED,
        decided_by=_uid(actor),
        decided_at=now,
        decision_note=note,
    )
    home = None
    if name:
        # the round's row, then the street's share: the same order as set_quota
        if not HomeRound.objects.filter(pk=r.pk, named__lt=F("places")).update(named=F("named") + 1):
            raise ServiceError(f"本次评选的 {r.places} 个命名名额已满", code="full")
        quota = HomeQuota.objects.filter(round=r, street=app.street).first()
        if quota is not None and not HomeQuota.objects.filter(pk=quota.pk, named__lt=F("places")).update(
            named=F("named") + 1
        ):
            raise ServiceError(f"{app.street.name}的 {quota.places} 个命名名额已用完", code="full")
        named_on = timezone.localdate()
        try:
            with transaction.atomic():
                home = NamedHome.objects.create(
                    union=app.union,
                    application=app,
                    level=r.level,
                    year=r.year,
                    named_on=named_on,
                    valid_until=add_years(named_on, r.valid_years),
                    named_by=_uid(actor),
                )
        except IntegrityError:
            raise ServiceError(
                f"{app.union.name}已持有有效的{HomeLevel(r.level).label}称号", code="held"
            ) from None
    audit.record(
        actor=actor,
        action="governance.application_name" if name else "governance.application_decline",
        obj=app,
        org_path=app.union.path,
        reason=note,
        detail={
            "title": r.title,
            "union": app.union.name,
            "valid_until": home.valid_until.isoformat() if home else None,
        },
    )
    return app


@transaction.atomic
def recheck_home(*, actor, home: NamedHome, passed: bool, note: str = "") -> NamedHome:
    """复核: a passed re-check extends the title by the years it was named for (3 unless the round said
    otherwise); a failed one revokes it (摘牌) with the reason."""
    h = (
        NamedHome.objects.select_for_update(of=("self",))
        .select_related("union", "application__round")
        .get(pk=home.pk)
    )
    if not can(actor, "review", h.union.street_path if h.union.depth >= 1 else h.union.path):
        raise PermissionDenied("只有所在街道或总工会的审核员、管理员可以复核")
    if h.status != NamedHome.Status.ACTIVE:
        raise ServiceError("该称号已撤销，不能复核", code="bad_status")
    note = (note or "").strip()
    if not passed and len(note) < 2:
        raise ServiceError("复核不合格时请填写原因", field="note")
    if len(note) > 300:
        raise ServiceError("复核意见最多 300 个字", field="note")
    today = timezone.localdate()
    years = h.application.round.valid_years if h.application_id else 3
    h.rechecked_on, h.recheck_note = today, note
    if passed:
        h.valid_until = add_years(max(h.valid_until, today), years)
    else:
        h.status = NamedHome.Status.REVOKED
    h.save(update_fields=["rechecked_on", "recheck_note", "valid_until", "status"])
    audit.record(
        actor=actor,
        action="governance.home_recheck" if passed else "governance.home_revoke",
        obj=h,
        org_path=h.union.path,
        reason=note,
        detail={"union": h.union.name, "valid_until": h.valid_until.isoformat()},
    )
    return h


def export_round(*, actor, round: HomeRound, rows):
    """The round's results (xlsx, streamed through core.excel: every cell typed, text defused against formulas;
    audited as an export). No personal data: unions, scores and outcomes only."""
    from lianxin.core.excel import XlsxStreamWriter

    header = [
        "序号",
        "审核街道",
        "申报工会",
        "自评总分",
        *[label for _, label, _, _ in CRITERIA],
        "街道评分",
        "街道意见",
        "状态",
        "审定意见",
        "命名日期",
        "有效期至",
    ]
    with XlsxStreamWriter(
        header, sheet="评选结果", widths=[6, 18, 30, 8, *[8] * len(CRITERIA), 8, 24, 14, 24, 12, 12]
    ) as w:
        for n, a in enumerate(rows, start=1):
            by = {s.criterion: s.self_score for s in a.scores.all()}
            home = getattr(a, "home", None) if a.status == A.NAMED else None
            w.row(
                [
                    n,
                    a.street.name,
                    a.union.name,
                    a.self_total,
                    *[by.get(k, "") for k, _, _, _ in CRITERIA],
                    "" if a.street_score is None else a.street_score,
                    a.street_comment,
                    a.get_status_display(),
                    a.decision_note,
                    home.named_on if home else "",
                    home.valid_until if home else "",
                ]
            )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="governance.round_export",
            obj=round,
            org_path=round.org.path,
            detail={"title": round.title, "count": w.n - 1},
        )
    return w


# ------------------------------------------------------------------------------------------------ 工会换届


def clean_people(rows: list[dict], present: int) -> list[dict]:
    """The elected: each row (name, post, votes) filled or left wholly blank; one chair; each person's votes more
    than half of those present (and not more than were present)."""
    out, errors = [], {}
    for i, row in enumerate(rows, start=1):
        name = (row.get("name") or "").strip()
        votes = str(row.get("votes") if row.get("votes") is not None else "").strip()
        post = row.get("post") or ElectedPerson.Post.MEMBER
        if not name and not votes:
            continue
        who = f"第 {i} 行{('（' + name + '）') if name else ''}"
        if not name or len(name) > 30:
            errors[f"name_{i}"] = f"{who}：请填写当选人姓名（最多 30 个字）"
            continue
        if post not in ElectedPerson.Post.values:
            errors[f"post_{i}"] = f"{who}：请选择职务"
            continue
        if not votes.isdigit():
            errors[f"votes_{i}"] = f"{who}：请填写得票数（整数）"
            continue
        v = int(votes)
        if v > present:
            errors[f"votes_{i}"] = f"{who}：得票 {v} 票多于实到人数 {present} 人"
        elif v * 2 <= present:
            errors[f"votes_{i}"] = f"{who}：得票 {v} 票未超过实到人数 {present} 人的半数，不能当选"
        else:
            out.append({"name": name, "post": post, "votes": v})
    if not errors:
        chairs = [p for p in out if p["post"] == ElectedPerson.Post.CHAIR]
        if not out:
            errors["name_1"] = "请填写当选人员（至少一行）"
        elif len(chairs) != 1:
            errors["people"] = f"当选人员中应有且只有一名主席（现有 {len(chairs)} 名）"
        elif len({p["name"] for p in out}) != len(out):
            errors["people"] = "当选人员中有重名，请核对（同名者请加注以区分）"
    if errors:
        first = next(iter(errors))
        raise ServiceError(errors[first], field=first, errors=errors)
    return out


def current_term(union: Organization) -> CommitteeTerm | None:
    return CommitteeTerm.objects.filter(union=union, status=CommitteeTerm.Status.CURRENT).first()


@transaction.atomic
def record_election(
    *, actor, union: Organization, number, elected_on, term_years, expected, present, people: list[dict]
) -> CommitteeTerm:
    """换届选举: the new term opens and the previous one closes in one transaction. 届次 is the previous + 1
    (``UNIQUE(union, number)`` and one current term per union hold it when two clerks record at once); the
    result is checked (实到 ≤ 应到, more than half present, each elected person's votes more than half of those
    present). The union's record in the organisation tree (chair, vice chairs, term end) follows."""
    require(actor, "change", union.path, "该工会不在您的管理范围内，不能登记其换届")
    if union.kind not in UNION_KINDS:
        raise ServiceError("只有工会组织登记换届选举", field="union")
    prev = current_term(union)
    number = _int(number, label="届次", field="number", lo=1, hi=200)
    if prev is not None and number == prev.number:  # the clerk's page is older than the term just recorded
        raise ServiceError(
            f"{union.name}第 {number} 届已登记，请刷新页面核对", field="number", code="duplicate"
        )
    if prev is not None and number != prev.number + 1:
        raise ServiceError(f"届次应为第 {prev.number + 1} 届（本届为第 {prev.number} 届）", field="number")
    if not isinstance(elected_on, dt.date):
        raise ServiceError("请填写选举日期", field="elected_on")
    if elected_on > timezone.localdate():
        raise ServiceError("选举日期不能晚于今天（请在选举后登记）", field="elected_on")
    if prev is not None and elected_on <= prev.elected_on:
        raise ServiceError(f"选举日期应晚于上一届的选举日期 {prev.elected_on:%Y-%m-%d}", field="elected_on")
    years = _int(term_years, label="任期", field="term_years", lo=3, hi=5)
    if years not in (3, 5):
        raise ServiceError("任期为 3 年或 5 年", field="term_years")
    expected = _int(expected, label="应到人数", field="expected", lo=1, hi=100000)
    present = _int(present, label="实到人数", field="present", lo=0, hi=100000)
    if present > expected:
        raise ServiceError(f"实到人数 {present} 人不能多于应到人数 {expected} 人", field="present")
    if present * 2 <= expected:
        raise ServiceError(
            f"实到人数须超过应到人数的一半（应到 {expected} 人，至少 {expected // 2 + 1} 人），选举无效",
            field="present",
        )
    elected = clean_people(people, present)
    if prev is not None and not CommitteeTerm.objects.filter(
        pk=prev.pk, status=CommitteeTerm.Status.CURRENT
    ).update(status=CommitteeTerm.Status.ENDED, ended_on=elected_on):
        raise ServiceError("该工会的换届刚刚已由他人登记，请刷新页面核对", code="duplicate")
    chair = next(p["name"] for p in elected if p["post"] == ElectedPerson.Post.CHAIR)
    vices = "、".join(p["name"] for p in elected if p["post"] == ElectedPerson.Post.VICE)
    try:
        with transaction.atomic():
            term = CommitteeTerm.objects.create(
                union=union,
                number=number,
                elected_on=elected_on,
                term_years=years,
                ends_on=add_years(elected_on, years),
                chair_name=chair,
                vice_chair_names=vices[:200],
                members_count=len(elected),
                expected=expected,
                present=present,
                recorded_by=_uid(actor),
            )
    except IntegrityError:
        raise ServiceError(
            f"{union.name}第 {number} 届已登记，请刷新页面核对", field="number", code="duplicate"
        ) from None
    ElectedPerson.objects.bulk_create([ElectedPerson(term=term, present=present, **p) for p in elected])
    org_services.update_organization(
        actor=actor, org=union, chair_name=chair, vice_chair_names=vices[:200], term_ends_on=term.ends_on
    )
    audit.record(
        actor=actor,
        action="governance.election_record",
        obj=term,
        org_path=union.path,
        detail={
            "union": union.name,
            "number": number,
            "expected": expected,
            "present": present,
            "valid_until": term.ends_on.isoformat(),
            "count": len(elected),
        },
    )
    return term
