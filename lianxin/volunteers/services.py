"""Every write of 工会志愿者服务 (see :mod:`lianxin.volunteers.models` for the rules the database holds).

=========================  ==========================  ===================================================
who                        service                     held by
=========================  ==========================  ===================================================
member                     :func:`register_volunteer`  ``Volunteer.person`` unique (one per person)
union staff (审核员/管理员)  :func:`decide_volunteer`    row lock; scope of the volunteer's union
organiser (管理员)          :func:`create_project`,     CHECKs on places/remaining/minutes/times
                           :func:`update_project`
approved volunteer         :func:`sign_up`             partial UNIQUE (project, volunteer); conditional
                                                       UPDATE of ``remaining`` under its CHECK
volunteer                  :func:`withdraw`            project row lock, then the sign-up's
organiser (管理员)          :func:`confirm_attendance`  sign-up row lock; UNIQUE credit per sign-up
organiser (管理员)          :func:`reverse_hours`       credit row lock; UNIQUE reversal per credit
=========================  ==========================  ===================================================

Lock order, whoever writes: the project row, then a sign-up row, then a ledger row. ``sign_up`` takes no
project lock: its conditional UPDATE is the only statement that touches the project row, last in its
transaction, so sign-ups of different volunteers only queue on that row for the instant of the UPDATE.

Staff steps are audited; the member's own acts (registering, signing up, withdrawing) are not, as with activity
sign-ups. Approval and every hours credit send the member an in-app message through the outbox.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.core import audit, notify
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, require
from lianxin.core.validation import check_schedule
from lianxin.members.models import Membership, MembershipStatus
from lianxin.orgs.models import OrgKind

from .models import Availability, HoursEntry, Project, Signup, Skill, Volunteer, hours_text

V = Volunteer.Status
P = Project.Status
S = Signup.Status
NOTE_MAX = 200
ORGANISER_KINDS = (OrgKind.FEDERATION, OrgKind.STREET, OrgKind.JOINT, OrgKind.INDUSTRY, OrgKind.BASE)


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def _person_of(actor):
    person = getattr(actor, "person", None) if getattr(actor, "is_authenticated", False) else None
    if person is None:
        raise ServiceError("请先登录并完成会员认证", code="not_member")
    return person


def _live_membership(person) -> Membership | None:
    return (
        Membership.objects.select_related("union")
        .filter(person=person, status=MembershipStatus.MEMBER)
        .first()
    )


def _choices(values, choices, *, field: str, label: str, required: bool) -> list[str]:
    values = [v for v in dict.fromkeys(values or []) if v]  # order kept, repeats dropped
    bad = [v for v in values if v not in choices.values]
    if bad:
        raise ServiceError(f"{label}中有无效的选项", field=field)
    if required and not values:
        raise ServiceError(f"请至少选择一项{label}", field=field)
    return sorted(values, key=list(choices.values).index)


# ---------------------------------------------------------------- registration


def register_volunteer(*, actor, skills, times, note: str = "") -> Volunteer:
    """The member registers (or, once declined, registers again: the same row goes back to 待审核). A live
    membership is required; its union decides."""
    person = _person_of(actor)
    skills = _choices(skills, Skill, field="skills", label="特长", required=True)
    times = _choices(times, Availability, field="times", label="可服务时间", required=True)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(f"个人说明最多 {NOTE_MAX} 个字", field="note")
    m = _live_membership(person)
    if m is None:
        raise ServiceError("只有在册会员可以登记为工会志愿者，请先入会", code="not_member")
    with transaction.atomic():
        v = Volunteer.objects.select_for_update().filter(person=person).first()
        if v is not None:
            if v.status != V.DECLINED:
                raise ServiceError(
                    "您已登记为工会志愿者" if v.status == V.APPROVED else "您的志愿者登记正在审核中",
                    code="duplicate",
                )
            v.union, v.skills, v.times, v.note, v.status = m.union, skills, times, note, V.PENDING
            v.decided_at, v.decided_by, v.decline_reason = None, None, ""
            v.save()
            return v
        try:
            with transaction.atomic():
                return Volunteer.objects.create(
                    person=person, union=m.union, skills=skills, times=times, note=note
                )
        except IntegrityError:  # a second tap at the same instant: the unique person refused it
            raise ServiceError("您的志愿者登记正在审核中", code="duplicate") from None


@transaction.atomic
def decide_volunteer(*, actor, volunteer: Volunteer, approve: bool, reason: str = "") -> Volunteer:
    """Staff of the volunteer's union (or above it) approve or decline a pending registration."""
    v = (
        Volunteer.objects.select_for_update(of=("self",))
        .select_related("union", "person")
        .get(pk=volunteer.pk)
    )
    require(actor, "review", v.union.path, "该志愿者所在工会不在您的管理范围内")
    if v.status != V.PENDING:
        raise ServiceError(f"该登记已审核（{v.get_status_display()}）", code="decided")
    reason = (reason or "").strip()
    if not approve and not 2 <= len(reason) <= 200:
        raise ServiceError("不通过时请填写原因（2 至 200 个字）", field="reason", code="reason")
    v.status = V.APPROVED if approve else V.DECLINED
    v.decided_at, v.decided_by, v.decline_reason = timezone.now(), _uid(actor), "" if approve else reason
    v.save(update_fields=["status", "decided_at", "decided_by", "decline_reason", "updated_at"])
    audit.record(
        actor=actor,
        action="volunteers.volunteer_approve" if approve else "volunteers.volunteer_decline",
        obj=v,
        org_path=v.union.path,
        reason=reason[:500],
        detail={"person": v.person_id},
    )
    user = getattr(v.person, "user", None)
    if user is not None:
        if approve:
            notify.enqueue(
                channel="inapp",
                user=user,
                template="volunteer_approved",
                title="志愿者登记已通过",
                body=f"您已成为{v.union.name}的工会志愿者，可以报名参加志愿服务项目了。",
                dedupe_key=f"volunteer-approved:{v.pk}:{v.decided_at:%Y%m%d%H%M%S%f}",
            )
        else:
            notify.enqueue(
                channel="inapp",
                user=user,
                template="volunteer_declined",
                title="志愿者登记未通过",
                body=f"您的工会志愿者登记未通过：{reason}。可修改后重新登记。",
                dedupe_key=f"volunteer-declined:{v.pk}:{v.decided_at:%Y%m%d%H%M%S%f}",
            )
    return v


# ---------------------------------------------------------------- projects


def parse_hours(value, *, field: str = "hours") -> int:
    """Hours per attendance as typed ("2", "2.5", "1.75", "３") -> whole minutes, 1 minute to 24 hours."""
    import unicodedata

    text = unicodedata.normalize("NFKC", str(value or "")).strip().removesuffix("小时").strip()
    try:
        h = Decimal(text)
    except InvalidOperation:
        raise ServiceError("每次计入时长应为小时数，如 2 或 2.5", field=field) from None
    if not h.is_finite() or h <= 0:
        raise ServiceError("每次计入时长应大于 0", field=field)
    minutes = h * 60
    if minutes != minutes.to_integral_value():
        raise ServiceError("每次计入时长应精确到分钟（如 2、2.5、1.75 小时）", field=field)
    if minutes > 24 * 60:
        raise ServiceError("每次计入时长最多 24 小时", field=field)
    return int(minutes)


def _places(value, *, low: int = 1) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError("招募人数应为整数", field="places") from None
    if not low <= n <= 10000:
        raise ServiceError(f"招募人数应在 {low} 至 10000 之间", field="places")
    return n


def _check_project(*, title, place, description, starts_at, ends_at, signup_deadline, skills, now) -> dict:
    title, place, description = (title or "").strip(), (place or "").strip(), (description or "").strip()
    if not 4 <= len(title) <= 100:
        raise ServiceError("项目名称应为 4 至 100 个字", field="title")
    if not 2 <= len(place) <= 100:
        raise ServiceError("请填写服务地点（2 至 100 个字）", field="place")
    if len(description) > 2000:
        raise ServiceError("服务内容最多 2000 个字", field="description")
    check_schedule(
        starts_at=starts_at,
        ends_at=ends_at,
        signup_deadline=signup_deadline,
        now=now,
        longest=dt.timedelta(days=7),
        too_long="一个服务项目最长 7 天，更长的请分期发布",
    )
    return dict(
        title=title,
        place=place,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        signup_deadline=signup_deadline,
        skills=_choices(skills, Skill, field="skills", label="需要的特长", required=False),
    )


@transaction.atomic
def create_project(
    *,
    actor,
    org,
    title,
    place,
    starts_at,
    ends_at,
    signup_deadline,
    places,
    hours,
    skills=(),
    description: str = "",
) -> Project:
    """A union in the actor's change scope publishes a project (open for sign-up at once) to the approved
    volunteers of its own subtree."""
    require(actor, "change", org.path, "只能以您管理的工会发布志愿服务项目")
    if org.kind not in ORGANISER_KINDS:
        raise ServiceError("志愿服务项目由工会发布（总工会、街道、联合、行业或基层工会）", field="org")
    data = _check_project(
        title=title,
        place=place,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        signup_deadline=signup_deadline,
        skills=skills,
        now=timezone.now(),
    )
    n = _places(places)
    p = Project.objects.create(
        org=org, places=n, remaining=n, minutes=parse_hours(hours), created_by=_uid(actor), **data
    )
    audit.record(
        actor=actor,
        action="volunteers.project_create",
        obj=p,
        org_path=org.path,
        detail={"title": p.title, "places": n, "minutes": p.minutes},
    )
    return p


def _lock_project(project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("org").get(pk=project.pk)


@transaction.atomic
def update_project(
    *,
    actor,
    project: Project,
    title,
    place,
    starts_at,
    ends_at,
    signup_deadline,
    places,
    hours,
    skills=(),
    description: str = "",
) -> Project:
    """Before it starts the organiser may change a project; places may not fall below those already taken (the
    remaining counter is recomputed under the project's lock, and its CHECK holds it)."""
    p = _lock_project(project)
    require(actor, "change", p.org.path, "只有项目组织单位的管理员可以修改")
    now = timezone.now()
    if p.status != P.OPEN or p.starts_at <= now:
        raise ServiceError("项目已开始或已取消，不能修改", code="started")
    data = _check_project(
        title=title,
        place=place,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        signup_deadline=signup_deadline,
        skills=skills,
        now=now,
    )
    taken = p.places - p.remaining
    n = _places(places)
    if n < taken:
        raise ServiceError(f"已有 {taken} 人报名，招募人数不能少于已报名人数", field="places")
    before = {"places": p.places, "minutes": p.minutes, "starts_at": p.starts_at.isoformat()}
    for k, v in data.items():
        setattr(p, k, v)
    p.places, p.remaining, p.minutes = n, n - taken, parse_hours(hours)
    p.save()
    audit.record(
        actor=actor,
        action="volunteers.project_update",
        obj=p,
        org_path=p.org.path,
        detail={
            "title": p.title,
            "before": before,
            "after": {"places": p.places, "minutes": p.minutes, "starts_at": p.starts_at.isoformat()},
        },
    )
    return p


@transaction.atomic
def cancel_project(*, actor, project: Project, reason: str) -> Project:
    """取消 before the start: every live sign-up is withdrawn and its volunteer told."""
    p = _lock_project(project)
    require(actor, "change", p.org.path, "只有项目组织单位的管理员可以取消")
    if p.status != P.OPEN:
        raise ServiceError("项目已取消", code="cancelled")
    if p.starts_at <= timezone.now():
        raise ServiceError("项目已开始，不能取消", code="started")
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        raise ServiceError("请填写取消原因（2 至 200 个字）", field="reason")
    now = timezone.now()
    live = list(
        Signup.objects.select_for_update(of=("self",))
        .select_related("volunteer__person__user")
        .filter(project=p, status=S.SIGNED)
    )
    Signup.objects.filter(pk__in=[s.pk for s in live]).update(status=S.WITHDRAWN, withdrawn_at=now)
    p.status, p.remaining = P.CANCELLED, p.places
    p.save(update_fields=["status", "remaining"])
    notify.tell_members(
        live,
        person_of=lambda s: s.volunteer.person,
        template="volunteer_project_cancelled",
        title="志愿服务项目已取消",
        body=f"您报名的“{p.title}”已取消：{reason}",
        key=f"vproject-cancel:{p.pk}",
    )
    audit.record(
        actor=actor,
        action="volunteers.project_cancel",
        obj=p,
        org_path=p.org.path,
        reason=reason[:500],
        detail={"title": p.title, "count": len(live)},
    )
    return p


# ---------------------------------------------------------------- sign-up


def _approved_volunteer(actor) -> Volunteer:
    person = _person_of(actor)
    v = Volunteer.objects.select_related("union").filter(person=person).first()
    if v is None:
        raise ServiceError("请先登记为工会志愿者", code="not_volunteer")
    if v.status != V.APPROVED:
        raise ServiceError("您的志愿者登记尚未通过审核", code="not_approved")
    return v


def sign_up(*, actor, project_id) -> Signup:
    """An approved volunteer of the organiser's subtree takes one place."""
    v = _approved_volunteer(actor)
    try:
        pk = int(project_id)
    except (TypeError, ValueError):
        pk = 0
    p = Project.objects.select_related("org").filter(pk=pk).first() if 0 < pk < 2**63 else None
    if p is None:
        raise ServiceError("项目不存在", code="not_found")
    if not v.union.path.startswith(p.org.path):
        raise ServiceError(f"该项目面向{p.org.name}的志愿者", code="out_of_audience")
    now = timezone.now()
    try:
        with transaction.atomic():
            s = Signup.objects.create(project=p, volunteer=v)
            # the place: taken only while one is left, the project is open and sign-up has not closed
            if not Project.objects.filter(
                pk=p.pk, remaining__gt=0, status=P.OPEN, signup_deadline__gt=now
            ).update(remaining=F("remaining") - 1):
                p.refresh_from_db(fields=["remaining", "status", "signup_deadline"])
                if p.status != P.OPEN:
                    raise ServiceError("该项目已取消", code="cancelled")
                if p.signup_deadline <= now:
                    raise ServiceError("报名已截止", code="closed")
                raise ServiceError(f"{p.places} 个名额已满", code="full")
            return s
    except IntegrityError:
        raise ServiceError("您已报名该项目", code="duplicate") from None


@transaction.atomic
def withdraw(*, actor, project_id) -> Signup:
    """The volunteer withdraws before the project starts; the place goes back."""
    v = _approved_volunteer(actor)
    p = Project.objects.select_for_update(of=("self",)).filter(pk=project_id).first()
    s = (
        Signup.objects.select_for_update(of=("self",)).filter(project=p, volunteer=v, status=S.SIGNED).first()
        if p is not None
        else None
    )
    if s is None:
        raise ServiceError("您没有报名该项目", code="not_signed")
    if timezone.now() >= p.starts_at:
        raise ServiceError("项目已开始，不能退出", code="started")
    s.status, s.withdrawn_at = S.WITHDRAWN, timezone.now()
    s.save(update_fields=["status", "withdrawn_at"])
    Project.objects.filter(pk=p.pk, remaining__lt=F("places")).update(remaining=F("remaining") + 1)
    return s


# ---------------------------------------------------------------- attendance and hours


@transaction.atomic
def confirm_attendance(*, actor, signup: Signup, attended: bool) -> Signup:
    """After the project the organiser records, per sign-up, whether the volunteer came. 参加 credits the
    project's minutes to the ledger once (the sign-up's row lock, and beneath it the unique credit per sign-up);
    未参加 credits nothing and may still be turned into 参加 later."""
    s = (
        Signup.objects.select_for_update(of=("self",))
        .select_related("project__org", "volunteer__person")
        .get(pk=signup.pk)
    )
    p = s.project
    require(actor, "change", p.org.path, "只有项目组织单位的管理员可以确认参加情况")
    if p.status != P.OPEN:
        raise ServiceError("项目已取消", code="cancelled")
    if timezone.now() < p.ends_at:
        raise ServiceError("项目结束后才能确认参加情况", code="not_ended")
    if s.status == S.ATTENDED:
        raise ServiceError(f"{s.volunteer.person.name}的参加情况已确认，时长已计入", code="confirmed")
    if s.status == S.WITHDRAWN:
        raise ServiceError(f"{s.volunteer.person.name}已退出该项目", code="withdrawn")
    if not attended:
        if s.status == S.ABSENT:
            raise ServiceError(f"{s.volunteer.person.name}已登记为未参加", code="confirmed")
        s.status, s.confirmed_at, s.confirmed_by = S.ABSENT, timezone.now(), _uid(actor)
        s.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        audit.record(
            actor=actor,
            action="volunteers.signup_absent",
            obj=s,
            org_path=p.org.path,
            detail={"project": p.pk, "person": s.volunteer.person_id},
        )
        return s
    s.status, s.confirmed_at, s.confirmed_by = S.ATTENDED, timezone.now(), _uid(actor)
    s.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    try:
        with transaction.atomic():
            e = HoursEntry.objects.create(
                volunteer=s.volunteer,
                signup=s,
                kind=HoursEntry.Kind.CREDIT,
                minutes=p.minutes,
                actor=_uid(actor),
            )
    except IntegrityError:
        raise ServiceError(f"{s.volunteer.person.name}的服务时长已计入", code="confirmed") from None
    audit.record(
        actor=actor,
        action="volunteers.hours_credit",
        obj=e,
        org_path=s.volunteer.union.path,
        detail={"project": p.pk, "person": s.volunteer.person_id, "minutes": p.minutes},
    )
    user = getattr(s.volunteer.person, "user", None)
    if user is not None:
        notify.enqueue(
            channel="inapp",
            user=user,
            template="volunteer_hours",
            title="志愿服务时长已计入",
            body=f"您参加“{p.title}”的志愿服务时长 {hours_text(p.minutes)} 小时已计入。",
            dedupe_key=f"volunteer-hours:{e.pk}",
        )
    return s


def reversed_minutes(entry: HoursEntry) -> int:
    r = getattr(entry, "reversal", None)
    return r.minutes if r is not None else 0


@transaction.atomic
def reverse_hours(*, actor, entry: HoursEntry, hours, reason: str) -> HoursEntry:
    """冲正: a wrong credit is taken back (in full or in part) by a reversal entry naming it and why — the credit
    itself is never edited. One reversal per credit (its unique ``reverses``), at most the credit's minutes."""
    e = (
        HoursEntry.objects.select_for_update(of=("self",))
        .select_related("volunteer__union", "signup__project__org")
        .get(pk=entry.pk)
    )
    if not can(actor, "change", e.signup.project.org.path):
        raise PermissionDenied("只有项目组织单位的管理员可以冲正服务时长")
    if e.kind != HoursEntry.Kind.CREDIT:
        raise ServiceError("只能冲正计入的时长", code="not_credit")
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        raise ServiceError("请填写冲正原因（2 至 200 个字）", field="reason")
    minutes = parse_hours(hours, field="hours")
    if minutes > e.minutes:
        raise ServiceError(f"冲正时长不能超过计入的 {hours_text(e.minutes)} 小时", field="hours")
    if HoursEntry.objects.filter(reverses=e).exists():
        raise ServiceError("该记录已冲正过", code="reversed")
    try:
        with transaction.atomic():
            r = HoursEntry.objects.create(
                volunteer=e.volunteer,
                signup=e.signup,
                kind=HoursEntry.Kind.REVERSAL,
                minutes=minutes,
                reverses=e,
                reason=reason,
                actor=_uid(actor),
            )
    except IntegrityError:
        raise ServiceError("该记录已冲正过", code="reversed") from None
    audit.record(
        actor=actor,
        action="volunteers.hours_reverse",
        obj=r,
        org_path=e.volunteer.union.path,
        reason=reason[:500],
        detail={"person": e.volunteer.person_id, "minutes": minutes, "project": e.signup.project_id},
    )
    return r


# ---------------------------------------------------------------- export


def export_hours(*, actor, rows, org_path: str):
    """志愿服务时长台账 (xlsx, streamed in constant memory): ``rows`` are the scoped ledger entries the page
    shows, oldest first; mobiles masked (DESIGN rule 2), cells defused by core.excel (rule 8). Audited."""
    from lianxin.core.excel import XlsxStreamWriter

    header = [
        "序号",
        "时间",
        "姓名",
        "手机号码",
        "所在工会",
        "服务项目",
        "类型",
        "时长（小时）",
        "时长（分钟）",
        "冲正原因",
        "经办人",
    ]
    with XlsxStreamWriter(
        header, sheet="志愿服务时长", widths=[6, 18, 10, 14, 24, 30, 6, 12, 12, 24, 12]
    ) as w:
        for n, e in enumerate(rows.iterator(chunk_size=1000), start=1):
            who = (e.actor.display_name or e.actor.username) if e.actor_id else "系统"
            w.row(
                [
                    n,
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                    e.volunteer.person.name,
                    e.volunteer.person.mobile_masked,
                    e.volunteer.union.name,
                    e.signup.project.title,
                    e.get_kind_display(),
                    e.signed_minutes / 60,
                    e.signed_minutes,
                    e.reason,
                    who,
                ]
            )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="volunteers.hours_export",
            org_path=org_path,
            object_type="volunteers.hoursentry",
            detail={"count": w.n - 1},
        )
    return w
