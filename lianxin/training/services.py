"""Every write of 职工教育培训 (see :mod:`lianxin.training.models` for the rules the database holds).

=========================  ===============================  ==============================================
who                        service                          held by
=========================  ===============================  ==============================================
organiser (管理员)          :func:`create_class`             CHECKs on places/hours/sessions/dates/pass mark
organiser (管理员)          :func:`update_class`             class row lock; remaining = places − taken; CHECKs
organiser (管理员)          :func:`cancel_class`             class row lock; CHECKs tying status, time, reason
                                                            and no certificate
organiser (管理员)          :func:`set_quota`                class row lock; UNIQUE (class, union); CHECK
union (管理员)              :func:`enrol`                    partial UNIQUE (class, person); conditional
                                                            UPDATEs of the quotas' and the class's remaining
union (管理员)              :func:`withdraw`                 enrolment row lock, then the class row; places
                                                            given back
organiser (管理员)          :func:`record_attendance`        class row lock, then the session row; UNIQUE
                                                            (session, enrolment)
organiser (管理员)          :func:`record_scores`            class row lock; CHECK 0–100
organiser (管理员)          :func:`revoke_certificate`       enrolment row lock; UNIQUE number and token of
                                                            ``RevokedCertificate``; CHECKs (reason, dates)
organiser (管理员)          :func:`issue_certificates`       class row lock, then the year's gap-free counter;
                                                            UNIQUE certificate number
engine (教育补助 approval)  :func:`pay_education`            UNIQUE (person, level); caps as CHECKs; the fund's
                                                            ledger (assistance) under its row lock
=========================  ===============================  ==============================================

Lock order, whoever writes: an enrolment row, then the class row, then quota rows in path order, then the
certificate counter. ``enrol`` takes no explicit lock: its conditional UPDATE of the class row (held to the end of
its transaction) comes first, then those of the quotas; ``set_quota`` locks the class row before counting, so it and
an enrolment never overlap. Every write into a class refuses a cancelled one (``_open``) after it holds the class
row — ``cancel_class`` takes the same row first — so nothing lands in a class once its cancellation has committed.
Every staff step is audited (``training.*``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from lianxin.core import audit, counters, notify
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import require
from lianxin.members.selectors import live_member_for
from lianxin.orgs.models import STEP, Organization, OrgKind

from .models import (
    EDUCATION_CAPS_FEN,
    Attendance,
    ClassQuota,
    EducationGrant,
    EducationLevel,
    Enrolment,
    RevokedCertificate,
    Session,
    TrainingClass,
)

E = Enrolment.Status
K = TrainingClass.Status
ORGANISER_KINDS = (OrgKind.FEDERATION, OrgKind.STREET)
ATTENDANCE_PCT = 80  # a certificate needs at least this share of the sessions attended


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def ancestors_or_self(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def _int(value, *, field: str, label: str, low: int, high: int) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        raise ServiceError(f"请填写{label}", field=field)
    try:
        n = int(text)
    except ValueError:
        raise ServiceError(f"{label}应为整数", field=field) from None
    if not low <= n <= high:
        raise ServiceError(f"{label}应为 {low} 至 {high}", field=field)
    return n


# ---------------------------------------------------------------- classes


def _check_class(*, title, place, description, starts_on, ends_on, signup_deadline, today) -> dict:
    title, place, description = (title or "").strip(), (place or "").strip(), (description or "").strip()
    if not 4 <= len(title) <= 100:
        raise ServiceError("班次名称应为 4 至 100 个字，如：2027 年第一期班组长培训班", field="title")
    if not 2 <= len(place) <= 100:
        raise ServiceError("请填写培训地点（2 至 100 个字）", field="place")
    if len(description) > 2000:
        raise ServiceError("培训内容最多 2000 个字", field="description")
    for value, field, label in (
        (starts_on, "starts_on", "开班日期"),
        (ends_on, "ends_on", "结业日期"),
        (signup_deadline, "signup_deadline", "报名截止日期"),
    ):
        if not isinstance(value, dt.date):
            raise ServiceError(f"请填写{label}", field=field)
    if starts_on < today:
        raise ServiceError("开班日期不能早于今天", field="starts_on")
    if ends_on < starts_on:
        raise ServiceError("结业日期不能早于开班日期", field="ends_on")
    if (ends_on - starts_on).days > 366:
        raise ServiceError("一期培训最长一年，更长的请分期举办", field="ends_on")
    if not today <= signup_deadline <= starts_on:
        raise ServiceError("报名截止日期应在今天到开班日期之间", field="signup_deadline")
    return dict(
        title=title,
        place=place,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        signup_deadline=signup_deadline,
    )


@transaction.atomic
def create_class(
    *,
    actor,
    org,
    title,
    place,
    starts_on,
    ends_on,
    signup_deadline,
    hours,
    sessions,
    places,
    pass_mark,
    description: str = "",
) -> TrainingClass:
    """The federation or a street publishes a 班组长培训 class (open for enrolment at once) to the unions of its
    subtree; its 课次 are made with it."""
    require(actor, "change", org.path, "只能以您管理的工会举办培训班")
    if org.kind not in ORGANISER_KINDS:
        raise ServiceError("班组长培训班由总工会或街道（园区）工会举办", field="org")
    data = _check_class(
        title=title,
        place=place,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        signup_deadline=signup_deadline,
        today=timezone.localdate(),
    )
    n_places = _int(places, field="places", label="名额", low=1, high=10000)
    n_sessions = _int(sessions, field="sessions", label="课次", low=1, high=100)
    k = TrainingClass.objects.create(
        org=org,
        places=n_places,
        remaining=n_places,
        hours=_int(hours, field="hours", label="学时", low=1, high=1000),
        sessions=n_sessions,
        pass_mark=_int(pass_mark, field="pass_mark", label="考核合格分", low=0, high=100),
        created_by=_uid(actor),
        **data,
    )
    Session.objects.bulk_create([Session(klass=k, n=i) for i in range(1, n_sessions + 1)])
    audit.record(
        actor=actor,
        action="training.class_create",
        obj=k,
        org_path=org.path,
        detail={"title": k.title, "places": n_places, "sessions": n_sessions, "pass_mark": k.pass_mark},
    )
    return k


def _lock_class(klass) -> TrainingClass:
    return TrainingClass.objects.select_for_update(of=("self",)).select_related("org").get(pk=klass.pk)


CANCELLED = "培训班已取消"


def _open(k: TrainingClass, doing: str = "") -> None:
    """Refuse any write into a cancelled class (called with the class row held)."""
    if k.status != K.OPEN:
        raise ServiceError(f"{CANCELLED}，{doing}" if doing else CANCELLED, code="cancelled")


EDITABLE = (
    "title",
    "place",
    "description",
    "starts_on",
    "ends_on",
    "signup_deadline",
    "places",
    "hours",
    "sessions",
    "pass_mark",
)
DATES = ("starts_on", "ends_on", "signup_deadline")


def _check_counts(k: TrainingClass, *, hours, sessions, pass_mark) -> dict:
    """学时, 课次 and 合格分 of a published class (the class row held): ranges as when publishing; 课次 never below
    the highest one already taken roll of; the pass mark fixed once any score is recorded. (学时 are fixed once
    certificates are issued — the whole class is closed to editing then.)"""
    n_hours = _int(hours, field="hours", label="学时", low=1, high=1000)
    n_sessions = _int(sessions, field="sessions", label="课次", low=1, high=100)
    n_pass = _int(pass_mark, field="pass_mark", label="考核合格分", low=0, high=100)
    if n_sessions < k.sessions:
        taken = (
            Session.objects.filter(klass=k, n__gt=n_sessions)
            .filter(Q(recorded_at__isnull=False) | Q(marks__isnull=False))
            .order_by("-n")
            .values_list("n", flat=True)
            .first()
        )
        if taken is not None:
            raise ServiceError(
                f"第 {taken} 课次已点名，课次不能少于 {taken}", field="sessions", code="below_recorded"
            )
    if n_pass != k.pass_mark and Enrolment.objects.filter(klass=k, score__isnull=False).exists():
        raise ServiceError("已登记考核成绩，合格分不能再修改", field="pass_mark", code="scored")
    return {"hours": n_hours, "sessions": n_sessions, "pass_mark": n_pass}


@transaction.atomic
def update_class(
    *,
    actor,
    klass: TrainingClass,
    title,
    place,
    starts_on,
    ends_on,
    signup_deadline,
    places,
    hours,
    sessions,
    pass_mark,
    description="",
) -> TrainingClass:
    """修改培训班 (the organiser's 管理员, until the class has ended or certificates were issued; never once
    cancelled): text, dates and deadline (validated as when publishing; dates are fixed once the class has
    started), places (never below the live enrolments, never below a union's quota), 学时, 课次 (never below the
    highest 课次 already taken roll of; the 课次 rows follow) and the pass mark (fixed once a score is recorded).
    Under the class row lock — an enrolment's conditional UPDATE, a roll call and a score sheet hold the same row,
    so what is counted is exact — ``remaining`` is recomputed as places − taken. Trainees are told in-app of a
    changed date or place; audited with before → after."""
    k = _lock_class(klass)
    require(actor, "change", k.org.path, "只有培训班主办单位的管理员可以修改培训班")
    _open(k, "不能再修改")
    today = timezone.localdate()
    if k.certified_at is not None or today > k.ends_on:
        raise ServiceError("培训班已结业，不能再修改", code="finished")
    dates = dict(starts_on=starts_on, ends_on=ends_on, signup_deadline=signup_deadline)
    moved = any(dates[f] != getattr(k, f) for f in DATES)
    if moved and today >= k.starts_on:
        raise ServiceError("培训班已开班，不能再调整日期", field="starts_on", code="started")
    if moved:
        data = _check_class(title=title, place=place, description=description, today=today, **dates)
    else:  # unchanged dates stay valid even when the deadline has passed meanwhile
        data = _check_class(
            title=title,
            place=place,
            description=description,
            starts_on=max(k.starts_on, today),
            ends_on=max(k.ends_on, today),
            signup_deadline=today,
            today=today,
        )
        data.update({f: getattr(k, f) for f in DATES})
    n = _int(places, field="places", label="名额", low=1, high=10000)
    taken = Enrolment.objects.filter(klass=k, status=E.ENROLLED).count()
    if n < taken:
        raise ServiceError(f"已报名 {taken} 人，名额不能少于已报名人数", field="places", code="below_taken")
    big = (
        ClassQuota.objects.filter(klass=k, quota__gt=n)
        .select_related("union")
        .order_by("union__path")
        .first()
    )
    if big is not None:
        raise ServiceError(
            f"{big.union.name}已分配 {big.quota} 个名额，全班名额不能少于它",
            field="places",
            code="below_quota",
        )
    data["places"] = n
    data.update(_check_counts(k, hours=hours, sessions=sessions, pass_mark=pass_mark))
    changes = {f: [getattr(k, f), data[f]] for f in EDITABLE if getattr(k, f) != data[f]}
    if not changes:
        return k
    if "sessions" in changes:
        before, after = changes["sessions"]
        if after < before:  # none of them taken roll of (checked above, under the class row lock)
            Session.objects.filter(klass=k, n__gt=after).delete()
        else:
            Session.objects.bulk_create([Session(klass=k, n=i) for i in range(before + 1, after + 1)])
    for f, (_, after) in changes.items():
        setattr(k, f, after)
    k.remaining = n - taken
    k.save(update_fields=[*changes, "remaining"])
    if {"starts_on", "ends_on", "place"} & changes.keys():
        body = f"您报名的“{k.title}”有变动：培训日期 {k.starts_on:%Y-%m-%d} 至 {k.ends_on:%Y-%m-%d}，地点 {k.place}。"
        stamp = hashlib.sha256(f"{k.starts_on}|{k.ends_on}|{k.place}".encode()).hexdigest()[:16]
        for e in Enrolment.objects.filter(klass=k, status=E.ENROLLED).select_related("person__user"):
            user = getattr(e.person, "user", None)
            if user is not None:
                notify.enqueue(
                    channel="inapp",
                    user=user,
                    template="training_class_change",
                    title="培训班时间或地点有变动",
                    body=body,
                    dedupe_key=f"training-change:{e.pk}:{stamp}",
                )
    audit.record(
        actor=actor,
        action="training.class_update",
        obj=k,
        org_path=k.org.path,
        detail={"title": k.title, **{f: f"{b} → {a}" for f, (b, a) in changes.items()}, "taken": taken},
    )
    return k


@transaction.atomic
def cancel_class(*, actor, klass: TrainingClass, reason) -> TrainingClass:
    """取消培训班 (the organiser's 管理员, with a reason): until the end date, as long as no score has been recorded
    (and so no certificate issued — a certificate needs a score). A class may be cancelled before it starts or
    while it runs (attendance already taken stays as history). The enrolments stay as they were; afterwards no one
    can enrol, withdraw, be marked present or be scored (every service refuses a cancelled class after holding its
    row, which this holds first). Each live trainee is told once; audited as ``training.class_cancel``."""
    k = _lock_class(klass)
    require(actor, "change", k.org.path, "只有培训班主办单位的管理员可以取消培训班")
    _open(k)
    if k.certified_at is not None:
        raise ServiceError("培训班已发放结业证书，不能取消", code="certified")
    if timezone.localdate() > k.ends_on:
        raise ServiceError("培训班已结业，不能取消", code="finished")
    if Enrolment.objects.filter(klass=k, score__isnull=False).exists():
        raise ServiceError("已登记考核成绩，培训班不能取消", code="scored")
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        raise ServiceError("请填写取消原因（2 至 200 个字）", field="reason", code="reason")
    k.status, k.cancelled_at, k.cancel_reason = K.CANCELLED, timezone.now(), reason
    k.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    live = list(Enrolment.objects.filter(klass=k, status=E.ENROLLED).select_related("person__user"))
    notify.tell_members(
        live,
        person_of=lambda e: e.person,
        template="training_class_cancelled",
        title="培训班已取消",
        body=f"您报名的“{k.title}”已取消：{reason}",
        key=f"training-cancel:{k.pk}",
    )
    audit.record(
        actor=actor,
        action="training.class_cancel",
        obj=k,
        org_path=k.org.path,
        reason=reason,
        detail={"title": k.title, "count": len(live)},
    )
    return k


def _live_under(klass, path: str) -> int:
    return Enrolment.objects.filter(klass=klass, status=E.ENROLLED, union__path__startswith=path).count()


@transaction.atomic
def set_quota(*, actor, klass: TrainingClass, union: Organization, quota) -> ClassQuota | None:
    """分配名额: a union of the class's subtree gets at most ``quota`` places (its own enrolments and those of the
    unions under it); blank or 0 removes the share. Never below what that union already holds."""
    k = _lock_class(klass)
    require(actor, "change", k.org.path, "只有培训班主办单位的管理员可以分配名额")
    _open(k, "不能再分配名额")
    if union is None or not union.path.startswith(k.org.path) or union.pk == k.org_id:
        raise ServiceError("只能给主办单位下属的工会分配名额", field="union")
    if timezone.localdate() > k.signup_deadline:
        raise ServiceError("报名已截止，不能再调整名额", code="closed")
    text = str(quota if quota is not None else "").strip()
    q = ClassQuota.objects.select_for_update().filter(klass=k, union=union).first()
    taken = _live_under(k, union.path)
    if text in ("", "0"):
        if q is not None:
            q.delete()
            audit.record(
                actor=actor,
                action="training.quota_set",
                obj=k,
                org_path=k.org.path,
                detail={"union": union.name, "quota": None},
            )
        return None
    n = _int(text, field="quota", label="分配名额", low=1, high=k.places)
    if n < taken:
        raise ServiceError(f"{union.name}已报名 {taken} 人，分配名额不能少于已报名人数", field="quota")
    if q is None:
        q = ClassQuota.objects.create(klass=k, union=union, quota=n, remaining=n - taken)
    else:
        q.quota, q.remaining = n, n - taken
        q.save(update_fields=["quota", "remaining"])
    audit.record(
        actor=actor,
        action="training.quota_set",
        obj=k,
        org_path=k.org.path,
        detail={"union": union.name, "quota": n, "taken": taken},
    )
    return q


# ---------------------------------------------------------------- enrolment


def enrol(*, actor, klass: TrainingClass, person) -> Enrolment:
    """A union's administrator enrols one of its live members (a team leader) in the class: one place of the
    class and one of every quota covering the member's union, all or none."""
    m = live_member_for(actor, person, refused="，不能报名")
    k = TrainingClass.objects.select_related("org").get(pk=klass.pk)
    if not m.union.path.startswith(k.org.path):
        raise ServiceError(f"该培训班面向{k.org.name}所属工会的会员", field="person", code="out_of_audience")
    _open(k, "不能报名")
    today = timezone.localdate()
    if today > k.signup_deadline:
        raise ServiceError("报名已截止", code="closed")
    try:
        with transaction.atomic():
            e = Enrolment.objects.create(klass=k, person=person, union=m.union, enrolled_by=_uid(actor))
            # the class's place first: its conditional UPDATE holds the class row to the end, so a quota being
            # set at this moment (set_quota locks the class row) waits for this enrolment and counts it — and
            # the quotas are read only after it, fresh
            # status = 'open' in the same WHERE: a cancellation committed a moment ago (it holds this row while
            # it runs) is seen here, so no enrolment is ever accepted into a cancelled class
            if not TrainingClass.objects.filter(
                pk=k.pk, status=K.OPEN, remaining__gt=0, signup_deadline__gte=today
            ).update(remaining=F("remaining") - 1):
                k.refresh_from_db(fields=["remaining", "signup_deadline", "status"])
                _open(k, "不能报名")
                if k.signup_deadline < today:
                    raise ServiceError("报名已截止", code="closed")
                raise ServiceError(f"{k.places} 个名额已满", code="full")
            quotas = ClassQuota.objects.filter(
                klass=k, union__path__in=ancestors_or_self(m.union.path)
            ).select_related("union")
            for q in quotas.order_by("union__path"):  # path order everywhere: quotas never locked crosswise
                if not ClassQuota.objects.filter(pk=q.pk, remaining__gt=0).update(
                    remaining=F("remaining") - 1
                ):
                    raise ServiceError(f"{q.union.name}的 {q.quota} 个名额已用完", code="quota")
            audit.record(
                actor=actor,
                action="training.enrol",
                obj=e,
                org_path=m.union.path,
                detail={"training_class": k.pk, "title": k.title, "person": person.pk},
            )
    except IntegrityError:
        raise ServiceError(f"{person.name}已报名该培训班", field="person", code="duplicate") from None
    return e


@transaction.atomic
def withdraw(*, actor, enrolment: Enrolment) -> Enrolment:
    """Before the sign-up deadline the enrolling union takes a trainee off the class; the place goes back to the
    class and to every quota it was counted in."""
    e = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("klass", "union", "person")
        .get(pk=enrolment.pk)
    )
    require(actor, "change", e.union.path, "只有学员所在工会的管理员可以退出报名")
    k = _lock_class(e.klass)  # after the enrolment row (the lock order); a cancellation holds it too
    _open(k, "不能退出报名")
    if e.status != E.ENROLLED:
        raise ServiceError(f"{e.person.name}已退出该培训班", code="withdrawn")
    if timezone.localdate() > k.signup_deadline:
        raise ServiceError("报名已截止，不能再退出", code="closed")
    e.status, e.withdrawn_at = E.WITHDRAWN, timezone.now()
    e.save(update_fields=["status", "withdrawn_at"])
    TrainingClass.objects.filter(pk=e.klass_id, remaining__lt=F("places")).update(
        remaining=F("remaining") + 1
    )
    for q in ClassQuota.objects.filter(
        klass_id=e.klass_id, union__path__in=ancestors_or_self(e.union.path)
    ).order_by("union__path"):
        ClassQuota.objects.filter(pk=q.pk, remaining__lt=F("quota")).update(remaining=F("remaining") + 1)
    audit.record(
        actor=actor,
        action="training.withdraw",
        obj=e,
        org_path=e.union.path,
        detail={"training_class": e.klass_id, "title": e.klass.title, "person": e.person_id},
    )
    return e


# ---------------------------------------------------------------- attendance, scores, certificates


@transaction.atomic
def record_attendance(*, actor, klass: TrainingClass, n, present_ids) -> Session:
    """点名 for 课次 ``n``: every live trainee is marked present or absent (a re-roll replaces the marks), except
    those already certified, whose record stays as it was."""
    # the class row first: a cancellation, or an edit lowering the 课次, queues with this roll call
    k = _lock_class(klass)
    require(actor, "change", k.org.path, "只有培训班主办单位的管理员可以点名")
    _open(k, "不能再点名")
    s = Session.objects.select_for_update().filter(klass=k, n=n).first()
    if s is None:
        raise ServiceError("没有这个课次", code="not_found")
    if timezone.localdate() < k.starts_on:
        raise ServiceError("培训班开班后才能点名", code="not_started")
    present = {int(i) for i in present_ids or () if str(i).isdigit()}
    live = list(Enrolment.objects.filter(klass=k, status=E.ENROLLED, certificate_no__isnull=True))
    marks = {a.enrolment_id: a for a in Attendance.objects.filter(session=s)}
    count = 0
    for e in live:
        here = e.pk in present
        count += here
        a = marks.get(e.pk)
        if a is None:
            Attendance.objects.create(session=s, enrolment=e, present=here)
        elif a.present != here:
            a.present = here
            a.save(update_fields=["present"])
    s.recorded_at, s.recorded_by = timezone.now(), _uid(actor)
    s.save(update_fields=["recorded_at", "recorded_by"])
    audit.record(
        actor=actor,
        action="training.attendance_record",
        obj=k,
        org_path=k.org.path,
        detail={"title": k.title, "session": s.n, "present": count, "trainees": len(live)},
    )
    return s


def parse_score(value, *, name: str, field: str) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 <= int(text) <= 100:
        raise ServiceError(f"{name}的成绩应为 0 至 100 的整数", field=field)
    return int(text)


@transaction.atomic
def record_scores(*, actor, klass: TrainingClass, scores: dict) -> int:
    """考核成绩 after the class has ended: ``scores`` maps enrolment id → 0–100 (blank = not sat). A certified
    trainee's score is not changed. All or nothing: one bad value refuses the whole sheet, naming the trainee."""
    k = _lock_class(klass)
    require(actor, "change", k.org.path, "只有培训班主办单位的管理员可以登记成绩")
    _open(k, "不能登记成绩")
    if timezone.localdate() < k.ends_on:
        raise ServiceError("培训结业后才能登记考核成绩", code="not_ended")
    live = {e.pk: e for e in Enrolment.objects.filter(klass=k, status=E.ENROLLED).select_related("person")}
    changed = 0
    for key, value in scores.items():
        e = live.get(int(key)) if str(key).isdigit() else None
        if e is None:
            continue
        score = parse_score(value, name=e.person.name, field=f"score_{e.pk}")
        if e.certificate_no:
            if score != e.score:
                raise ServiceError(f"{e.person.name}已发证，成绩不能修改", field=f"score_{e.pk}")
            continue
        if score != e.score:
            e.score = score
            e.save(update_fields=["score"])
            changed += 1
    audit.record(
        actor=actor,
        action="training.scores_record",
        obj=k,
        org_path=k.org.path,
        detail={"title": k.title, "scored": changed},
    )
    return changed


def attended_counts(klass: TrainingClass) -> dict[int, int]:
    from django.db.models import Count

    return dict(
        Attendance.objects.filter(session__klass=klass, present=True)
        .values("enrolment")
        .annotate(n=Count("id"))
        .values_list("enrolment", "n")
    )


def qualifies(klass: TrainingClass, enrolment: Enrolment, attended: int) -> bool:
    """At least 80 % of the class's sessions attended and the exam passed."""
    return (
        enrolment.status == E.ENROLLED
        and enrolment.score is not None
        and enrolment.score >= klass.pass_mark
        and attended * 100 >= ATTENDANCE_PCT * klass.sessions
    )


def certificate_counter(year: int) -> str:
    return f"training-cert-{year}"


@transaction.atomic
def issue_certificates(*, actor, klass: TrainingClass) -> list[Enrolment]:
    """发结业证书: every live trainee who qualifies and has no certificate yet gets the next number of the year
    (``<year><5-digit sequence>``, gap-free from ``core.counters``). One audited act for the whole class;
    idempotent — run again (or twice at once: the class row lock queues the second), it issues only to those who
    have newly qualified, usually nobody."""
    k = _lock_class(klass)
    require(actor, "change", k.org.path, "只有培训班主办单位的管理员可以发证")
    _open(k, "不能发证")
    if timezone.localdate() < k.ends_on:
        raise ServiceError("培训结业后才能发结业证书", code="not_ended")
    unrecorded = Session.objects.filter(klass=k, recorded_at__isnull=True).count()
    if unrecorded:
        raise ServiceError(f"还有 {unrecorded} 个课次没有点名，点名完成后才能发证", code="unrecorded")
    counts = attended_counts(k)
    todo = [
        e
        for e in Enrolment.objects.select_for_update(of=("self",))
        .filter(klass=k, status=E.ENROLLED, certificate_no__isnull=True)
        .select_related("person__user")
        .order_by("id")
        if qualifies(k, e, counts.get(e.pk, 0))
    ]
    if not todo:
        return []
    now = timezone.now()
    year = timezone.localdate().year
    numbers = counters.reserve(certificate_counter(year), len(todo))
    for e, seq in zip(todo, numbers, strict=True):
        e.certificate_no, e.certified_at = f"{year}{seq:05d}", now
        e.certificate_token = secrets.token_urlsafe(24)  # the QR code's unguessable key (/verify/training/…)
        e.save(update_fields=["certificate_no", "certified_at", "certificate_token"])
        user = getattr(e.person, "user", None)
        if user is not None:
            notify.enqueue(
                channel="inapp",
                user=user,
                template="training_certificate",
                title="班组长培训结业证书已发放",
                body=f"您已完成“{k.title}”并考核合格，结业证书编号 {e.certificate_no}。",
                dedupe_key=f"training-cert:{e.pk}",
            )
    k.certified_at = now
    k.save(update_fields=["certified_at"])
    audit.record(
        actor=actor,
        action="training.certificates_issue",
        obj=k,
        org_path=k.org.path,
        detail={
            "title": k.title,
            "count": len(todo),
            "first": todo[0].certificate_no,
            "last": todo[-1].certificate_no,
        },
    )
    return todo


def _revoked_message(r: RevokedCertificate) -> str:
    return f"结业证书 {r.certificate_no} 已于 {timezone.localtime(r.revoked_at):%Y-%m-%d} 撤销，不能重复撤销"


@transaction.atomic
def revoke_certificate(
    *, actor, enrolment: Enrolment, reason, number: str | None = None
) -> RevokedCertificate:
    """撤销结业证书 issued in error (a wrong score, cheating found): the organiser's 管理员, with a reason (2–200
    characters). ``number`` is the certificate the administrator saw (the form sends it; by default the one on
    ``enrolment`` as passed): a certificate revoked meanwhile — a double click, two administrators — is refused
    as already revoked, and a newer one issued since is never revoked by a stale form.

    Under the enrolment's row lock the certificate moves to :class:`RevokedCertificate` (number, token, issue
    time and the score it vouched for, with the revocation's time, administrator and reason) and the enrolment's
    certificate fields are emptied, so its PDF is no longer drawn and the public page of its QR code says
    已撤销. The number stays used: it is UNIQUE among revoked certificates and the year's counter never goes back.
    The score is cleared too — the certificate vouched for it — so the trainee qualifies again only once the
    organiser enters the corrected score (and then gets a new number from :func:`issue_certificates`). The
    trainee is told in-app; audited as ``training.certificate_revoke`` with the reason."""
    expected = number if number is not None else enrolment.certificate_no
    e = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("klass__org", "person__user")
        .get(pk=enrolment.pk)
    )
    k = e.klass
    require(actor, "change", k.org.path, "只有培训班主办单位的管理员可以撤销结业证书")
    expected = (expected or "").strip()
    if e.certificate_no is None or (expected and e.certificate_no != expected):
        gone = RevokedCertificate.objects.filter(enrolment=e)
        if expected:
            gone = gone.filter(certificate_no=expected)
        r = gone.order_by("-revoked_at", "-id").first()
        if r is not None:
            raise ServiceError(_revoked_message(r), code="revoked")
        raise ServiceError(f"{e.person.name}没有结业证书，无需撤销", code="not_certified")
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        raise ServiceError("请填写撤销原因（2 至 200 个字）", field="reason", code="reason")
    now = timezone.now()
    r = RevokedCertificate(
        enrolment=e,
        certificate_no=e.certificate_no,
        certificate_token=e.certificate_token,
        certified_at=e.certified_at,
        score=e.score,
        revoked_at=now,
        revoked_by=_uid(actor),
        revoke_reason=reason,
    )
    e.certificate_no = e.certificate_token = e.certified_at = e.score = None
    e.save(update_fields=["certificate_no", "certificate_token", "certified_at", "score"])
    r.save()
    notify.tell_members(
        [r],
        person_of=lambda _: e.person,
        template="training_certificate_revoked",
        title="班组长培训结业证书已撤销",
        body=f"您在“{k.title}”的结业证书（编号 {r.certificate_no}）已撤销：{reason}",
        key="training-revoke",
    )
    audit.record(
        actor=actor,
        action="training.certificate_revoke",
        obj=e,
        org_path=k.org.path,
        reason=reason,
        detail={"title": k.title, "certificate": r.certificate_no, "person": e.person_id},
    )
    return r


# ---------------------------------------------------------------- export


def export_roll(*, actor, klass: TrainingClass, rows):
    """A class's roll with attendance, scores and certificates (xlsx, streamed): mobiles masked (DESIGN rule 2),
    every cell typed and formula-defused by core.excel (rule 8). Audited."""
    from lianxin.core.excel import XlsxStreamWriter

    counts = attended_counts(klass)
    header = [
        "序号",
        "姓名",
        "手机号码",
        "所在工会",
        "出勤课次",
        "出勤率（%）",
        "考核成绩",
        "是否合格",
        "结业证书编号",
        "培训班",
    ]
    with XlsxStreamWriter(header, sheet="学员名册", widths=[6, 10, 14, 28, 10, 10, 10, 8, 16, 30]) as w:
        for n, e in enumerate(rows, start=1):
            attended = counts.get(e.pk, 0)
            w.row(
                [
                    n,
                    e.person.name,
                    e.person.mobile_masked,
                    e.union.name,
                    attended,
                    round(attended * 100 / klass.sessions, 1),
                    e.score if e.score is not None else "",
                    "合格" if qualifies(klass, e, attended) else "不合格",
                    e.certificate_no or "",
                    klass.title,
                ]
            )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="training.roll_export",
            obj=klass,
            org_path=klass.org.path,
            detail={"title": klass.title, "count": w.n - 1},
        )
    return w


# ---------------------------------------------------------------- 教育补助 (the workflow programme's payment)


def cap_fen(level: str) -> int:
    return EDUCATION_CAPS_FEN[level]


def pay_education(*, actor, app, person, form: dict, amount_fen: int):
    """The approved 教育补助 application: the grant row (one per person and level — the database's unique
    constraint, whichever union they are in; caps and tuition as CHECKs) and the payment from the 教育补助 fund
    covering the union — in the approval's transaction, so all or nothing; too little money refuses in Chinese."""
    from lianxin.assistance.models import Purpose
    from lianxin.assistance.services import disburse, parse_yuan, require_fund, yuan

    level = form["level"]
    label = EducationLevel(level).label
    tuition_fen = parse_yuan(form["tuition"], label="已缴学费")
    if amount_fen > cap_fen(level):
        raise ServiceError(f"{label}的教育补助最高 {yuan(cap_fen(level))} 元", field="amount")
    if amount_fen > tuition_fen:
        raise ServiceError(f"批准金额不能超过已缴学费 {yuan(tuition_fen)} 元", field="amount")
    fund = require_fund(app.org, purpose=Purpose.EDUCATION)
    try:
        with transaction.atomic():
            grant = EducationGrant.objects.create(
                application=app,
                person=person,
                union=app.org,
                level=level,
                school=form["school"],
                graduated_on=dt.date.fromisoformat(str(form["graduated_on"])),
                tuition_fen=tuition_fen,
                amount_fen=amount_fen,
            )
    except IntegrityError:
        raise ServiceError(
            f"{person.name}已获得过{label}教育补助，同一层次只补助一次，请不予通过", code="duplicate"
        ) from None
    entry = disburse(
        actor=actor,
        fund=fund,
        amount_fen=amount_fen,
        memo=f"教育补助 {person.name}（{label}）",
        application=app,
        person=person,
    )
    audit.record(
        actor=actor,
        action="training.education_grant",
        obj=grant,
        org_path=app.org.path,
        detail={
            "person": person.pk,
            "application": app.number,
            "education_level": label,
            "amount": yuan(amount_fen),
        },
    )
    return entry, grant
