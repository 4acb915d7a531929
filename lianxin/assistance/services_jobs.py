"""Every write of 就业帮扶 (job help).

Rules and where the database holds them (models.py):

* one application per person per post: the unique ``job_one_application_per_post``;
* outcomes move along :data:`TRANSITIONS` only (已报名 → 推荐 → 面试 → 录用/未录用, 未录用 from any open step):
  each change is a conditional UPDATE from the state the page showed, so two staff recording at once cannot
  both move it;
* hires never exceed the post's openings: each 录用 raises the post's ``hired`` by a conditional UPDATE
  (``hired < openings``) under the CHECK ``job_hired_within_openings``; a refused hire rolls its outcome back.

Lock order: application row, then the post row (by its conditional UPDATE), for every writer.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.core import audit
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import require, scoped
from lianxin.orgs.models import Enterprise

from .models import JobApplication, JobOutcome, JobPost, JobPostStatus, JobSeeker
from .services import _int

TRANSITIONS: dict[str, tuple[str, ...]] = {
    JobOutcome.APPLIED: (JobOutcome.RECOMMENDED, JobOutcome.REJECTED),
    JobOutcome.RECOMMENDED: (JobOutcome.INTERVIEW, JobOutcome.REJECTED),
    JobOutcome.INTERVIEW: (JobOutcome.HIRED, JobOutcome.REJECTED),
    JobOutcome.HIRED: (),
    JobOutcome.REJECTED: (),
}


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def _text(value, *, label: str, field: str, lo: int, hi: int) -> str:
    text = (value or "").strip()
    if not lo <= len(text) <= hi:
        raise ServiceError(f"请填写{label}（{lo} 至 {hi} 个字）", field=field)
    return text


def find_employer(*, actor, employer: str) -> Enterprise:
    """The employer named by its 统一社会信用代码 or full name, in the enterprise register and the actor's scope."""
    key = (employer or "").strip()
    if not key:
        raise ServiceError("请填写用人单位的统一社会信用代码或全称", field="employer")
    qs = scoped(Enterprise.objects.all(), actor)
    found = list(qs.filter(credit_code=key.upper())[:1]) or list(qs.filter(name=key)[:2])
    if len(found) != 1:
        raise ServiceError(f"企业名录中没有找到“{key[:30]}”，或该企业不在您的管理范围内；请先在企业名录中登记",
                           field="employer")
    return found[0]


@transaction.atomic
def create_post(*, actor, union, employer, title: str, trade: str, openings, salary_min, salary_max,
                requirements: str, contact: str, valid_until) -> JobPost:
    """招聘岗位 posted by a union in the actor's change scope, for an employer in the enterprise register."""
    require(actor, "change", union.path, "只能以本组织及下级工会的名义发布岗位")
    ent = employer if isinstance(employer, Enterprise) else find_employer(actor=actor, employer=employer)
    title = _text(title, label="岗位名称", field="title", lo=2, hi=60)
    trade = _text(trade, label="工种", field="trade", lo=1, hi=30)
    n = _int(openings, label="招聘人数", field="openings", lo=1, hi=1000)
    lo = _int(salary_min, label="月薪下限", field="salary_min", lo=0, hi=1000000)
    hi = _int(salary_max, label="月薪上限", field="salary_max", lo=0, hi=1000000)
    if hi < lo:
        raise ServiceError("月薪上限不能低于下限", field="salary_max")
    requirements = _text(requirements, label="岗位要求", field="requirements", lo=2, hi=1000)
    contact = _text(contact, label="联系方式", field="contact", lo=2, hi=100)
    today = timezone.localdate()
    if valid_until is None or valid_until < today:
        raise ServiceError("有效期不能早于今天", field="valid_until")
    if (valid_until - today).days > 366:
        raise ServiceError("有效期最长一年", field="valid_until")
    post = JobPost.objects.create(union=union, employer=ent, title=title, trade=trade, openings=n, salary_min=lo,
                                  salary_max=hi, requirements=requirements, contact=contact,
                                  valid_until=valid_until, created_by=_uid(actor))
    audit.record(actor=actor, action="assistance.job_post", obj=post, org_path=union.path,
                 detail={"title": f"{ent.name} {title}", "places": n})
    return post


@transaction.atomic
def close_post(*, actor, post: JobPost) -> JobPost:
    p = JobPost.objects.select_for_update(of=("self",)).select_related("union").get(pk=post.pk)
    require(actor, "change", p.union.path, "只有发布岗位的工会可以结束招聘")
    if p.status != JobPostStatus.OPEN:
        raise ServiceError("该岗位已结束招聘")
    p.status = JobPostStatus.CLOSED
    p.save(update_fields=["status"])
    audit.record(actor=actor, action="assistance.job_close", obj=p, org_path=p.union.path,
                 detail={"title": p.title, "count": p.hired})
    return p


def _live_union(person):
    from lianxin.members.selectors import current_membership

    m = current_membership(person)
    if m is None or m.status != "member":
        raise ServiceError("就业帮扶面向在册会员，请先加入工会", code="not_eligible")
    return m.union


@transaction.atomic
def apply(*, actor, post: JobPost) -> JobApplication:
    """A member applies for an open post, once (the unique constraint decides a double tap)."""
    person = getattr(actor, "person", None)
    if person is None:
        raise ServiceError("请先完成会员信息关联")
    p = JobPost.objects.get(pk=post.pk)
    if p.status != JobPostStatus.OPEN or p.valid_until < timezone.localdate():
        raise ServiceError("该岗位已停止招聘", code="closed")
    if p.hired >= p.openings:
        raise ServiceError("该岗位已招满", code="full")
    union = _live_union(person)
    try:
        with transaction.atomic():
            a = JobApplication.objects.create(post=p, person=person, union=union)
    except IntegrityError:
        raise ServiceError("您已报名该岗位，请等待工会联系", code="duplicate") from None
    audit.record(actor=actor, action="assistance.job_apply", obj=a, org_path=p.union.path,
                 detail={"title": p.title, "person": person.pk})
    return a


@transaction.atomic
def record_outcome(*, actor, application: JobApplication, status: str, note: str = "") -> JobApplication:
    """推荐/面试/录用/未录用, by the posting union's staff, along :data:`TRANSITIONS`. A 录用 takes one of the post's
    openings by the post's conditional UPDATE; when none is left the outcome is refused and nothing changes."""
    a = (JobApplication.objects.select_for_update(of=("self",)).select_related("post__union", "person")
         .get(pk=application.pk))
    require(actor, "change", a.post.union.path, "只有发布岗位的工会可以登记招聘结果")
    if status not in JobOutcome.values:
        raise ServiceError("请选择招聘结果", field="status")
    if status not in TRANSITIONS[a.status]:
        allowed = "、".join(JobOutcome(s).label for s in TRANSITIONS[a.status]) or "无"
        raise ServiceError(f"{a.person.name}目前为“{a.get_status_display()}”，只能登记为：{allowed}",
                           field="status", code="transition")
    note = (note or "").strip()[:200]
    if status == JobOutcome.REJECTED and len(note) < 2:
        raise ServiceError("未录用时请填写原因", field="note")
    before = a.status
    if not JobApplication.objects.filter(pk=a.pk, status=before).update(status=status, note=note,
                                                                        updated_at=timezone.now()):
        raise ServiceError("该报名已被他人处理，请刷新后再试", code="stale")
    if status == JobOutcome.HIRED and not JobPost.objects.filter(pk=a.post_id, hired__lt=F("openings")).update(
            hired=F("hired") + 1):
        raise ServiceError(f"{a.post.title}的 {a.post.openings} 个招聘名额已录满", field="status", code="full")
    audit.record(actor=actor, action="assistance.job_outcome", obj=a, org_path=a.post.union.path,
                 detail={"title": a.post.title, "person": a.person_id, "before": JobOutcome(before).label,
                         "after": JobOutcome(status).label})
    a.refresh_from_db()
    _tell(a)
    return a


def _tell(a: JobApplication) -> None:
    from lianxin.accounts.models import User
    from lianxin.core import notify

    user = User.objects.filter(person=a.person_id, is_active=True).values_list("pk", flat=True).first()
    if user is None:
        return
    body = f"您报名的{a.post.employer.name}“{a.post.title}”岗位进展：{a.get_status_display()}。"
    if a.status == JobOutcome.REJECTED and a.note:
        body += f"说明：{a.note}"
    notify.enqueue(channel="inapp", user=User(pk=user), template="assistance_job", title="就业帮扶", body=body,
                   dedupe_key=f"job:{a.pk}:{a.status}", context={"post": a.post_id})


@transaction.atomic
def register_seeker(*, actor, wanted_job: str, trade: str, skills: str = "", active: bool = True) -> JobSeeker:
    """求职登记 by the member: one per person, updated in place (the one-to-one key on the person)."""
    person = getattr(actor, "person", None)
    if person is None:
        raise ServiceError("请先完成会员信息关联")
    union = _live_union(person)
    values = {"union": union, "wanted_job": _text(wanted_job, label="意向岗位", field="wanted_job", lo=2, hi=60),
              "trade": _text(trade, label="工种", field="trade", lo=1, hi=30),
              "skills": (skills or "").strip()[:300], "active": bool(active)}
    seeker, created = JobSeeker.objects.select_for_update().update_or_create(person=person, defaults=values)
    audit.record(actor=actor, action="assistance.job_seeker", obj=seeker, org_path=union.path,
                 detail={"person": person.pk, "title": values["wanted_job"], "status": "求职中" if active else "已停止"})
    return seeker
