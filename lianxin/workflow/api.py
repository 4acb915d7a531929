"""JSON API for the applications engine (/api/v1/workflow/), for the WeChat front ends: the programmes and their
form schemas, a member's own applications (file, submit, see progress), and the reviewer's queue and decisions.

Thin over selectors (scoped: an application outside the caller's reach is a 404) and services (validated,
audited; a ServiceError is a 400 with the Chinese message naming the field). Form data leaves masked exactly
as stored: the sealed ciphertexts never appear in any schema here.
"""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from lianxin.core.api_errors import WRITE, answers
from lianxin.core.errors import ServiceError
from lianxin.core.scoping import get_scoped_or_404

from . import selectors, services
from .models import Decision, Step
from .programmes import PROGRAMMES, field_specs, get_programme

router = Router(tags=["申请审批"])


class FieldOut(Schema):
    name: str
    label: str
    widget: str
    required: bool
    sensitive: bool
    help: str
    choices: list[list[str]]


class AttachmentSlotOut(Schema):
    """An attachment a programme asks for. Not "SlotOut": OpenAPI components are keyed by class name, and
    venues' booking SlotOut would overwrite this one in the schema (found by the API fuzzer)."""

    code: str
    label: str
    required: bool


class ProgrammeOut(Schema):
    code: str
    name: str
    summary: str
    applicant_kind: str
    fields: list[FieldOut]
    attachments: list[AttachmentSlotOut]
    levels: list[str]


class StepOut(Schema):
    id: int
    level: str
    org: str
    decision: str | None
    comment: str
    returned_fields: list[str]
    due_at: dt.datetime
    decided_at: dt.datetime | None


class ApplicationOut(Schema):
    id: int
    number: str
    programme: str
    title: str
    state: str
    state_label: str
    org: str
    target_org: str | None
    form: dict
    returned_fields: list[str]
    trips: int
    result: dict
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    steps: list[StepOut]


class ApplyIn(Schema):
    programme: str
    data: dict
    submit: bool = False


class DecideIn(Schema):
    decision: str
    comment: str = ""
    fields: list[str] = []
    in_person: bool = False
    approval: dict | None = None


class QueueItem(Schema):
    step_id: int
    application_id: int
    number: str
    programme: str
    title: str
    level: str
    org: str
    due_at: dt.datetime
    escalated_to: str | None


def _programme_out(p) -> dict:
    return {"code": p.code, "name": p.name, "summary": p.summary, "applicant_kind": p.applicant_kind,
            "fields": [{**s, "choices": [list(c) for c in s["choices"]]} for s in field_specs(p.form)],
            "attachments": [{"code": a.code, "label": a.label, "required": a.required} for a in p.attachments],
            "levels": [lv.label for lv in p.levels]}


def _app_out(app) -> dict:
    return {"id": app.pk, "number": app.number, "programme": app.programme, "title": app.title, "state": app.state,
            "state_label": app.get_state_display(), "org": app.org.name,
            "target_org": app.target_org.name if app.target_org_id else None, "form": app.form,
            "returned_fields": app.returned_fields, "trips": app.trips, "result": app.result,
            "submitted_at": app.submitted_at, "decided_at": app.decided_at,
            "steps": [{"id": s.pk, "level": s.level, "org": s.org.name, "decision": s.decision, "comment": s.comment,
                       "returned_fields": s.returned_fields, "due_at": s.due_at, "decided_at": s.decided_at}
                      for s in selectors.steps_of(app)]}


@router.get("/programmes", response=answers(list[ProgrammeOut]), auth=None)
def programmes(request):
    return [_programme_out(p) for p in PROGRAMMES.values()]


@router.get("/programmes/{code}", response=answers(ProgrammeOut, 404), auth=None)
def programme(request, code: str):
    # an unknown code is a resource that does not exist: 404, like every other id of the API (it was a 400
    # "field: programme" — a form error — until the declared statuses were reviewed)
    if code not in PROGRAMMES:
        return Status(404, {"detail": "没有这个办事事项", "code": "not_found"})
    return _programme_out(get_programme(code))


@router.get("/mine", response=answers(list[ApplicationOut]))
def mine(request):
    return [_app_out(a) for a in selectors.my_applications(user=request.user).order_by("-id")[:100]]


@router.post("/mine", response=answers(ApplicationOut, *WRITE, 422, status=201))
def apply(request, payload: ApplyIn):
    app = services.create_application(actor=request.user, programme=payload.programme, data=payload.data,
                                      submit=payload.submit)
    return Status(201, _app_out(app))


@router.get("/mine/{pk}", response=answers(ApplicationOut, 404, 422))
def mine_detail(request, pk: int):
    return _app_out(selectors.my_application(user=request.user, pk=pk))


class UpdateIn(Schema):
    data: dict


@router.patch("/mine/{pk}", response=answers(ApplicationOut, *WRITE, 404, 422))
def mine_update(request, pk: int, payload: UpdateIn):
    app = services.update_application(actor=request.user, app=selectors.my_application(user=request.user, pk=pk),
                                      data=payload.data)
    return _app_out(app)


@router.post("/mine/{pk}/submit", response=answers(ApplicationOut, *WRITE, 404, 422))
def mine_submit(request, pk: int):
    app = services.submit_application(actor=request.user, app=selectors.my_application(user=request.user, pk=pk))
    return _app_out(app)


@router.post("/mine/{pk}/withdraw", response=answers(ApplicationOut, *WRITE, 404, 422))
def mine_withdraw(request, pk: int):
    app = services.withdraw_application(actor=request.user,
                                        app=selectors.my_application(user=request.user, pk=pk))
    return _app_out(app)


@router.get("/queue", response=answers(list[QueueItem], 400, 422))
def queue(request, programme: str = "", scope: str = "mine", overdue: bool = False):
    if programme:
        # an unknown code is refused before it reaches the database (a NUL in it was a 500 on PostgreSQL,
        # found by the API fuzzer)
        get_programme(programme)
    qs = selectors.queue(actor=request.user, programme=programme, scope="all" if scope == "all" else "mine",
                         overdue=overdue)[:200]
    return [{"step_id": s.pk, "application_id": s.application_id, "number": s.application.number,
             "programme": s.application.programme, "title": s.application.title, "level": s.level,
             "org": s.org.name, "due_at": s.due_at,
             "escalated_to": s.escalated_to.name if s.escalated_to_id else None} for s in qs]


@router.get("/applications/{pk}", response=answers(ApplicationOut, 404, 422))
def application(request, pk: int):
    return _app_out(selectors.application_detail(actor=request.user, pk=pk))


@router.post("/steps/{step_id}/decide", response=answers(StepOut, *WRITE, 404, 422))
def decide(request, step_id: int, payload: DecideIn):
    # a step outside the caller's subtree is a 404, like every other object (its existence does not leak)
    get_scoped_or_404(Step.objects.all(), request.user, step_id, "view")
    if payload.decision not in Decision.values:
        raise ServiceError("请选择审核结论", field="decision")
    s = services.decide(actor=request.user, step_id=step_id, decision=payload.decision, comment=payload.comment,
                        fields=payload.fields, in_person=payload.in_person, approval=payload.approval)
    return {"id": s.pk, "level": s.level, "org": s.org.name, "decision": s.decision, "comment": s.comment,
            "returned_fields": s.returned_fields, "due_at": s.due_at, "decided_at": s.decided_at}
