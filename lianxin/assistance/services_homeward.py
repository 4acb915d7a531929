"""Every write of 平安返乡 (safe trips home at Spring Festival).

Rules and where the database holds them (models.py):

* a coach's seats: each application for a seat raises the coach's ``taken`` by a conditional UPDATE
  (``taken < seats``) under the CHECK ``homeward_coach_taken_within``; a refused seat rolls the application back;
  a decline or a cancellation gives the seat back;
* one application per person per year, whichever programme: the partial unique ``homeward_one_per_person_year``
  (a cancelled or declined application frees the person);
* the subsidy batch: every confirmed subsidy paid at once through the fund's ledger (``services._append_many``,
  under the fund's row lock) or, when the balance does not cover them all, none — the ledger's CHECK keeps the
  fund at or above 0 whatever a caller does; one payment per application is the ledger's one-to-one key.

Lock order, for every writer: programme row, application rows, coach row (the coach is always locked last, by
its conditional UPDATE), then the fund (payments only) — so concurrent applies, declines, cancels and the batch
queue rather than deadlock.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import require, scoped

from .models import (
    Fund,
    HomewardApplication,
    HomewardCoach,
    HomewardKind,
    HomewardProgramme,
    HomewardStatus,
)
from .services import _append_many, _int, parse_yuan, yuan

LIVE = (HomewardStatus.APPLIED, HomewardStatus.CONFIRMED, HomewardStatus.PAID)


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def create_programme(*, actor, org, year, name: str, apply_until, subsidy="", fund: Fund | None = None,
                     notes: str = "") -> HomewardProgramme:
    """The organiser's 平安返乡 for one Spring Festival: coaches are added afterwards; a subsidy standard > 0 needs a
    fund of the organiser or an organisation above it to pay from."""
    require(actor, "change", org.path, "只能为本组织设立平安返乡")
    today = timezone.localdate()
    year = _int(year, label="春节年度", field="year", lo=today.year, hi=today.year + 1)
    name, notes = (name or "").strip(), (notes or "").strip()
    if not 4 <= len(name) <= 100:
        raise ServiceError("名称应为 4 至 100 个字，如：2027 年春节平安返乡", field="name")
    if apply_until < today:
        raise ServiceError("报名截止日期不能早于今天", field="apply_until")
    if len(notes) > 2000:
        raise ServiceError("说明最多 2000 个字", field="notes")
    subsidy_fen = parse_yuan(subsidy, label="购票补贴标准", field="subsidy", allow_zero=True) if str(
        subsidy or "").strip() else 0
    if subsidy_fen > 10**7:
        raise ServiceError("购票补贴标准每人不超过 100,000 元", field="subsidy")
    if subsidy_fen:
        if fund is None:
            raise ServiceError("发放购票补贴请选择列支资金", field="fund")
        if not org.path.startswith(fund.org.path):
            raise ServiceError(f"列支资金应为{org.name}或其上级组织的资金", field="fund")
    else:
        fund = None
    try:
        with transaction.atomic():
            p = HomewardProgramme.objects.create(org=org, year=year, name=name, apply_until=apply_until,
                                                 subsidy_fen=subsidy_fen, fund=fund, notes=notes,
                                                 created_by=_uid(actor))
    except IntegrityError:
        raise ServiceError(f"{org.name}已设立 {year} 年春节平安返乡", field="year", code="duplicate") from None
    audit.record(actor=actor, action="assistance.homeward_create", obj=p, org_path=org.path,
                 detail={"name": name, "year": year, "amount": yuan(subsidy_fen)})
    return p


def _lock(programme: HomewardProgramme) -> HomewardProgramme:
    return (HomewardProgramme.objects.select_for_update(of=("self",)).select_related("org", "fund")
            .get(pk=programme.pk))


@transaction.atomic
def add_coach(*, actor, programme: HomewardProgramme, destination: str, departs_at, seats, route: str = "",
              ) -> HomewardCoach:
    """专车: a charter coach of the programme, with its destination city, route, departure time and seats."""
    p = _lock(programme)
    require(actor, "change", p.org.path, "只有平安返乡组织单位的管理员可以安排专车")
    destination, route = (destination or "").strip(), (route or "").strip()
    if not 2 <= len(destination) <= 50:
        raise ServiceError("请填写目的地城市，如：安徽阜阳", field="destination")
    if len(route) > 200:
        raise ServiceError("线路最多 200 个字", field="route")
    if departs_at is None or departs_at <= timezone.now():
        raise ServiceError("发车时间应晚于现在", field="departs_at")
    if timezone.localtime(departs_at).date() < p.apply_until:
        raise ServiceError(f"发车时间不能早于报名截止日期 {p.apply_until:%Y-%m-%d}", field="departs_at")
    n = _int(seats, label="座位数", field="seats", lo=1, hi=100)
    c = HomewardCoach.objects.create(programme=p, destination=destination, route=route, departs_at=departs_at,
                                     seats=n)
    audit.record(actor=actor, action="assistance.homeward_coach", obj=p, org_path=p.org.path,
                 detail={"name": f"{p.name} {destination}专车", "places": n})
    return c


@transaction.atomic
def apply(*, actor, programme: HomewardProgramme, kind: str, hometown: str, coach=None) -> HomewardApplication:
    """A member applies for a seat on a coach or for the ticket subsidy. The seat is taken here, by the coach's
    conditional UPDATE; the one-per-year rule is the partial unique constraint. Any refusal rolls both back."""
    from lianxin.members.selectors import current_membership

    person = getattr(actor, "person", None)
    if person is None:
        raise ServiceError("请先完成会员信息关联")
    p = HomewardProgramme.objects.select_related("org").get(pk=programme.pk)
    if timezone.localdate() > p.apply_until:
        raise ServiceError(f"{p.name}报名已于 {p.apply_until:%Y-%m-%d} 截止", code="closed")
    m = current_membership(person)
    if m is None or m.status != "member" or not m.union.path.startswith(p.org.path):
        raise ServiceError(f"{p.name}面向{p.org.name}范围内的在册会员", code="not_eligible")
    hometown = (hometown or "").strip()
    if not 2 <= len(hometown) <= 100:
        raise ServiceError("请填写返乡目的地（省、市、县）", field="hometown")
    amount = 0
    if kind == HomewardKind.COACH:
        c = HomewardCoach.objects.filter(programme=p, pk=getattr(coach, "pk", coach) or 0).first()
        if c is None:
            raise ServiceError("请选择要乘坐的专车", field="coach")
        if c.departs_at <= timezone.now():
            raise ServiceError(f"{c.destination}专车已发车", field="coach")
    elif kind == HomewardKind.SUBSIDY:
        if not p.subsidy_fen:
            raise ServiceError(f"{p.name}不发放购票补贴", field="kind")
        c, amount = None, p.subsidy_fen
    else:
        raise ServiceError("请选择返乡方式：专车或购票补贴", field="kind")
    try:
        with transaction.atomic():
            a = HomewardApplication.objects.create(programme=p, person=person, union=m.union, year=p.year,
                                                   kind=kind, coach=c, hometown=hometown, amount_fen=amount)
    except IntegrityError:
        raise ServiceError(f"您已报名 {p.year} 年春节平安返乡，每人每年一次（可先取消原报名）",
                           code="duplicate") from None
    if c is not None and not HomewardCoach.objects.filter(pk=c.pk, taken__lt=F("seats")).update(
            taken=F("taken") + 1):
        raise ServiceError(f"{c.destination}专车的 {c.seats} 个座位已报满，请选择其他专车或购票补贴",
                           field="coach", code="full")
    audit.record(actor=actor, action="assistance.homeward_apply", obj=a, org_path=m.union.path,
                 detail={"name": p.name, "person": person.pk, "kind": a.get_kind_display()})
    return a


def _free_seats(rows) -> None:
    """Give back the coach seats of ``rows`` (applications that held one and are being let go)."""
    per_coach: dict[int, int] = {}
    for coach_id in rows:
        if coach_id:
            per_coach[coach_id] = per_coach.get(coach_id, 0) + 1
    for coach_id, k in sorted(per_coach.items()):
        HomewardCoach.objects.filter(pk=coach_id, taken__gte=k).update(taken=F("taken") - k)


@transaction.atomic
def decide(*, actor, programme: HomewardProgramme, ids, confirm: bool, note: str = "") -> int:
    """Union staff confirm (待确认 → 已确认) or decline (待确认/已确认 → 未通过, the seat goes back) the applications
    of their unions. Only applications in the actor's change scope and in the expected state change — a conditional
    UPDATE, so a second click or a racing colleague changes nothing twice."""
    p = _lock(programme)
    note = (note or "").strip()[:200]
    if not confirm and len(note) < 2:
        raise ServiceError("不通过时请填写意见", field="note")
    ids = [int(i) for i in ids if str(i).isdigit()]
    if not ids:
        raise ServiceError("请先勾选报名人员", field="ids")
    before = [HomewardStatus.APPLIED] if confirm else [HomewardStatus.APPLIED, HomewardStatus.CONFIRMED]
    mine = scoped(HomewardApplication.objects.filter(programme=p, pk__in=ids, status__in=before), actor, "change")
    rows = list(HomewardApplication.objects.select_for_update().filter(pk__in=mine.values("pk"), status__in=before)
                .order_by("pk").values_list("pk", "coach_id"))
    if not rows:
        raise ServiceError("勾选的人员不在您的管理范围内或已处理", field="ids")
    HomewardApplication.objects.filter(pk__in=[r[0] for r in rows]).update(
        status=HomewardStatus.CONFIRMED if confirm else HomewardStatus.DECLINED, decided_by=_uid(actor),
        decided_at=timezone.now(), decision_note=note)
    if not confirm:
        _free_seats([r[1] for r in rows])
    audit.record(actor=actor, action="assistance.homeward_confirm" if confirm else "assistance.homeward_decline",
                 obj=p, org_path=p.org.path, reason=note, detail={"name": p.name, "count": len(rows)})
    _tell([r[0] for r in rows], "confirm" if confirm else "decline")
    return len(rows)


@transaction.atomic
def cancel(*, actor, application: HomewardApplication) -> HomewardApplication:
    """The member withdraws their own application before the coach leaves (or before the subsidy is paid)."""
    person_id = getattr(actor, "person_id", None)
    a = (HomewardApplication.objects.select_for_update(of=("self",)).select_related("programme", "coach", "union")
         .filter(pk=application.pk, person_id=person_id).first())
    if a is None:
        raise ServiceError("没有找到您的报名")
    if a.status not in (HomewardStatus.APPLIED, HomewardStatus.CONFIRMED):
        raise ServiceError(f"报名{a.get_status_display()}，不能取消")
    if a.coach_id and a.coach.departs_at <= timezone.now():
        raise ServiceError("专车已发车，不能取消")
    a.status = HomewardStatus.CANCELLED
    a.save(update_fields=["status"])
    _free_seats([a.coach_id])
    audit.record(actor=actor, action="assistance.homeward_cancel", obj=a, org_path=a.union.path,
                 detail={"name": a.programme.name, "person": a.person_id})
    return a


@transaction.atomic
def pay_subsidies(*, actor, programme: HomewardProgramme) -> tuple[int, int]:
    """发放购票补贴: every confirmed subsidy of the programme paid at once from its fund — all of them or, when the
    fund's balance does not cover them all, none (the ledger refuses before writing, and its CHECK holds the
    balance ≥ 0 for any writer). Returns (people paid, fen paid)."""
    p = _lock(programme)
    require(actor, "change", p.org.path, "只有平安返乡组织单位的管理员可以发放购票补贴")
    if not p.subsidy_fen or p.fund_id is None:
        raise ServiceError(f"{p.name}不发放购票补贴")
    due = list(HomewardApplication.objects.select_for_update(of=("self",))
               .filter(programme=p, kind=HomewardKind.SUBSIDY, status=HomewardStatus.CONFIRMED)
               .order_by("union__path", "pk").values_list("pk", "person_id", "amount_fen", "person__name"))
    if not due:
        raise ServiceError("没有已确认待发放的购票补贴", code="nothing_due")
    total = sum(d[2] for d in due)
    _append_many(actor=actor, fund=p.fund, link="homeward_id",
                 payments=[(amount, f"{p.name}购票补贴 {name}", person, pk) for pk, person, amount, name in due])
    HomewardApplication.objects.filter(pk__in=[d[0] for d in due]).update(status=HomewardStatus.PAID)
    audit.record(actor=actor, action="assistance.homeward_pay", obj=p, org_path=p.org.path,
                 detail={"name": p.name, "count": len(due), "amount": yuan(total), "fund": p.fund.name})
    _tell([d[0] for d in due], "paid")
    return len(due), total


def _tell(ids: list[int], what: str) -> None:
    """The member hears of the decision: in-app when they have an account, an SMS to the mobile on file. Through
    the outbox (sent after commit, never twice for one application and event)."""
    from lianxin.accounts.models import User
    from lianxin.members.services import tell_person

    rows = list(HomewardApplication.objects.filter(pk__in=ids)
                .select_related("person", "programme", "coach", "union"))
    users = dict(User.objects.filter(person__in=[a.person_id for a in rows], is_active=True)
                 .values_list("person_id", "pk"))
    for a in rows:
        p = a.programme
        if what == "confirm" and a.coach_id:
            body = (f"您报名的{p.name}{a.coach.destination}专车已确认，发车时间 "
                    f"{timezone.localtime(a.coach.departs_at):%m月%d日 %H:%M}，请按时乘车。")
        elif what == "confirm":
            body = f"您申请的{p.name}购票补贴 {yuan(a.amount_fen)} 元已确认，将统一发放。"
        elif what == "decline":
            body = f"您的{p.name}报名未通过：{a.decision_note}。如有疑问请联系{a.union.name}。"
        else:
            body = f"您的{p.name}购票补贴 {yuan(a.amount_fen)} 元已发放，祝您返乡平安。"
        key = f"homeward:{a.pk}:{what}"
        tell_person(a.person, user_id=users.get(a.person_id), template="assistance_homeward", title=p.name,
                    body=body, key=key, context={"programme": p.pk})


def export_seats(*, actor, programme: HomewardProgramme, rows):
    """专车乘车名单 (xlsx, streamed in constant memory): ``rows`` are the scoped coach applications the page shows;
    ID numbers and mobiles masked (DESIGN rule 2), cells defused against formula injection (rule 8), a column to
    tick on boarding. Audited as an export."""
    from lianxin.core.excel import XlsxStreamWriter

    header = ["序号", "专车", "发车时间", "姓名", "身份证号", "手机号码", "所在工会", "返乡目的地", "困难职工", "状态",
              "上车签到"]
    with XlsxStreamWriter(header, sheet="乘车名单", widths=[6, 16, 16, 10, 20, 14, 24, 20, 8, 8, 10]) as w:
        for n, a in enumerate(rows.iterator(chunk_size=1000), start=1):
            w.row([n, a.coach.destination, timezone.localtime(a.coach.departs_at).strftime("%Y-%m-%d %H:%M"),
                   a.person.name, a.person.id_masked, a.person.mobile_masked, a.union.name, a.hometown,
                   "是" if a.priority else "", a.get_status_display(), ""])
    with transaction.atomic():
        audit.record(actor=actor, action="assistance.homeward_export", obj=programme,
                     org_path=programme.org.path, detail={"name": programme.name, "count": w.n - 1})
    return w


def coach_counts(programme: HomewardProgramme) -> dict[int, int]:
    """Live seat applications per coach, counted from the applications (the check the counters must agree with)."""
    return dict(HomewardApplication.objects.filter(programme=programme, coach__isnull=False, status__in=LIVE)
                .order_by().values("coach").annotate(n=Count("pk")).values_list("coach", "n"))
