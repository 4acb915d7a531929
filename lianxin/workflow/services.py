"""Every write of the applications engine: filing, editing, attachments, submitting, deciding, withdrawing,
the daily deadline sweep and certificate issue. Each function runs in one transaction and audits what it did.

Decisions are the contested write: two reviewers may press "通过" on the same step at the same moment. The step
row is locked (``select_for_update``) and the decision is a conditional ``UPDATE … WHERE decision IS NULL``,
so exactly one of them wins and the other is told the step is already decided (test_double_decision.py).

When the last level approves, the programme's ``on_approve`` runs in the same transaction with an
:class:`EngineActor` — the engine acting on the reviewer's authorised decision. A reviewer role may decide but
not edit records (scoping.ACTIONS), yet an approved application must create the person and membership; the
engine actor carries that authority, and its audit label names the reviewer it acted for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from lianxin.core import audit, crypto, notify
from lianxin.core.counters import next_value
from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.idnumbers import mask_id, mask_mobile
from lianxin.core.scoping import Scope, can, require
from lianxin.orgs.models import Organization, OrgKind

from .models import (
    OPEN_STATES,
    PENDING_STATES,
    Application,
    Attachment,
    Certificate,
    CertStatus,
    Decision,
    State,
    Step,
)
from .programmes import Programme, Route, ancestors, field_specs, get_programme, validate_form
from .selectors import REVIEW_ROLES, STEP_MESSAGE_PREFIXES, my_open_application, staff_inbox, step_reviewers

log = logging.getLogger("lianxin.workflow")

ALLOWED_TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
MAX_ATTACHMENT_BYTES = getattr(settings, "LIANXIN_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024)


class EngineActor:
    """The engine carrying out an approved decision (see module docstring). Superuser for scope purposes, never
    a database user; audit entries show ``审批流程/<reviewer>``."""

    pk = None
    is_superuser = True
    is_authenticated = True
    is_active = True

    def __init__(self, on_behalf=None):
        self.on_behalf = on_behalf  # the reviewer whose approval this carries out (a ledger names them)
        self.username = f"审批流程/{getattr(on_behalf, 'username', '') or '系统'}"
        self._lianxin_scope = Scope(True, ())

    def __str__(self):
        return self.username


# ---------------------------------------------------------------------------------------------------------------
# Helpers


def _seal_ctx(name: str) -> str:
    return f"workflow.form.{name}"


def _mask(name: str, value: str) -> str:
    return mask_mobile(value) if "mobile" in name else mask_id(value)


def unseal(app: Application) -> dict[str, str]:
    """Plain values of the sealed (personal) fields. Only the engine calls this, to carry out an approval."""
    return {k: crypto.decrypt(v, context=_seal_ctx(k)) for k, v in (app.sealed or {}).items()}


def rotate_sealed_keys(*, batch: int = 500) -> int:
    """Re-seal the personal fields kept in applications (``Application.sealed``) under the active field key
    (``manage.py rotate_field_keys``); walks applications by id, a batch per transaction, rows locked. Returns
    how many applications were rewritten."""
    active, last, done = crypto.active_key_id(), 0, 0
    while True:
        with transaction.atomic():
            apps = list(Application.objects.select_for_update().exclude(sealed={}).filter(pk__gt=last)
                        .order_by("pk")[:batch])
            if not apps:
                return done
            last = apps[-1].pk
            stale = [a for a in apps if any(crypto.key_id(v) != active for v in a.sealed.values())]
            for a in stale:
                a.sealed = {k: crypto.reencrypt(v, context=_seal_ctx(k)) or v for k, v in a.sealed.items()}
            Application.objects.bulk_update(stale, ["sealed"])
            done += len(stale)


def _prepare(prog: Programme, raw: dict, app: Application | None) -> tuple[object, dict, dict]:
    """Validate raw input against the programme's form. Sensitive fields left blank on an edit keep their sealed
    value; the result is (pydantic form, plain data to store with sensitive values masked, sealed ciphers)."""
    specs = field_specs(prog.form)
    raw = {s["name"]: raw.get(s["name"]) for s in specs}
    old_plain = unseal(app) if app is not None else {}
    for s in specs:
        if s["sensitive"] and not (raw.get(s["name"]) or "").strip() and s["name"] in old_plain:
            raw[s["name"]] = old_plain[s["name"]]
    data = validate_form(prog.form, raw)
    dumped = data.model_dump(mode="json")
    sealed = {}
    for s in specs:
        if s["sensitive"] and dumped.get(s["name"]):
            value = dumped[s["name"]]
            sealed[s["name"]] = crypto.encrypt(value, context=_seal_ctx(s["name"]))
            dumped[s["name"]] = _mask(s["name"], value)
    return data, dumped, sealed


@dataclass(frozen=True)
class ForMember:
    """The applicant of a member's request that union staff enter at the counter (最多跑一次: the worker brings
    the papers once, or cannot use a phone): programmes read ``.person`` as from a member's own account."""

    person: object
    is_authenticated: bool = True


def _counter_applicant(prog: Programme, actor, for_person):
    """Who a programme's route sees as the applicant: the member named by staff for member programmes filed on
    their behalf, else the signed-in user."""
    if for_person is None:
        return actor
    if prog.applicant_kind not in ("member", "person"):
        raise ServiceError("该事项不需要选择会员", field="member")
    from lianxin.members.selectors import live_member_for

    live_member_for(actor, for_person, field="member")
    return ForMember(for_person)


def _applicant_of(prog: Programme, app: Application, actor):
    """The applicant a re-route sees: the account that applied, or — for a member's request entered at the counter
    — the member it names, else the staff member acting now."""
    if app.applicant_id:
        return app.applicant
    if prog.applicant_kind in ("member", "person") and app.person_id:
        return ForMember(app.person)
    return actor


def _check_applicant(prog: Programme, actor, *, on_behalf: bool) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录")
    if prog.applicant_kind == "member" and not on_behalf:
        from lianxin.members.selectors import current_membership

        person = getattr(actor, "person", None)
        m = current_membership(person) if person else None
        if m is None or m.status != "member":
            raise ServiceError(f"“{prog.name}”仅限在册会员申请；尚未入会的请先申请入会", code="not_member")
    if prog.applicant_kind == "person" and not on_behalf and getattr(actor, "person", None) is None:
        raise ServiceError(f"“{prog.name}”需要账号已关联会员信息；尚未入会的请先申请入会", code="not_member")
    if prog.applicant_kind == "union":
        from lianxin.core.scoping import scope_for

        if not scope_for(actor).paths("change"):
            raise PermissionDenied(f"“{prog.name}”由工会管理员代表本工会申请")


def _new_number() -> str:
    return f"SQ{timezone.localdate():%Y}{next_value('workflow_application'):07d}"


def _path_orgs(prog: Programme, app: Application) -> list[tuple[int, str, Organization, int]]:
    """The approval path for this application: (seq, level label, organisation, days). Levels resolving to
    nothing are skipped and consecutive duplicates merged, so the seq numbers stay those of the programme."""
    out: list[tuple[int, str, Organization, int]] = []
    chain = None
    for seq, lv in enumerate(prog.levels):
        if lv.resolve == "org":
            org = app.org
        elif lv.resolve == "target":
            org = app.target_org
        else:
            chain = chain if chain is not None else ancestors(app.org)
            kinds = {"street": OrgKind.STREET, "federation": OrgKind.FEDERATION}
            found = [o for o in chain if o.kind == kinds[lv.resolve]]
            org = found[-1] if found else None
        if org is None or (out and out[-1][2].pk == org.pk):
            continue
        out.append((seq, lv.label, org, lv.days))
    if not out:
        raise ServiceError("该事项找不到审核组织，请联系上级工会")
    return out


def _open_step(app: Application, seq: int, label: str, org: Organization, days: int, *,
               how: str = "submitted") -> Step:
    """Open the next review and tell its reviewers, in the caller's transaction: a step and its messages
    commit together or not at all. The one-open-step constraint turns a double submit (two tabs, a double
    tap) into a clear message instead of a fork in the path (and so no second round of messages)."""
    try:
        with transaction.atomic():
            step = Step.objects.create(application=app, seq=seq, level=label, org=org,
                                       assigned_to=_nearest_staffed(org),
                                       due_at=timezone.now() + dt.timedelta(days=days))
    except IntegrityError:
        raise ServiceError("该申请已在审核中，请勿重复提交", code="already_submitted") from None
    notify_step_reviewers(step, how=how)
    return step


# Long digit runs that could be an identity number (18 with a check character, or the old 15) are masked in any
# text that goes into a message, whatever field it came from: message bodies are stored in plain text.
_ID_LIKE = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")


def _scrub(text: str) -> str:
    return _ID_LIKE.sub(lambda m: mask_id(m.group()), text)


def applicant_label(app: Application) -> str:
    """Who is asking, by name only (never an ID number or phone): the union for a union's programme, else the
    person on record, else the name on the form (a worker joining has no record yet), else the account."""
    prog = get_programme(app.programme)
    if prog.applicant_kind == "union":
        name = app.org.name
    elif app.person_id:
        name = app.person.name
    elif isinstance(app.form.get("name"), str) and app.form["name"].strip():
        name = app.form["name"]
    elif app.applicant_id:
        name = str(app.applicant)
    else:
        name = "（未填写）"
    return _scrub(name.strip())[:50]


_HOW = {"submitted": "已提交至", "resubmitted": "已补正后重新提交至", "forwarded": "已通过上一环节，转"}


def notify_step_reviewers(step: Step, *, how: str = "submitted") -> int:
    """One in-app message to every reviewer who now finds ``step`` under 待我审核 (the queue's own rule,
    :func:`selectors.step_reviewers`): "an application has arrived at your level". Keyed on (step, reviewer)
    in the outbox, so calling this again — a retried request, a double call — writes nothing new, while a
    resubmission (a new step) is announced again. Returns the number of reviewers addressed."""
    app = step.application
    prog = get_programme(app.programme)
    url = reverse("workflow-detail", args=[app.pk])
    due = timezone.localtime(step.due_at)
    who = applicant_label(app)
    handled = (f"，由{step.assigned_to.name}代办" if step.assigned_to_id and step.assigned_to_id != step.org_id
               else "")
    title = _scrub(f"待审核：{prog.name}（{who}）")
    body = _scrub(f"{prog.name}申请 {app.number}，申请人：{who}，{_HOW.get(how, _HOW['submitted'])}"
                  f"{step.org.name}（{step.level}{handled}），请于 {due:%Y-%m-%d} 前审核。查看：{url}")
    reviewers = step_reviewers(step)
    for u in reviewers:
        notify.enqueue(channel="inapp", user=u, template="workflow_new", title=title, body=body,
                       dedupe_key=f"wf-new:{step.pk}:{u.pk}",
                       context={"application": app.pk, "step": step.pk, "url": url, "how": how})
    remind_outside_console(step, reviewers, kind="new", key=f"wf-new:{step.pk}")
    return len(reviewers)


# ---------------------------------------------------------------------------------------------------------------
# Reviewers' reminders outside the console (SMS, WeChat)
#
# Reviewers who chose 站内消息+短信 (or +微信) on 我的账号 get, besides the in-app message, a short reminder
# "您有3件新的申请待审核（申请入会2件、会员转会1件）…". The rules (throttle, quiet hours, the number) are
# accounts'; here is what to say and which steps still count. See README, "Reminders outside the console".

REMINDER_TEMPLATE = "workflow_reminder"


def remind_outside_console(step: Step, reviewers, *, kind: str, key: str, flush: bool = True) -> list[int]:
    """Record, in the caller's transaction, that the reviewers among ``reviewers`` who opted in are to be told
    about ``step`` (``kind`` "new" or "overdue"; once per ``key`` and reviewer), then send each of them their
    reminder now if the throttle and quiet hours allow, else at the first moment they do. Only the programme's
    name goes with it (PIPL). ``flush=False`` records only (the daily sweep sends once per reviewer at the end).
    Returns the ids of the reviewers who opted in."""
    from lianxin.accounts import services as accounts

    prog = get_programme(step.application.programme)
    opted = accounts.add_staff_alerts(user_ids=[u.pk for u in reviewers], key=key, kind=kind, label=prog.name,
                                      ref=step.pk)
    if flush:
        for uid in opted:
            send_reviewer_reminder(user_id=uid)
    return opted


def _reminder_still_open(alerts) -> set[int]:
    """The alerts whose step still waits for this reviewer: undecided (a withdrawal deletes the step) and the
    reviewer still among :func:`selectors.step_reviewers` (the queue's own rule; a grant withdrawn since, or
    the step moved off their desk, is not worth an SMS). Not ``queue()`` itself: that also asks the
    application's state, which the transaction opening a step sets only after the step (and this check)."""
    uid = alerts[0].user_id
    steps = Step.objects.select_related("org").filter(pk__in={a.ref for a in alerts}, decision__isnull=True)
    waiting = {s.pk for s in steps if any(u.pk == uid for u in step_reviewers(s))}
    return {a.pk for a in alerts if a.ref in waiting}


def compose_reminder(alerts) -> tuple[str, str]:
    """The reminder's title and text: counts of distinct steps (a step both new and overdue counts once, as
    overdue) and programme names. No applicant, number or link to a person: a count and programme names only."""
    from collections import Counter

    label = {a.ref: a.label for a in alerts}
    overdue = {a.ref for a in alerts if a.kind == "overdue"}
    new = {a.ref for a in alerts} - overdue
    parts = []
    if new:
        parts.append(f"{len(new)}件新的申请待审核")
    if overdue:
        parts.append(f"{len(overdue)}件申请已超过办理时限")
    by_programme = Counter(label[r] for r in new | overdue)
    detail = "、".join(f"{name}{n}件" for name, n in sorted(by_programme.items(), key=lambda kv: (-kv[1], kv[0])))
    title = "有新的申请待您审核" if new else "有申请超期未审"
    return title, f"【连心】您有{'，'.join(parts)}（{detail}），请登录工会工作台“待我审核”处理。"


def send_reviewer_reminder(*, user_id: int, now: dt.datetime | None = None):
    """Send the reviewer's waiting reminders as one message if allowed now, else make sure it goes when it is
    (a deferred task where the task backend can defer; the sweep otherwise). Returns the outbox row or None."""
    from lianxin.accounts import services as accounts

    n, due = accounts.send_staff_alerts(user_id=user_id, still_open=_reminder_still_open,
                                        compose=compose_reminder, template=REMINDER_TEMPLATE, now=now)
    if due is not None:
        _run_reminder_at(user_id, due)
    return n


def _run_reminder_at(user_id: int, due: dt.datetime) -> None:
    """Ask the task worker to send the summarising reminder at ``due`` (after this transaction commits). Backends
    that cannot defer (the immediate one in tests and development) are left to the sweep
    (:func:`send_due_reviewer_reminders`, run by the ``reviewer_reminders_due`` task and ``workflow_daily``)."""
    from .tasks import send_reviewer_reminder_task

    if not send_reviewer_reminder_task.get_backend().supports_defer:
        return
    transaction.on_commit(lambda: send_reviewer_reminder_task.using(run_after=due).enqueue(user_id))


def send_due_reviewer_reminders(*, now: dt.datetime | None = None) -> int:
    """The sweep: send every summarising reminder whose time has come (after a throttle gap or at 07:00 after
    quiet hours). Safe to run anywhere and often: each send locks the reviewer's row and re-checks. Returns
    the number of reminders written."""
    from lianxin.accounts import services as accounts

    sent = 0
    for uid in accounts.due_staff_alert_users(now=now):
        with transaction.atomic():
            sent += send_reviewer_reminder(user_id=uid, now=now) is not None
    return sent


def _nearest_admins(org: Organization):
    """The admins of ``org``, or of its closest ancestor that has some (most small unions have no console
    accounts of their own): who is told a union's legal-person certificate is about to expire. Not a rule for
    reviewers: who is told about a step is :func:`selectors.step_reviewers`, the queue's own rule."""
    from lianxin.accounts.models import User

    for o in reversed(ancestors(org)):
        users = list(User.objects.filter(staff_roles__organization=o, staff_roles__role="admin",
                                         staff_roles__active=True, is_active=True).distinct().order_by("pk"))
        if users:
            return users
    return []


def close_step_messages(step_ids) -> int:
    """Mark read every unread message announcing one of these steps (its arrival, overdue reminders,
    escalation), whoever received it, because the step has closed: decided by one of its reviewers (the others
    have nothing left to do) or removed by a withdrawal. Called in the same transaction as the write that closes
    the steps, so an unread count never includes a step nobody can act on. Only ``read_at`` changes (the
    messages stay in each inbox, marked 已处理). The rows are found by their dedupe keys' ``<prefix>:<step>:``
    ranges — the unique key's index (on PostgreSQL also its ``varchar_pattern_ops`` twin serves LIKE 'x%'),
    never a scan of the outbox's JSON."""
    from django.db.models import Q

    from lianxin.core.models import Notification

    ranges = [Q(dedupe_key__startswith=f"{prefix}:{int(sid)}:") for sid in set(step_ids)
              for prefix in STEP_MESSAGE_PREFIXES]
    if not ranges:
        return 0
    q = ranges[0]
    for r in ranges[1:]:
        q |= r
    return Notification.objects.filter(q, read_at__isnull=True).update(read_at=timezone.now())


def _applicant_mobile(app: Application) -> str:
    """The applicant's own mobile: the programme's contact field, else the one on the person's record."""
    field = get_programme(app.programme).contact_field
    plain = unseal(app) if field else {}
    if plain.get(field):
        return plain[field]
    person = app.person or (getattr(app.applicant, "person", None) if app.applicant_id else None)
    if person is not None and person.mobile_cipher:
        from lianxin.members.services import MOBILE_CTX

        return crypto.decrypt(person.mobile_cipher, context=MOBILE_CTX)
    return ""


def _notify_applicant(app: Application, key: str, title: str, body: str) -> None:
    """In-app message to the applicant's account and an SMS to the mobile on file, through the outbox (one row
    per channel, deduplicated on the step, so a retried decision never messages twice)."""
    if app.applicant_id:
        notify.enqueue(channel="inapp", user=app.applicant, template="workflow_decision", title=title, body=body,
                       dedupe_key=f"{key}:inapp", context={"application": app.pk})
    phone = _applicant_mobile(app)
    if phone:
        notify.enqueue(channel="sms", recipient=phone, template="workflow_decision", title=title,
                       body=f"【连心】{body}", dedupe_key=f"{key}:sms", context={"application": app.pk})


# ---------------------------------------------------------------------------------------------------------------
# Filing and editing


@transaction.atomic
def create_application(*, actor, programme: str, data: dict, on_behalf: bool = False, in_person: bool = False,
                       submit: bool = False, for_person=None) -> Application:
    """File a new application (a draft, or submitted at once with ``submit``). ``on_behalf``: a union's staff
    enter it for a worker at the counter (``in_person`` counts that visit as one trip); for a member's own kind of
    request (hardship aid, legal aid …) they name the member as ``for_person``."""
    prog = get_programme(programme)
    if on_behalf and prog.applicant_kind == "member" and for_person is None:
        raise ServiceError("请先填写申请的会员（身份证号、手机号或会员证号）", field="member")
    _check_applicant(prog, actor, on_behalf=on_behalf)
    applicant = _counter_applicant(prog, actor, for_person if on_behalf else None)
    form, dumped, sealed = _prepare(prog, data, None)
    route = prog.route(actor=actor, applicant=applicant, data=form, sealed=sealed)
    if on_behalf:
        require(actor, "change", route.org.path, f"申请应由{route.org.name}受理，不在您的管理范围内")
    elif prog.one_open_per_account:
        open_app = my_open_application(user=actor, programme=prog.code)
        if open_app is not None:
            raise ServiceError(f"您已有一件“{prog.name}”申请（编号 {open_app.number}）正在办理，请在“我的申请”中查看；"
                               "一个账号只能为本人申请", code="duplicate")
    app = Application(
        number=_new_number(), programme=prog.code, applicant=None if on_behalf else actor,
        entered_by=actor if on_behalf else None, person=route.person, subject_key=route.subject_key,
        org=route.org, target_org=route.target_org, title=route.title[:200], form=dumped, sealed=sealed,
        trips=1 if (on_behalf and in_person) else 0,
    )
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError:
        raise ServiceError(f"已有一件“{prog.name}”申请正在办理，请在“我的申请”中查看，不要重复提交",
                           code="duplicate") from None
    audit.record(actor=actor, action="workflow.create", obj=app, org_path=app.org.path,
                 detail={"programme": prog.code, "number": app.number, "on_behalf": on_behalf,
                         "notes": route.notes})
    if submit:
        submit_application(actor=actor, app=app)
        app.refresh_from_db()
    return app


def _may_edit(actor, app: Application) -> None:
    mine = getattr(actor, "pk", None) is not None and actor.pk in (app.applicant_id, app.entered_by_id)
    if not mine:
        raise PermissionDenied("只有申请人（或代办的工作人员）可以修改申请")
    if not app.editable:
        raise ServiceError(f"申请{app.get_state_display()}，不能修改", code="not_editable")


@transaction.atomic
def update_application(*, actor, app: Application, data: dict) -> Application:
    """Edit a draft, or fix what a reviewer returned for correction: on a returned application only the named
    fields change and everything else keeps its value, so the applicant never starts over."""
    app = Application.objects.select_for_update().get(pk=app.pk)
    _may_edit(actor, app)
    prog = get_programme(app.programme)
    if app.state == State.RETURNED:
        named = {f for f in app.returned_fields if not f.startswith("att:")}
        plain = {**app.form, **unseal(app)}
        merged = {k: plain.get(k) for k in plain}
        for k in named:
            if k in data:
                merged[k] = data[k]
        data = {k: ("" if v is None else v) for k, v in merged.items()}
        # sealed values were restored above; re-seal them through _prepare
        form, dumped, sealed = _prepare(prog, data, None)
    else:
        form, dumped, sealed = _prepare(prog, data, app)
    route = prog.route(actor=app.applicant or actor, applicant=_applicant_of(prog, app, actor), data=form,
                       sealed=sealed)
    before = {k: app.form.get(k) for k in dumped if app.form.get(k) != dumped[k]}
    app.form, app.sealed, app.title = dumped, sealed, route.title[:200]
    app.subject_key, app.person = route.subject_key, route.person or app.person
    moved = (route.org.pk, getattr(route.target_org, "pk", None)) != (app.org_id, app.target_org_id)
    if moved:
        app.org, app.target_org = route.org, route.target_org
        app.result = {**app.result, "rerouted": True}
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError:
        raise ServiceError("已有一件同类申请正在办理", code="duplicate") from None
    audit.record(actor=actor, action="workflow.update", obj=app, org_path=app.org.path,
                 detail={"changed": sorted(before), "rerouted": moved})
    return app


@transaction.atomic
def add_attachment(*, actor, app: Application, slot: str, upload) -> Attachment:
    """Store an uploaded file if its *content* is a JPEG, PNG or PDF within the size limit. The extension and the
    browser's declared type are ignored: a renamed .exe or text file is refused."""
    app = Application.objects.select_for_update().get(pk=app.pk)
    _may_edit(actor, app)
    prog = get_programme(app.programme)
    slots = {a.code: a for a in prog.attachments}
    if slot not in slots:
        raise ServiceError("材料类型无效", field="slot")
    if app.state == State.RETURNED and f"att:{slot}" not in app.returned_fields:
        raise ServiceError(f"审核人未要求补正“{slots[slot].label}”", field=slot)
    size = getattr(upload, "size", None)
    if size is None or size == 0:
        raise ServiceError("文件为空", field=slot)
    if size > MAX_ATTACHMENT_BYTES:
        raise ServiceError(f"文件过大（{size / 1048576:.1f} MB），每个文件不超过 {MAX_ATTACHMENT_BYTES // 1048576} MB",
                           field=slot)
    upload.seek(0)
    content = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ServiceError(f"文件过大，每个文件不超过 {MAX_ATTACHMENT_BYTES // 1048576} MB", field=slot)
    kind = filetype.guess(content[:8192])
    mime = kind.mime if kind else None
    if mime not in ALLOWED_TYPES:
        raise ServiceError("只能上传 JPG、PNG 图片或 PDF 文件（按文件内容识别，改扩展名无效）", field=slot)
    if mime == "application/pdf" and b"%%EOF" not in content[-2048:]:
        raise ServiceError("PDF 文件不完整或已损坏", field=slot)
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:150]
    att = Attachment(application=app, slot=slot, original_name=name, content_type=mime, size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
    att.file.save(f"{uuid.uuid4().hex}.{ALLOWED_TYPES[mime]}", ContentFile(content), save=False)
    att.save()
    audit.record(actor=actor, action="workflow.attach", obj=app, org_path=app.org.path,
                 detail={"slot": slot, "type": mime, "size": len(content), "sha256": att.sha256})
    return att


@transaction.atomic
def remove_attachment(*, actor, attachment: Attachment) -> None:
    app = Application.objects.select_for_update().get(pk=attachment.application_id)
    _may_edit(actor, app)
    attachment.file.delete(save=False)
    attachment.delete()
    audit.record(actor=actor, action="workflow.detach", obj=app, org_path=app.org.path,
                 detail={"slot": attachment.slot})


@transaction.atomic
def submit_application(*, actor, app: Application) -> Application:
    """Send a draft to its first level, or a corrected application back to the level that returned it (the
    levels already passed stay passed, unless the correction moved it to another union)."""
    app = Application.objects.select_for_update(of=("self",)).select_related("org", "target_org").get(pk=app.pk)
    _may_edit(actor, app)
    prog = get_programme(app.programme)
    have = set(app.attachments.values_list("slot", flat=True))
    for a in prog.attachments:
        if a.required and a.code not in have:
            raise ServiceError(f"请上传“{a.label}”", field=a.code)
    if app.state == State.RETURNED:
        missing = [f for f in app.returned_fields if f.startswith("att:")
                   and not app.attachments.filter(slot=f[4:], uploaded_at__gt=_returned_at(app)).exists()]
        if missing:
            label = prog.field_labels().get(missing[0], missing[0])
            raise ServiceError(f"请重新上传{label.removeprefix('材料：')}", field=missing[0][4:])
    # re-check the route: membership, certificates and the like may have changed since the draft was saved
    form, _, _ = _prepare(prog, {**app.form, **unseal(app)}, None)
    route: Route = prog.route(actor=app.applicant or actor, applicant=_applicant_of(prog, app, actor), data=form,
                              sealed=app.sealed)
    path = _path_orgs(prog, app)
    resume = 0
    was_returned = app.state == State.RETURNED
    if was_returned and not app.result.get("rerouted"):
        last = app.steps.filter(decision=Decision.RETURNED).order_by("-id").first()
        resume = next((i for i, p in enumerate(path) if last and p[0] == last.seq), 0)
    seq, label, org, days = path[resume]
    step = _open_step(app, seq, label, org, days, how="resubmitted" if was_returned else "submitted")
    now = timezone.now()
    app.state = State.SUBMITTED if resume == 0 else State.IN_REVIEW
    app.submitted_at = app.submitted_at or now
    app.returned_fields = []
    app.result = {k: v for k, v in app.result.items() if k != "rerouted"}
    app.save()
    if route.needs_founding is not None and not route.needs_founding.needs_union_founding:
        from lianxin.orgs.services import update_enterprise

        update_enterprise(actor=EngineActor(actor), enterprise=route.needs_founding, needs_union_founding=True)
    audit.record(actor=actor, action="workflow.resubmit" if was_returned else "workflow.submit", obj=app,
                 org_path=app.org.path, detail={"to": org.name, "level": label, "step": step.pk})
    return app


def _returned_at(app: Application):
    """When the application was last returned (attachments uploaded after it count as the correction)."""
    last = app.steps.filter(decision=Decision.RETURNED).order_by("-id").first()
    return last.decided_at if last else app.created_at


@transaction.atomic
def withdraw_application(*, actor, app: Application) -> Application:
    app = Application.objects.select_for_update().get(pk=app.pk)
    if getattr(actor, "pk", None) not in (app.applicant_id, app.entered_by_id):
        raise PermissionDenied("只有申请人可以撤回申请")
    if app.state not in OPEN_STATES:
        raise ServiceError(f"申请{app.get_state_display()}，不能撤回")
    app.state, app.decided_at = State.WITHDRAWN, None
    app.save(update_fields=["state", "decided_at", "updated_at"])
    # the undecided step, if any, is closed so no reviewer acts on a withdrawn application, and its reviewers'
    # messages about it stop counting as unread
    open_ids = list(app.steps.filter(decision__isnull=True).values_list("pk", flat=True))
    app.steps.filter(pk__in=open_ids).delete()
    close_step_messages(open_ids)
    audit.record(actor=actor, action="workflow.withdraw", obj=app, org_path=app.org.path)
    return app


# ---------------------------------------------------------------------------------------------------------------
# Deciding


@transaction.atomic
def decide(*, actor, step_id: int, decision: str, comment: str = "", fields=(), in_person: bool = False,
           approval: dict | None = None) -> Step:
    """Approve, reject (with a reason) or return for correction (naming the fields) one step.

    Refused when the actor's review grants do not reach the step's organisation, when the step is already
    decided, or when the application is no longer waiting. ``in_person`` records that the reviewer asked the
    applicant to come in (an in-person visit or paper original): one more trip for the 最多跑一次 figures."""
    if decision not in Decision.values:
        raise ServiceError("请选择审核结论", field="decision")
    step = Step.objects.select_for_update(of=("self",)).select_related("org").filter(pk=step_id).first()
    if step is None:
        raise ServiceError("审核环节不存在", code="not_found")
    if not can(actor, "review", step.org.path):
        raise PermissionDenied("该申请不在您的审核范围内")
    if step.decision is not None:
        raise ServiceError(f"该环节已于 {timezone.localtime(step.decided_at):%Y-%m-%d %H:%M} 处理"
                           f"（{step.get_decision_display()}），不能重复审核", code="already_decided")
    app = Application.objects.select_for_update(of=("self",)).select_related("org", "target_org").get(pk=step.application_id)
    if app.state not in PENDING_STATES:
        raise ServiceError(f"申请{app.get_state_display()}，不能审核", code="not_pending")
    prog = get_programme(app.programme)
    comment = (comment or "").strip()[:500]
    fields = [f for f in (fields or []) if f]
    labels = prog.field_labels()
    if decision == Decision.REJECTED and len(comment) < 2:
        raise ServiceError("不予通过须填写理由", field="comment")
    if decision == Decision.RETURNED:
        if not fields:
            raise ServiceError("退回补正须指明需要补正的项目", field="fields")
        unknown = [f for f in fields if f not in labels]
        if unknown:
            raise ServiceError(f"补正项目无效：{unknown[0]}", field="fields")
        if len(comment) < 2:
            raise ServiceError("退回补正须说明需要怎样补正", field="comment")
    now = timezone.now()
    won = Step.objects.filter(pk=step.pk, decision__isnull=True).update(
        decision=decision, reviewer=actor if getattr(actor, "pk", None) else None, comment=comment,
        returned_fields=fields if decision == Decision.RETURNED else [], asked_in_person=bool(in_person),
        decided_at=now)
    if won != 1:  # only reachable without row locks (SQLite): still exactly one decision
        raise ServiceError("该环节已被其他审核人处理，不能重复审核", code="already_decided")
    step.refresh_from_db()
    close_step_messages([step.pk])  # before any next step opens: its new messages stay unread
    if in_person:
        Application.objects.filter(pk=app.pk).update(trips=F("trips") + 1)
        app.refresh_from_db(fields=["trips"])
    path = _path_orgs(prog, app)
    idx = next((i for i, p in enumerate(path) if p[0] == step.seq), len(path) - 1)
    detail = {"step": step.pk, "level": step.level, "decision": decision, "fields": fields,
              "in_person": bool(in_person)}
    if decision == Decision.APPROVED and idx + 1 < len(path):
        _open_step(app, *path[idx + 1], how="forwarded")
        app.state = State.IN_REVIEW
        title = f"您的“{prog.name}”申请已通过{step.level}"
        body = f"申请 {app.number} 已通过{step.org.name}{step.level}，转{path[idx + 1][2].name}{path[idx + 1][1]}。"
    elif decision == Decision.APPROVED:
        if prog.approval_form is not None:
            approval = validate_form(prog.approval_form, approval or {}).model_dump(mode="json")
        else:
            approval = {}
        result = prog.on_approve(engine=EngineActor(actor), app=app, data=app.form, sealed=unseal(app),
                                 approval=approval)
        app.state, app.decided_at = State.APPROVED, now
        app.result = {**app.result, **result}
        detail["result"] = result
        title = f"您的“{prog.name}”申请已办结（通过）"
        body = f"申请 {app.number} 已通过审核。" + _result_text(prog, result)
    elif decision == Decision.REJECTED:
        app.state, app.decided_at = State.REJECTED, now
        title = f"您的“{prog.name}”申请未通过"
        body = f"申请 {app.number} 未通过审核，理由：{comment}"
    else:
        app.state, app.returned_fields = State.RETURNED, fields
        names = "、".join(labels[f].removeprefix("材料：") for f in fields)
        title = f"您的“{prog.name}”申请需要补正"
        body = f"申请 {app.number} 需补正：{names}。说明：{comment}。请在“我的申请”中修改后重新提交，无需重新申请。"
    app.save()
    audit.record(actor=actor, action=f"workflow.{decision}", obj=app, org_path=step.org.path, reason=comment,
                 detail=detail)
    _notify_applicant(app, f"wf:{step.pk}:{decision}", title, body)
    return step


def _result_text(prog: Programme, result: dict) -> str:
    own = prog.result_text(result)
    if own:
        return own
    if result.get("member_no") and prog.code == "join":
        return f"您已成为{result.get('union', '')}会员，会员编号 {result['member_no']}。"
    if prog.code == "transfer":
        return f"会籍已由{result.get('from')}转入{result.get('to')}，会员编号不变（{result.get('member_no')}）。"
    if result.get("number"):
        return f"证书编号 {result['number']}，有效期至 {result['valid_until']}。"
    if result.get("cancelled"):
        return "工会法人资格已注销。"
    return ""


# ---------------------------------------------------------------------------------------------------------------
# Legal-person certificates


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


@transaction.atomic
def issue_certificate(*, actor, app: Application, data: dict, credit_code: str = "") -> Certificate | None:
    """Carry out an approved legal-person registration. 申请 issues the first certificate; 变更 and 换领
    replace the valid one (its record stays, marked 已换发); 补领 issues a new one and voids the lost one so
    its QR code no longer verifies; 注销 ends the valid one and issues none. Validity runs to the end of the
    committee's term (3–5 years, checked by the form)."""
    union = Organization.objects.select_for_update().get(pk=app.org_id)
    require(actor, "change", union.path)
    kind = data["kind"]
    current = Certificate.objects.select_for_update().filter(union=union, status=CertStatus.VALID).first()
    if kind == "apply" and current is not None:
        raise ServiceError(f"该工会已持有有效证书 {current.number}", code="has_certificate")
    if kind != "apply" and current is None:
        raise ServiceError("该工会没有有效证书，无法办理" + dict(apply="申请", change="变更", renew="换领",
                                                            replace="补领", cancel="注销")[kind])
    now = timezone.now()
    if current is not None:
        current.status = {"cancel": CertStatus.CANCELLED, "replace": CertStatus.REVOKED}.get(kind,
                                                                                          CertStatus.SUPERSEDED)
        current.ended_at = now
        current.save(update_fields=["status", "ended_at"])
    if kind == "cancel":
        audit.record(actor=actor, action="workflow.cert_cancel", obj=current, org_path=union.path,
                     detail={"number": current.number, "application": app.number})
        return None
    code = credit_code or (current.credit_code if current else "")
    if not code:
        raise ServiceError("首次登记须填写登记机关赋予的统一社会信用代码", field="credit_code")
    from .programmes import _union_uscc

    code = _union_uscc(code)
    if Certificate.objects.filter(credit_code=code, status=CertStatus.VALID).exclude(union=union).exists():
        raise ServiceError(f"统一社会信用代码 {code} 已用于其他工会", field="credit_code")
    start = timezone.localdate()
    until = dt.date.fromisoformat(data["term_end"])
    if until <= start:
        raise ServiceError("委员会任期已届满，请先换届后再申请", field="term_end")
    cert = Certificate.objects.create(
        union=union, application=app, number=f"LXGF{start:%Y}{next_value('legal_certificate'):06d}",
        credit_code=code, union_name=data["union_name"], address=data["address"], chairman=data["chairman"],
        funding=data["funding"], valid_from=start, valid_until=until, token=secrets.token_urlsafe(24),
    )
    audit.record(actor=actor, action="workflow.cert_issue", obj=cert, org_path=union.path,
                 detail={"number": cert.number, "kind": kind, "credit_code": code, "valid_until": until,
                         "replaces": current.number if current else None})
    return cert


# ---------------------------------------------------------------------------------------------------------------
# The daily sweep


def _nearest_staffed(org: Organization) -> Organization:
    """The nearest organisation at or above ``org`` that has reviewers: who handles a step (a union without
    console accounts is handled by the level above), and where an escalation lands. With nobody anywhere
    above, ``org`` itself."""
    from lianxin.accounts.models import StaffRole

    chain = list(reversed(ancestors(org)))
    staffed = set(StaffRole.objects.filter(organization__in=chain, active=True, role__in=REVIEW_ROLES)
                  .values_list("organization_id", flat=True))
    return next((o for o in chain if o.pk in staffed), org)


@transaction.atomic
def run_daily(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind reviewers of overdue steps (once a day), escalate each overdue step one level up the tree per
    missed deadline period, and remind unions 30 days before their legal-person certificate expires. Every
    write is conditional, so running it twice (two cron hosts) sends nothing twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"reminded": 0, "escalated": 0, "cert_reminders": 0}
    overdue = (Step.objects.select_related("org", "assigned_to", "escalated_to", "application")
               .filter(decision__isnull=True, application__state__in=PENDING_STATES, due_at__lt=now))
    # who reviews a step depends only on (its organisation, the one handling it, the one it was escalated to):
    # worked out once per such triple in this run, not once per overdue step
    reviewers_of: dict[tuple, list] = {}
    outside: set[int] = set()  # reviewers to send an SMS/WeChat reminder to, once each, after the loop

    def reviewers(step: Step) -> list:
        key = (step.org_id, step.assigned_to_id, step.escalated_to_id)
        if key not in reviewers_of:
            reviewers_of[key] = step_reviewers(step)
        return reviewers_of[key]

    for step in overdue:
        app = step.application
        days_late = (now - step.due_at).days
        if step.reminded_at is None or timezone.localdate(step.reminded_at) < today:
            # ``decision IS NULL`` again in the conditional UPDATE: a step decided since the SELECT above (its
            # messages just closed by decide) is not reminded about; on PostgreSQL the UPDATE waits for the
            # deciding transaction and re-checks the row.
            if Step.objects.filter(pk=step.pk, reminded_at=step.reminded_at, decision__isnull=True).update(
                    reminded_at=now):
                # the queue's own rule: exactly the people who find it under 待我审核 today (its level, the
                # union handling it, the level it was escalated to), so reminder and queue cannot disagree
                for u in reviewers(step):
                    notify.enqueue(channel="inapp", user=u, template="workflow_overdue",
                                   title=f"超期未审：{app.title}",
                                   body=f"{app.number} 在{step.org.name}（{step.level}）已超过办理时限 {days_late} 天，请尽快审核。",
                                   dedupe_key=f"wf-overdue:{step.pk}:{today}:{u.pk}",
                                   context={"application": app.pk, "step": step.pk,
                                            "url": reverse("workflow-detail", args=[app.pk])})
                outside.update(remind_outside_console(step, reviewers(step), kind="overdue",
                                                      key=f"wf-overdue:{step.pk}:{today}", flush=False))
                counts["reminded"] += 1
        prog = get_programme(app.programme)
        period = next((lv.days for lv in prog.levels if lv.label == step.level), 5)
        since = step.escalated_at or step.due_at
        current = step.escalated_to or step.assigned_to or step.org
        if current.parent_id is None or now < since + (dt.timedelta(days=period) if step.escalated_at else
                                                       dt.timedelta(0)):
            continue
        upper = _nearest_staffed(Organization.objects.get(pk=current.parent_id))
        before = {u.pk for u in reviewers(step)}
        if Step.objects.filter(pk=step.pk, escalated_at=step.escalated_at, decision__isnull=True).update(
                escalated_to=upper, escalated_at=now):
            step.escalated_to, step.escalated_at = upper, now
            audit.record(actor=None, action="workflow.escalate", obj=app, org_path=step.org.path,
                         detail={"step": step.pk, "from": current.name, "to": upper.name, "days_late": days_late})
            # the step has entered ``upper``'s queue (待我审核): tell whoever finds it there for the first time
            url = reverse("workflow-detail", args=[app.pk])
            body = _scrub(f"{prog.name}申请 {app.number}，申请人：{applicant_label(app)}，在{step.org.name}"
                          f"（{step.level}）超期 {days_late} 天未审，已上报{upper.name}督办。查看：{url}")
            for u in reviewers(step):
                if u.pk in before:
                    continue
                notify.enqueue(channel="inapp", user=u, template="workflow_escalated",
                               title=_scrub(f"超期上报：{prog.name}（{applicant_label(app)}）"), body=body,
                               dedupe_key=f"wf-esc:{step.pk}:{upper.pk}:{u.pk}",
                               context={"application": app.pk, "step": step.pk, "url": url})
            # the level it was escalated to is told by SMS too (if they opted in): an overdue step on their desk
            outside.update(remind_outside_console(step, [u for u in reviewers(step) if u.pk not in before],
                                                  kind="overdue", key=f"wf-esc:{step.pk}:{upper.pk}", flush=False))
            counts["escalated"] += 1
    horizon = today + dt.timedelta(days=30)
    for cert in Certificate.objects.select_related("union").filter(status=CertStatus.VALID,
                                                                  valid_until__lte=horizon,
                                                                  expiry_reminded_at__isnull=True):
        if not Certificate.objects.filter(pk=cert.pk, expiry_reminded_at__isnull=True).update(
                expiry_reminded_at=now):
            continue
        left = (cert.valid_until - today).days
        for u in _nearest_admins(cert.union):
            notify.enqueue(channel="inapp", user=u, template="cert_expiry", title="工会法人资格证书即将到期",
                           body=f"{cert.union_name}的法人资格证书（{cert.number}）将于 {cert.valid_until} 到期"
                                f"（还有 {left} 天），请完成换届后在线申请换领。",
                           dedupe_key=f"cert-expiry:{cert.pk}:{cert.valid_until}:{u.pk}")
        audit.record(actor=None, action="workflow.cert_expiry_reminder", obj=cert, org_path=cert.union.path,
                     detail={"number": cert.number, "valid_until": cert.valid_until})
        counts["cert_reminders"] += 1
    # one summarising SMS/WeChat reminder per opted-in reviewer (however many of their steps are overdue), and
    # any reminder left waiting by the throttle or quiet hours (the daily run is at 07:00, when they end)
    # (logged, not counted in the result: its keys are the sweep's documented figures)
    sent = sum(send_reviewer_reminder(user_id=uid, now=now) is not None for uid in sorted(outside))
    sent += send_due_reviewer_reminders(now=now)
    if sent:
        log.info("workflow_daily: %s SMS/WeChat reminders to reviewers", sent)
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Reviewers' in-app messages


def mark_messages_read(*, actor, ids=None) -> int:
    """Mark the actor's own in-app messages read (all of them, or ``ids``). Only ``read_at`` of rows belonging to
    the actor changes, conditionally, so a message already read keeps its first reading time; not audited
    (reading one's own messages is no act on anyone's data)."""
    if not getattr(actor, "pk", None):
        raise PermissionDenied("请先登录")
    qs = staff_inbox(actor=actor).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
