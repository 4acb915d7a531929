"""Every write of 社会化工会工作者: recruitment and posting, transfers (调岗), contracts, leaving, monthly work logs
(工作记录) and the annual assessment (年度考核).

Who may do what:

* recruiting, posting, transferring, renewing a contract, recording a worker's leaving and engaging again
  someone who left (重新聘用): an administrator of the federation (the root of the post's tree) — a street only
  sees its workers;
* a month's work log: entered and corrected by an administrator of the worker's post (or above), confirmed by a
  reviewer or administrator there; confirmed logs never change;
* the annual assessment: opened and confirmed by the federation's administrator; each worker graded by an
  administrator of their post (or above).

Rules held by the database (see ``models``): one open posting per worker (partial UNIQUE) and one engagement in
post per person (partial UNIQUE on the active rows), so one active posting per person; one log per worker and month (UNIQUE); confirmation a
conditional UPDATE ``WHERE status = 'draft'``; the 优秀 quota a counter under ``CHECK excellent <= excellent_quota``
raised only by ``UPDATE … WHERE excellent < excellent_quota``.

Lock order: the worker row, then its postings; an assessment row, then its round (``confirm_assessment`` takes
the round alone).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, require
from lianxin.members import services as members
from lianxin.members.models import Person
from lianxin.orgs.models import STEP, Organization, OrgKind

from .models import (
    WORKER_GRADE_LABEL,
    Assessment,
    AssessmentRound,
    SocialWorker,
    WorkerPosting,
    WorkLog,
    excellent_quota,
)

POST_KINDS = (OrgKind.STREET, OrgKind.JOINT, OrgKind.INDUSTRY, OrgKind.BASE)
G = Assessment.Grade
W = SocialWorker.Status
COUNT_FIELDS = (
    ("visits", "走访企业", 10000),
    ("unions_founded", "新建工会", 10000),
    ("members_recruited", "发展会员", 100000),
    ("disputes_mediated", "调解劳动争议", 10000),
)
SUMMARY_MIN, SUMMARY_MAX = 5, 2000


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def _int(value, *, label: str, field: str, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise ServiceError(f"{label}应为整数", field=field)
    text = "" if value is None else str(value).strip()
    if text == "":
        raise ServiceError(f"请填写{label}（整数）", field=field)
    try:
        n = int(text)
    except ValueError:
        raise ServiceError(f"{label}应为整数", field=field) from None
    if not lo <= n <= hi:
        raise ServiceError(f"{label}应在 {lo} 至 {hi} 之间", field=field)
    return n


def _date(value, *, label: str, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ServiceError(f"请填写{label}", field=field)
    return value


def federation_of(org: Organization) -> Organization:
    """The root of ``org``'s tree (the federation that recruits the workers posted inside it)."""
    return Organization.objects.get(path=org.path[:STEP])


def require_federation_admin(actor, org: Organization) -> None:
    fed = federation_of(org)
    if not can(actor, "change", fed.path):
        raise PermissionDenied(f"社会化工会工作者由{fed.name}管理员招聘、派驻和调岗")


def _check_post(org: Organization, field: str = "post") -> None:
    if org is None or org.kind not in POST_KINDS:
        raise ServiceError("派驻单位应为街道（园区）工会或基层、联合、行业工会", field=field)


# ---------------------------------------------------------------------------------------------- 名册


def _terms(grade, contract_start, contract_end, posted_on):
    """The grade, contract and first posting day of an engagement, checked."""
    grade = _int(grade, label="岗位等级", field="grade", lo=1, hi=3)
    start = _date(contract_start, label="合同开始日期", field="contract_start")
    end = _date(contract_end, label="合同到期日期", field="contract_end")
    if end <= start:
        raise ServiceError("合同到期日期应晚于合同开始日期", field="contract_end")
    if end - start > dt.timedelta(days=366 * 5):
        raise ServiceError("合同期限最长 5 年", field="contract_end")
    on = posted_on or max(start, timezone.localdate())
    if not start <= on < end:
        raise ServiceError("派驻日期应在合同期内", field="posted_on")
    return grade, start, end, on


def _engage(*, actor, person: Person, post: Organization, grade: int, start, end, on, field: str) -> SocialWorker:
    """A new engagement of ``person`` with its first posting; 重新聘用 when they had one before (audited so, with
    the day they left). The partial UNIQUE refuses a second engagement in post, also under a race."""
    earlier = SocialWorker.objects.filter(person=person).order_by("-created_at", "-pk").first()
    if earlier is not None and earlier.status == W.ACTIVE:
        raise ServiceError(
            f"{person.name}（{person.id_masked}）已是在岗的社会化工会工作者，如需调整派驻请办理调岗",
            field=field,
            code="duplicate",
        )
    if earlier is not None and on < earlier.left_on:
        raise ServiceError(
            f"派驻日期不能早于上次离职日期（{earlier.left_on:%Y-%m-%d}）", field="posted_on"
        )
    try:
        with transaction.atomic():
            worker = SocialWorker.objects.create(
                person=person,
                post=post,
                grade=grade,
                contract_start=start,
                contract_end=end,
                recruited_by=_uid(actor),
            )
    except IntegrityError:
        raise ServiceError(
            f"{person.name}（{person.id_masked}）已是在岗的社会化工会工作者，如需调整派驻请办理调岗",
            field=field,
            code="duplicate",
        ) from None
    WorkerPosting.objects.create(worker=worker, org=post, started_on=on, posted_by=_uid(actor))
    detail = {
        "name": person.name,
        "id": person.id_masked,
        "org": post.name,
        "grade": WORKER_GRADE_LABEL[grade],
        "valid_until": end.isoformat(),
    }
    if earlier is not None:
        detail["left_on"] = earlier.left_on.isoformat()
    audit.record(
        actor=actor,
        action="governance.worker_rehire" if earlier is not None else "governance.worker_recruit",
        obj=worker,
        org_path=post.path,
        detail=detail,
    )
    return worker


@transaction.atomic
def recruit_worker(
    *,
    actor,
    post: Organization,
    name: str,
    id_number,
    mobile,
    grade,
    contract_start,
    contract_end,
    posted_on=None,
) -> SocialWorker:
    """招聘派驻: the person (found by the ID number's blind index, else registered under the post) becomes a worker
    with a grade and a contract, and opens their first posting. Someone who worked here before and left is
    engaged again (a new engagement, as :func:`rehire_worker`)."""
    _check_post(post)
    require_federation_admin(actor, post)
    name = (name or "").strip()
    if not 2 <= len(name) <= 50:
        raise ServiceError("请填写姓名（2–50 个字）", field="name")
    grade, start, end, on = _terms(grade, contract_start, contract_end, posted_on)
    if str(id_number or "").strip() == "":
        raise ServiceError("请填写身份证号", field="id_number")
    info, _ = members.check_identity(id_number, mobile=mobile, mobile_required=True)
    person = Person.objects.filter(id_bidx=members.id_bidx(info.number)).first()
    if person is not None:
        if person.name != name:
            raise ServiceError(
                f"该身份证号已登记，姓名为“{person.name}”，与所填姓名不符，请核对", field="name"
            )
    else:
        person = members.create_person(actor=actor, org=post, name=name, id_number=id_number, mobile=mobile)
    return _engage(
        actor=actor, person=person, post=post, grade=grade, start=start, end=end, on=on, field="id_number"
    )


@transaction.atomic
def rehire_worker(
    *, actor, worker: SocialWorker, post: Organization, grade, contract_start, contract_end, posted_on=None
) -> SocialWorker:
    """重新聘用: a worker who left is engaged again by the federation's administrator — a new engagement with its
    own contract, grade and posting (anywhere in the federation); the one they left stays as it was. Refused while
    they are in post (the page was stale, or someone engaged them meanwhile)."""
    _check_post(post)
    require_federation_admin(actor, post)
    if worker.status != W.LEFT:
        raise ServiceError(f"{worker.person.name}仍在岗，无需重新聘用", code="duplicate")
    grade, start, end, on = _terms(grade, contract_start, contract_end, posted_on)
    return _engage(
        actor=actor, person=worker.person, post=post, grade=grade, start=start, end=end, on=on, field="post"
    )


def _lock_worker(pk) -> SocialWorker:
    """Lock the worker's row, then read it with its joins. Locking and joining in one query would lose the row on
    PostgreSQL when a concurrent transfer changed ``post_id`` meanwhile: the re-check after the wait reuses the
    old joined post row, the join no longer matches, and the row vanishes from the result."""
    SocialWorker.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True).get()
    return SocialWorker.objects.select_related("person", "post").get(pk=pk)


def open_posting(worker: SocialWorker) -> WorkerPosting | None:
    return WorkerPosting.objects.filter(worker=worker, ended_on__isnull=True).select_related("org").first()


def _stale(worker: SocialWorker) -> ServiceError:
    return ServiceError(f"{worker.person.name}的派驻刚刚已由他人调整，请刷新页面核对", code="stale")


@transaction.atomic
def transfer_worker(
    *, actor, worker: SocialWorker, to: Organization, on, note: str, posting_id=None
) -> WorkerPosting:
    """调岗: closes the open posting and opens one at ``to`` in one transaction. ``posting_id`` is the posting the
    clerk saw: when someone moved the worker meanwhile the transfer is refused instead of applied on top."""
    w = _lock_worker(worker.pk)
    require_federation_admin(actor, w.post)
    _check_post(to, "to")
    require_federation_admin(actor, to)
    if w.status != W.ACTIVE:
        raise ServiceError(f"{w.person.name}已离职，不能调岗", code="bad_status")
    cur = open_posting(w)
    if cur is None or (posting_id not in (None, "") and str(cur.pk) != str(posting_id)):
        raise _stale(w)
    if to.pk == cur.org_id:
        raise ServiceError(f"{w.person.name}已派驻在{to.name}", field="to")
    on = _date(on, label="调岗日期", field="on")
    if on < cur.started_on:
        raise ServiceError(f"调岗日期不能早于本次派驻日期 {cur.started_on:%Y-%m-%d}", field="on")
    if on > timezone.localdate() + dt.timedelta(days=31):
        raise ServiceError("调岗日期最多提前一个月登记", field="on")
    note = (note or "").strip()
    if not 2 <= len(note) <= 300:
        raise ServiceError("请填写调岗原因（2–300 个字）", field="note")
    if not WorkerPosting.objects.filter(pk=cur.pk, ended_on__isnull=True).update(ended_on=on):
        raise _stale(w)
    try:
        with transaction.atomic():
            new = WorkerPosting.objects.create(
                worker=w, org=to, started_on=on, note=note, posted_by=_uid(actor)
            )
    except IntegrityError:
        raise _stale(w) from None
    SocialWorker.objects.filter(pk=w.pk).update(post=to)
    # an open assessment is graded by the post the worker is at when it is graded
    Assessment.objects.filter(worker=w, round__status=AssessmentRound.Status.OPEN).update(org=to)
    audit.record(
        actor=actor,
        action="governance.worker_transfer",
        obj=w,
        org_path=to.path,
        reason=note,
        detail={
            "name": w.person.name,
            "from_post": cur.org.name,
            "to_post": to.name,
            "first_day": on.isoformat(),
        },
    )
    worker.post = to
    return new


@transaction.atomic
def renew_contract(*, actor, worker: SocialWorker, contract_end, grade) -> SocialWorker:
    """续签合同 / 调整岗位等级: a later contract end and the grade from then on."""
    w = _lock_worker(worker.pk)
    require_federation_admin(actor, w.post)
    if w.status != W.ACTIVE:
        raise ServiceError(f"{w.person.name}已离职，不能续签", code="bad_status")
    end = _date(contract_end, label="新的合同到期日期", field="contract_end")
    if end <= w.contract_end:
        raise ServiceError(
            f"新的合同到期日期应晚于现合同到期日期 {w.contract_end:%Y-%m-%d}", field="contract_end"
        )
    if end - w.contract_end > dt.timedelta(days=366 * 5):
        raise ServiceError("每次续签最长 5 年", field="contract_end")
    grade = _int(grade, label="岗位等级", field="grade", lo=1, hi=3)
    before = {"valid_until": w.contract_end.isoformat(), "grade": WORKER_GRADE_LABEL[w.grade]}
    w.contract_end, w.grade = end, grade
    w.save(update_fields=["contract_end", "grade"])
    audit.record(
        actor=actor,
        action="governance.worker_renew",
        obj=w,
        org_path=w.post.path,
        detail={
            "name": w.person.name,
            "before": before,
            "after": {"valid_until": end.isoformat(), "grade": WORKER_GRADE_LABEL[grade]},
        },
    )
    return w


@transaction.atomic
def leave_worker(*, actor, worker: SocialWorker, on, reason: str) -> SocialWorker:
    """离职: closes the open posting; the worker stays in the register (status 离职) under their last post."""
    w = _lock_worker(worker.pk)
    require_federation_admin(actor, w.post)
    if w.status != W.ACTIVE:
        raise ServiceError(f"{w.person.name}已离职", code="bad_status")
    on = _date(on, label="离职日期", field="on")
    cur = open_posting(w)
    if cur is not None and on < cur.started_on:
        raise ServiceError(f"离职日期不能早于本次派驻日期 {cur.started_on:%Y-%m-%d}", field="on")
    if on > timezone.localdate() + dt.timedelta(days=31):
        raise ServiceError("离职日期最多提前一个月登记", field="on")
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 300:
        raise ServiceError("请填写离职原因（2–300 个字）", field="reason")
    if cur is not None and not WorkerPosting.objects.filter(pk=cur.pk, ended_on__isnull=True).update(
        ended_on=on
    ):
        raise _stale(w)
    w.status, w.left_on, w.left_reason = W.LEFT, on, reason
    w.save(update_fields=["status", "left_on", "left_reason"])
    audit.record(
        actor=actor,
        action="governance.worker_leave",
        obj=w,
        org_path=w.post.path,
        reason=reason,
        detail={"name": w.person.name, "org": w.post.name},
    )
    return w


# ---------------------------------------------------------------------------------------------- 工作记录


def _clean_log(counts: dict, summary: str) -> tuple[dict, str]:
    out, errors = {}, {}
    for key, label, hi in COUNT_FIELDS:
        try:
            out[key] = _int(counts.get(key, ""), label=label, field=key, lo=0, hi=hi)
        except ServiceError as e:
            errors[key] = e.message
    summary = (summary or "").strip()
    if not SUMMARY_MIN <= len(summary) <= SUMMARY_MAX:
        errors["summary"] = f"请填写工作小结（{SUMMARY_MIN}–{SUMMARY_MAX} 个字）"
    if errors:
        first = next(iter(errors))
        raise ServiceError(errors[first], field=first, errors=errors)
    return out, summary


@transaction.atomic
def enter_work_log(*, actor, worker: SocialWorker, year, month, counts: dict, summary: str) -> WorkLog:
    """登记一个月的工作记录 (one per worker and month: ``UNIQUE(worker, year, month)``), by the post's staff."""
    w = SocialWorker.objects.select_related("person", "post").get(pk=worker.pk)
    require(actor, "change", w.post.path, f"只有{w.post.name}的管理员可以登记该工作者的工作记录")
    year = _int(year, label="年份", field="month", lo=2000, hi=2100)
    month = _int(month, label="月份", field="month", lo=1, hi=12)
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ServiceError("不能登记尚未到来的月份", field="month")
    first = WorkerPosting.objects.filter(worker=w).order_by("started_on").values_list("started_on", flat=True)
    started = first.first() or w.contract_start
    if (year, month) < (started.year, started.month):
        raise ServiceError(f"{w.person.name}于 {started:%Y-%m-%d} 起派驻，不能登记此前的月份", field="month")
    if w.status == W.LEFT and (year, month) > (w.left_on.year, w.left_on.month):
        raise ServiceError(f"{w.person.name}已于 {w.left_on:%Y-%m-%d} 离职", field="month")
    cleaned, summary = _clean_log(counts, summary)
    try:
        with transaction.atomic():
            log = WorkLog.objects.create(
                worker=w,
                org=w.post,
                year=year,
                month=month,
                summary=summary,
                entered_by=_uid(actor),
                **cleaned,
            )
    except IntegrityError:
        raise ServiceError(
            f"{w.person.name}{year}年{month}月的工作记录已登记，请在原记录上修改",
            field="month",
            code="duplicate",
        ) from None
    audit.record(
        actor=actor,
        action="governance.worklog_enter",
        obj=log,
        org_path=w.post.path,
        detail={"name": w.person.name, "year": year, "title": log.label, **cleaned},
    )
    return log


def _locked(log: WorkLog) -> ServiceError:
    return ServiceError(f"{log.label}的工作记录已确认，不能再修改", code="confirmed")


@transaction.atomic
def edit_work_log(*, actor, log: WorkLog, counts: dict, summary: str) -> WorkLog:
    """修改待确认的工作记录: one conditional UPDATE ``WHERE status = 'draft'``, so a confirmed month never changes."""
    log = WorkLog.objects.select_related("org", "worker__person").get(pk=log.pk)
    require(actor, "change", log.org.path, f"只有{log.org.name}的管理员可以修改该工作记录")
    if log.status != WorkLog.Status.DRAFT:
        raise _locked(log)
    cleaned, summary = _clean_log(counts, summary)
    if not WorkLog.objects.filter(pk=log.pk, status=WorkLog.Status.DRAFT).update(
        summary=summary, updated_at=timezone.now(), **cleaned
    ):
        raise _locked(log)
    audit.record(
        actor=actor,
        action="governance.worklog_edit",
        obj=log,
        org_path=log.org.path,
        detail={
            "name": log.worker.person.name,
            "title": log.label,
            "before": {k: getattr(log, k) for k, _, _ in COUNT_FIELDS},
            "after": cleaned,
        },
    )
    log.refresh_from_db()
    return log


@transaction.atomic
def confirm_work_log(*, actor, log: WorkLog) -> WorkLog:
    """确认: the post's reviewer or administrator locks the month (draft → confirmed, once)."""
    log = WorkLog.objects.select_related("org", "worker__person").get(pk=log.pk)
    require(actor, "review", log.org.path, f"只有{log.org.name}的审核员或管理员可以确认工作记录")
    now = timezone.now()
    if not WorkLog.objects.filter(pk=log.pk, status=WorkLog.Status.DRAFT).update(
        status=WorkLog.Status.CONFIRMED, confirmed_by=_uid(actor), confirmed_at=now
    ):
        raise ServiceError(f"{log.label}的工作记录已由他人确认", code="confirmed")
    audit.record(
        actor=actor,
        action="governance.worklog_confirm",
        obj=log,
        org_path=log.org.path,
        detail={"name": log.worker.person.name, "title": log.label},
    )
    log.refresh_from_db()
    return log


# ---------------------------------------------------------------------------------------------- 年度考核


@transaction.atomic
def open_assessment(*, actor, org: Organization, year) -> AssessmentRound:
    """发布年度考核: everyone on post in the federation now is assessed (fixed here); 优秀 at most
    ``excellent_quota(n)``."""
    if org is None or org.kind != OrgKind.FEDERATION:
        raise ServiceError("年度考核由总工会发布", field="org")
    require(actor, "change", org.path, f"只有{org.name}的管理员可以发布年度考核")
    year = _int(year, label="考核年度", field="year", lo=2000, hi=2100)
    if year > timezone.localdate().year:
        raise ServiceError("不能发布尚未到来年度的考核", field="year")
    workers = list(
        SocialWorker.objects.filter(status=W.ACTIVE, post__path__startswith=org.path).values_list(
            "pk", "post_id"
        )
    )
    if not workers:
        raise ServiceError("没有在岗的社会化工会工作者，无需考核", field="year")
    try:
        with transaction.atomic():
            r = AssessmentRound.objects.create(
                org=org,
                year=year,
                assessed=len(workers),
                excellent_quota=excellent_quota(len(workers)),
                opened_by=_uid(actor),
            )
    except IntegrityError:
        raise ServiceError(f"{year}年度考核已发布", field="year", code="duplicate") from None
    Assessment.objects.bulk_create([Assessment(round=r, worker_id=w, org_id=p) for w, p in workers])
    audit.record(
        actor=actor,
        action="governance.assessment_open",
        obj=r,
        org_path=org.path,
        detail={"year": year, "count": len(workers), "places": r.excellent_quota},
    )
    return r


@transaction.atomic
def grade_assessment(*, actor, item: Assessment, grade: str, comment: str, reason: str = "") -> Assessment:
    """评定等次 by the worker's post: 优秀 takes one of the round's places (conditional UPDATE under the CHECK), a
    change away from 优秀 gives it back; 不合格 needs a reason; nothing changes once the round is confirmed."""
    Assessment.objects.select_for_update().filter(pk=item.pk).values_list(
        "pk", flat=True
    ).get()  # see _lock_worker
    a = Assessment.objects.select_related("org", "worker__person", "round").get(pk=item.pk)
    require(actor, "change", a.org.path, f"只有{a.org.name}的管理员可以评定该工作者的考核等次")
    if grade not in G.values:
        raise ServiceError("请选择考核等次", field="grade")
    comment, reason = (comment or "").strip(), (reason or "").strip()
    if not 2 <= len(comment) <= 500:
        raise ServiceError("请填写评语（2–500 个字）", field="comment")
    if grade == G.UNQUALIFIED and len(reason) < 2:
        raise ServiceError("评为不合格时请填写不合格原因", field="reason")
    if len(reason) > 500:
        raise ServiceError("不合格原因最多 500 个字", field="reason")
    r = AssessmentRound.objects.select_for_update().get(pk=a.round_id)
    if r.status != AssessmentRound.Status.OPEN:
        raise ServiceError(f"{r.year}年度考核已确认，结果不能修改", code="frozen")
    if grade == G.EXCELLENT and a.grade != G.EXCELLENT:
        if not AssessmentRound.objects.filter(pk=r.pk, excellent__lt=F("excellent_quota")).update(
            excellent=F("excellent") + 1
        ):
            raise ServiceError(
                f"优秀名额已满：本年度 {r.assessed} 人参加考核，优秀最多 {r.excellent_quota} 人",
                field="grade",
                code="full",
            )
    elif a.grade == G.EXCELLENT and grade != G.EXCELLENT:
        AssessmentRound.objects.filter(pk=r.pk).update(excellent=F("excellent") - 1)
    before = a.grade
    a.grade, a.comment = grade, comment
    a.reason = reason if grade == G.UNQUALIFIED else ""
    a.graded_by, a.graded_at = _uid(actor), timezone.now()
    a.save(update_fields=["grade", "comment", "reason", "graded_by", "graded_at"])
    audit.record(
        actor=actor,
        action="governance.assessment_grade",
        obj=a,
        org_path=a.org.path,
        reason=a.reason,
        detail={
            "name": a.worker.person.name,
            "year": r.year,
            "before": G(before).label if before else "",
            "after": G(grade).label,
        },
    )
    return a


@transaction.atomic
def confirm_assessment(*, actor, round: AssessmentRound) -> AssessmentRound:
    """确认考核结果: every worker graded, then the round is frozen (open → confirmed, once)."""
    r = AssessmentRound.objects.select_for_update().select_related("org").get(pk=round.pk)
    require(actor, "change", r.org.path, f"只有{r.org.name}的管理员可以确认考核结果")
    if r.status != AssessmentRound.Status.OPEN:
        raise ServiceError(f"{r.year}年度考核已确认", code="frozen")
    left = Assessment.objects.filter(round=r, grade="").count()
    if left:
        raise ServiceError(f"还有 {left} 名工作者未评定等次，评定完毕后才能确认", code="incomplete")
    r.status, r.confirmed_by, r.confirmed_at = AssessmentRound.Status.CONFIRMED, _uid(actor), timezone.now()
    r.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit.record(
        actor=actor,
        action="governance.assessment_confirm",
        obj=r,
        org_path=r.org.path,
        detail={"year": r.year, "count": r.assessed, "places": r.excellent},
    )
    return r


def export_assessment(*, actor, round: AssessmentRound, rows):
    """The year's results in the actor's scope (xlsx through core.excel: typed cells, text defused; ID number and
    mobile masked); audited as an export."""
    from lianxin.core.excel import XlsxStreamWriter

    header = [
        "序号",
        "姓名",
        "身份证号",
        "手机号码",
        "派驻单位",
        "岗位等级",
        "考核等次",
        "评语",
        "不合格原因",
        "评定时间",
    ]
    with XlsxStreamWriter(header, sheet="考核结果", widths=[6, 10, 20, 14, 28, 8, 10, 40, 30, 18]) as w:
        for n, a in enumerate(rows, start=1):
            p = a.worker.person
            w.row(
                [
                    n,
                    p.name,
                    p.id_masked,
                    p.mobile_masked,
                    a.org.name,
                    WORKER_GRADE_LABEL.get(a.worker.grade, ""),
                    a.get_grade_display() if a.grade else "未评定",
                    a.comment,
                    a.reason,
                    timezone.localtime(a.graded_at).strftime("%Y-%m-%d %H:%M") if a.graded_at else "",
                ]
            )
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="governance.assessment_export",
            obj=round,
            org_path=round.org.path,
            detail={"year": round.year, "count": w.n - 1},
        )
    return w
