"""Programmes: what each kind of application is. A programme is a class in code (reviewed like code, versioned
with the schema) that names:

* who may apply (``applicant_kind``: any signed-in worker, a member, anyone whose account is linked to a person
  record, or a union's staff),
* its form as a pydantic model whose fields carry Chinese titles and whose validators raise Chinese messages
  (``json_schema_extra`` adds the widget and whether a value is personal data to be sealed),
* the attachments it needs,
* its approval path as levels of the organisation tree, each with a deadline in days,
* what routing and checks happen on submission, and what the approval does (a service call).

The engine (:mod:`lianxin.workflow.services`) knows nothing programme-specific; adding hardship files or
subsidies later means one more class here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lianxin.assistance.models import Cause, StudyLevel
from lianxin.assistance.models import Level as HardshipLevel
from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import age_on, parse_id_number, parse_mobile, parse_uscc
from lianxin.core.validation import pydantic_message
from lianxin.members.models import Education, Political
from lianxin.orgs.models import STEP, Enterprise, Organization, OrgKind
from lianxin.training.rules import EDUCATION_CAPS_FEN, GRADUATED_WITHIN_DAYS, EducationLevel

# ---------------------------------------------------------------------------------------------------------------
# Building blocks


@dataclass(frozen=True)
class AttachmentSlot:
    code: str
    label: str
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Level:
    """One level of the approval path. ``resolve`` is one of: ``org`` (where it was filed), ``target`` (the
    receiving organisation), or an organisation kind looked up among the ancestors of ``org`` (``street``,
    ``federation``). A level that resolves to nothing (a union sitting directly under the federation has no
    street) is skipped; two consecutive levels resolving to the same organisation are merged."""

    resolve: str
    label: str
    days: int


@dataclass
class Route:
    org: Organization
    target_org: Organization | None = None
    person: object | None = None
    subject_key: str = ""
    title: str = ""
    needs_founding: Enterprise | None = None  # employer without a union: flag it for founding follow-up
    notes: list[str] = field(default_factory=list)


class Form(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


def F(title: str, *, widget: str = "text", sensitive: bool = False, choices=None, help: str = "", **kw):
    """A form field with its Chinese label and rendering hints."""
    extra = {"widget": widget, "sensitive": sensitive, "help": help}
    if choices:
        extra["choices"] = list(choices)
    return Field(title=title, json_schema_extra=extra, **kw)


def field_specs(form_cls: type[Form]) -> list[dict]:
    """Field name, label and widget for the generic form template."""
    out = []
    for name, f in form_cls.model_fields.items():
        extra = f.json_schema_extra or {}
        out.append({"name": name, "label": f.title or name, "widget": extra.get("widget", "text"),
                    "sensitive": extra.get("sensitive", False), "choices": extra.get("choices") or [],
                    "help": extra.get("help", ""), "required": f.is_required()})
    return out


def validate_form(form_cls: type[Form], data: dict) -> Form:
    """Validate raw (string) input. Every field at fault gets its Chinese message (``ServiceError.errors``), so
    a person fixes the whole form in one go; the error's own message and field are the first of them."""
    clean = {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}
    try:
        return form_cls.model_validate(clean)
    except ValidationError as e:
        problems: dict[str, str] = {}
        for err in e.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            if name not in problems:
                problems[name] = _message(form_cls, name, err)
        first = next(iter(problems))
        raise ServiceError(problems[first], field=first or None,
                           errors={k: v for k, v in problems.items() if k}) from None


def _message(form_cls: type[Form], name: str, err: dict) -> str:
    """The field's label and what is wrong with it (lianxin.core.validation, the API's wording too); an empty
    required box (blank input arrives as None) says it must be filled in, whatever the field's type; our own
    validators' messages are whole sentences and stand alone."""
    f = form_cls.model_fields.get(name)
    label = (f.title if f else "") or "表单"
    if err["type"] in ("value_error", "assertion_error"):
        return pydantic_message(err)
    if err.get("input") is None and f is not None and f.is_required():
        return f"{label}不能为空"
    return f"{label}{pydantic_message(err)}"


def _zh(fn, value):
    """Run one of our validators inside a pydantic one: its ServiceError becomes the ValueError pydantic wants,
    keeping the Chinese message."""
    try:
        return fn(value)
    except ServiceError as e:
        raise ValueError(e.message) from None


def ancestors(org: Organization) -> list[Organization]:
    """``org`` and its ancestors, root first (one query over the path prefixes)."""
    prefixes = [org.path[:i] for i in range(STEP, len(org.path) + 1, STEP)]
    return list(Organization.objects.filter(path__in=prefixes).order_by("depth"))


def union_for_employer(enterprise: Enterprise | None, street: Organization | None) -> tuple[Organization, bool]:
    """The union a worker of ``enterprise`` joins: its own base union or the union covering it; failing that the
    joint union of its street (second value True: the enterprise needs a union founded)."""
    if enterprise is not None:
        own = Organization.objects.filter(enterprise=enterprise, kind=OrgKind.BASE).first()
        if own:
            return own, False
        if enterprise.covering_union_id:
            return enterprise.covering_union, False
        street = enterprise.street
    if street is None:
        raise ServiceError("请选择工作单位，或填写单位名称并选择所在街道", field="employer_id")
    joint = (Organization.objects.filter(kind=OrgKind.JOINT, path__startswith=street.path)
             .order_by("depth", "path").first())
    if joint is None:
        raise ServiceError(f"{street.name}尚未设立联合工会，请联系街道总工会", field="street_id")
    return joint, True


# ---------------------------------------------------------------------------------------------------------------
# Programmes


class Programme:
    code: str = ""
    name: str = ""
    summary: str = ""
    applicant_kind: Literal["worker", "member", "person", "union"] = "worker"
    form: type[Form] = Form
    approval_form: type[Form] | None = None  # extra fields the last level fills in when approving
    attachments: tuple[AttachmentSlot, ...] = ()
    levels: tuple[Level, ...] = ()
    # The form field holding the applicant's own mobile, where decision SMSes go. Empty: the mobile on the
    # person's record (a requested *new* number is not proven yet and must not receive messages).
    contact_field: str = "mobile"
    # a worker's own account may have only one open application of this kind, whoever it names (an account is
    # one person: a second 入会 for another ID number from the same phone is not that person's to file)
    one_open_per_account: bool = False

    def route(self, *, actor, applicant, data: Form, sealed: dict) -> Route:
        raise NotImplementedError

    def on_approve(self, *, engine, app, data: dict, sealed: dict, approval: dict) -> dict:
        """Carry out the approved request; return what to keep in ``application.result``."""
        return {}

    def result_text(self, result: dict) -> str:
        """One sentence for the applicant's "approved" message; empty: the engine's generic text."""
        return ""

    @property
    def result_templates(self) -> tuple[str, str]:
        """What an approved application's pages say of its result: ``workflow/results/<code>.html`` (any app's
        templates folder may hold it), given ``app``, ``audience`` ("applicant" or "staff") and, on the
        applicant's pages, ``surface`` ("m" or "console"); a programme without one says nothing more."""
        return (f"workflow/results/{self.code}.html", "workflow/results/none.html")

    def current_values(self, applicant) -> dict[str, str]:
        """What the record holds now, per form field, shown beside the form (placeholders) — only for
        programmes that change an existing record."""
        return {}

    def prefill(self, actor, params) -> dict[str, str]:
        """Starting values for a new form opened from another page (the link's query ``params``); each is only
        a suggestion, checked again like anything typed when the form is sent."""
        return {}

    def review_rows(self, app) -> list[dict]:
        """Rows of (field, label, current value, requested value) for the reviewer's comparison table; only
        for programmes that change an existing record."""
        return []

    def approval_initial(self, app) -> dict[str, dict]:
        """What the last level's approval form starts from, per approval field: ``{"value": ..., "help": ...}``
        (医疗互助 offers the amount its rule computes, for the reviewer to confirm or lower)."""
        return {}

    def field_labels(self) -> dict[str, str]:
        labels = {s["name"]: s["label"] for s in field_specs(self.form)}
        labels.update({f"att:{a.code}": f"材料：{a.label}" for a in self.attachments})
        return labels


class JoinForm(Form):
    name: str = F("姓名", min_length=2, max_length=50)
    id_number: str = F("身份证号", sensitive=True)
    mobile: str = F("手机号码", sensitive=True, widget="tel")
    employer_id: int | None = F("工作单位", widget="enterprise", default=None,
                                help="在已登记的单位中选择；找不到时在下面填写单位名称和所在街道")
    employer_name: str | None = F("单位名称（未登记时填写）", default=None, max_length=150)
    street_id: int | None = F("单位所在街道", widget="street", default=None)
    job: str | None = F("岗位", default=None, max_length=60)

    @field_validator("id_number")
    @classmethod
    def _id(cls, v):
        return _zh(lambda x: parse_id_number(x).number, v)

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, v):
        return _zh(parse_mobile, v)

    @model_validator(mode="after")
    def _employer(self):
        if self.employer_id is None and not (self.employer_name and self.street_id):
            raise ValueError("请选择工作单位，或填写单位名称并选择所在街道")
        return self


class Join(Programme):
    code = "join"
    name = "申请入会"
    summary = "职工申请加入工会：按工作单位转到所在基层工会；单位尚未建会的，由所在街道的联合工会受理。"
    applicant_kind = "worker"
    form = JoinForm
    attachments = (AttachmentSlot("photo", "本人照片或工牌（可选）", required=False),)
    levels = (Level("org", "工会审核", 5),)
    one_open_per_account = True
    MIN_AGE = 16  # 《劳动法》第十五条: no employer may take on anyone under 16, so no one under 16 is a worker to join

    def route(self, *, actor, applicant, data: JoinForm, sealed: dict) -> Route:
        from django.utils import timezone

        from lianxin.members.models import Person
        from lianxin.members.selectors import current_membership
        from lianxin.members.services import id_bidx

        if age_on(parse_id_number(data.id_number).birth_date, timezone.localdate()) < self.MIN_AGE:
            raise ServiceError(f"按身份证号，申请人未满{self.MIN_AGE}周岁，不能加入工会；请核对身份证号",
                               field="id_number", code="under_age")
        key = id_bidx(data.id_number)
        person = Person.objects.filter(id_bidx=key).first()
        if person is not None:
            m = current_membership(person)
            if m is not None:
                raise ServiceError(
                    f"{person.name}已是{m.union.name}的会员" + (f"（会员编号 {m.member_no}）" if m.member_no else "")
                    + "，无需重新入会；如已更换工作单位，请申请转会。", field="id_number", code="already_member")
        enterprise = Enterprise.objects.select_related("street", "covering_union").filter(
            pk=data.employer_id).first() if data.employer_id else None
        if data.employer_id and enterprise is None:
            raise ServiceError("所选工作单位不存在", field="employer_id")
        street = None
        if enterprise is None:
            street = Organization.objects.filter(pk=data.street_id, kind=OrgKind.STREET).first()
            if street is None:
                raise ServiceError("请选择单位所在街道", field="street_id")
        union, needs_founding = union_for_employer(enterprise, street)
        notes = []
        if needs_founding:
            notes.append(f"{enterprise.name if enterprise else data.employer_name}尚未建会，由{union.name}受理并列入建会跟进")
        return Route(org=union, person=person, subject_key=key, notes=notes,
                     needs_founding=enterprise if needs_founding else None,
                     title=f"{data.name} 申请入会（{enterprise.name if enterprise else data.employer_name}）")

    def on_approve(self, *, engine, app, data, sealed, approval) -> dict:
        from lianxin.accounts.models import User
        from lianxin.members import services as members
        from lianxin.members.models import Person

        id_number, mobile = sealed["id_number"], sealed["mobile"]
        enterprise = Enterprise.objects.filter(pk=data.get("employer_id")).first() if data.get("employer_id") else None
        person = Person.objects.filter(id_bidx=members.id_bidx(id_number)).first()
        if person is None:
            person = members.create_person(
                actor=engine, org=app.org, name=data["name"], id_number=id_number, mobile=mobile,
                employer=enterprise, employer_name=(enterprise.name if enterprise else data.get("employer_name") or ""),
                job=data.get("job") or "")
        m = members.admit_member(actor=engine, person=person, union=app.org, note=f"入会申请 {app.number}")
        if app.applicant_id and app.applicant.person_id is None and not User.objects.filter(person=person).exists():
            User.objects.filter(pk=app.applicant_id, person__isnull=True).update(person=person)
        app.person = person
        return {"membership": m.pk, "member_no": m.member_no, "union": app.org.name}


class TransferForm(Form):
    employer_id: int | None = F("新工作单位", widget="enterprise", default=None,
                                help="在已登记的单位中选择；找不到时填写单位名称和所在街道")
    employer_name: str | None = F("新单位名称（未登记时填写）", default=None, max_length=150)
    street_id: int | None = F("新单位所在街道", widget="street", default=None)
    reason: str = F("转会原因", widget="textarea", max_length=300)

    @model_validator(mode="after")
    def _employer(self):
        if self.employer_id is None and not (self.employer_name and self.street_id):
            raise ValueError("请选择新工作单位，或填写单位名称并选择所在街道")
        return self


class Transfer(Programme):
    code = "transfer"
    name = "会员转会"
    summary = "更换工作单位的会员把会籍转到新单位的工会：原工会同意转出，新工会同意接收，会员编号不变。"
    applicant_kind = "member"
    form = TransferForm
    attachments = (AttachmentSlot("contract", "新单位劳动合同或在职证明", required=False),)
    levels = (Level("org", "原工会转出", 5), Level("target", "新工会接收", 5))

    def route(self, *, actor, applicant, data: TransferForm, sealed: dict) -> Route:
        from lianxin.members.selectors import current_membership

        person = getattr(applicant, "person", None)
        m = current_membership(person) if person else None
        if m is None or m.status != "member":
            raise ServiceError("只有在册会员可以申请转会；尚未入会的请申请入会", code="not_member")
        enterprise = Enterprise.objects.select_related("street", "covering_union").filter(
            pk=data.employer_id).first() if data.employer_id else None
        street = None
        if enterprise is None:
            street = Organization.objects.filter(pk=data.street_id, kind=OrgKind.STREET).first()
            if data.employer_id or street is None:
                raise ServiceError("请选择新工作单位，或填写单位名称并选择所在街道", field="employer_id")
        union, _ = union_for_employer(enterprise, street)
        if union.pk == m.union_id:
            raise ServiceError(f"新单位仍由{union.name}覆盖，无需转会，请联系工会更新工作单位", field="employer_id")
        return Route(org=m.union, target_org=union, person=person, subject_key=f"p{person.pk}",
                     title=f"{person.name} 由{m.union.name}转入{union.name}")

    def on_approve(self, *, engine, app, data, sealed, approval) -> dict:
        from lianxin.members import services as members
        from lianxin.members.selectors import current_membership

        m = current_membership(app.person)
        if m is None or m.union_id != app.org_id:
            raise ServiceError("当事人的会籍已变化，无法办理转会，请退回或不予通过", code="stale")
        new = members.transfer_membership(actor=engine, membership=m, to_union=app.target_org,
                                          note=f"转会申请 {app.number}")
        enterprise = Enterprise.objects.filter(pk=data.get("employer_id")).first() if data.get("employer_id") else None
        members.update_person(actor=engine, person=app.person, employer=enterprise,
                              employer_name=enterprise.name if enterprise else (data.get("employer_name") or ""))
        return {"membership": new.pk, "member_no": new.member_no, "from": app.org.name, "to": app.target_org.name}


LEGAL_KINDS = [("apply", "申请"), ("change", "变更"), ("renew", "换领"), ("replace", "补领"), ("cancel", "注销")]
FUNDING_CHOICES = [("会员会费、行政拨缴经费", "会员会费、行政拨缴经费"), ("上级工会补助", "上级工会补助"),
                   ("会员会费、行政拨缴经费及上级补助", "会员会费、行政拨缴经费及上级补助")]


class LegalForm(Form):
    union_id: int = F("申请工会", widget="own_union")
    kind: Literal["apply", "change", "renew", "replace", "cancel"] = F("登记类型", widget="select",
                                                                       choices=LEGAL_KINDS)
    union_name: str = F("工会名称", min_length=4, max_length=100)
    address: str = F("住所", min_length=4, max_length=200)
    chairman: str = F("工会主席（法定代表人）", min_length=2, max_length=50)
    funding: str = F("经费来源", widget="select", choices=FUNDING_CHOICES)
    approval_no: str = F("上级工会批准文号", min_length=4, max_length=60, help="如：钱工〔2026〕12号")
    term_start: dt.date = F("本届委员会任期自", widget="date")
    term_end: dt.date = F("任期至", widget="date")
    reason: str | None = F("变更/补领/注销事由", widget="textarea", default=None, max_length=300)

    @model_validator(mode="after")
    def _term(self):
        years = (self.term_end - self.term_start).days / 365.25
        if not 2.95 <= years <= 5.05:
            raise ValueError("委员会任期应为3至5年（《基层工会法人资格登记办法》）")
        if self.kind in ("change", "replace", "cancel") and not self.reason:
            raise ValueError("变更、补领、注销须填写事由")
        return self


def _union_uscc(v: str) -> str:
    code = parse_uscc(v)
    if not code.startswith("81"):
        raise ServiceError("工会法人的统一社会信用代码应以“81”开头（登记管理部门代码8、机构类别1）",
                           field="credit_code")
    return code


class LegalApproval(Form):
    credit_code: str | None = F("统一社会信用代码", default=None,
                                help="首次申请时由登记机关赋码（以81开头）；变更、换领、补领沿用原代码，可留空")

    @field_validator("credit_code")
    @classmethod
    def _uscc(cls, v):
        return _zh(_union_uscc, v) if v else None


class LegalPerson(Programme):
    code = "legal"
    name = "工会法人资格登记"
    summary = ("基层工会在线申请、变更、换领、补领、注销工会法人资格证书（全总2020年《基层工会法人资格登记办法》），"
               "街道总工会初审，区总工会登记发证。")
    applicant_kind = "union"
    form = LegalForm
    approval_form = LegalApproval
    attachments = (
        AttachmentSlot("approval_doc", "上级工会批准成立（或换届）的文件"),
        AttachmentSlot("chairman_id", "工会主席身份证件"),
        AttachmentSlot("filer_id", "经办人身份证件"),
    )
    levels = (Level("street", "街道总工会初审", 7), Level("federation", "区总工会登记", 10))

    def route(self, *, actor, applicant, data: LegalForm, sealed: dict) -> Route:
        from lianxin.core.scoping import can

        from .models import Certificate, CertStatus

        union = Organization.objects.filter(pk=data.union_id).first()
        if union is None or union.kind not in (OrgKind.BASE, OrgKind.JOINT, OrgKind.INDUSTRY):
            raise ServiceError("请选择申请登记的基层工会", field="union_id")
        if not can(applicant, "change", union.path):
            raise ServiceError("只有本工会的管理员可以申请法人资格登记", field="union_id")
        valid = Certificate.objects.filter(union=union, status=CertStatus.VALID).first()
        if data.kind == "apply" and valid:
            raise ServiceError(f"本工会已持有有效证书（{valid.number}），请选择变更、换领或补领", field="kind")
        if data.kind != "apply" and not valid:
            raise ServiceError("本工会尚无有效的法人资格证书，请选择“申请”", field="kind")
        kind = dict(LEGAL_KINDS)[data.kind]
        return Route(org=union, subject_key=f"u{union.pk}", title=f"{data.union_name} 法人资格{kind}登记")

    def on_approve(self, *, engine, app, data, sealed, approval) -> dict:
        from .services import issue_certificate

        cert = issue_certificate(actor=engine, app=app, data=data, credit_code=approval.get("credit_code", ""))
        if cert is None:
            return {"cancelled": True}
        return {"certificate": cert.pk, "number": cert.number, "valid_until": cert.valid_until.isoformat()}


# --- 个人信息更正: a member's own record, changed only after their union has reviewed it --------------------

# What a member may ask to correct, exactly as the portal's request allowed before it moved here; identity
# number, birth date and gender are settled at the union's counter with the ID card.
CORRECTABLE = ("name", "mobile", "employer_name", "job", "education", "political_status", "ethnicity")


def _choice(cls, label):
    def check(v):
        if v is not None and v not in cls.values:
            raise ServiceError(f"{label}的取值无效")
        return v

    return check


class ProfileCorrectionForm(Form):
    name: str | None = F("姓名", default=None, min_length=2, max_length=50)
    mobile: str | None = F("手机号码", sensitive=True, widget="tel", default=None)
    employer_name: str | None = F("工作单位名称", default=None, max_length=150)
    job: str | None = F("岗位/职务", default=None, max_length=60)
    education: str | None = F("学历", widget="select", choices=Education.choices, default=None)
    political_status: str | None = F("政治面貌", widget="select", choices=Political.choices, default=None)
    ethnicity: str | None = F("民族", default=None, max_length=20)
    reason: str | None = F("更正说明", widget="textarea", default=None, max_length=300,
                           help="如：登记时写错、已晋升、已换手机号")

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, v):
        return _zh(parse_mobile, v) if v else None

    @field_validator("education")
    @classmethod
    def _education(cls, v):
        return _zh(_choice(Education, "学历"), v)

    @field_validator("political_status")
    @classmethod
    def _political(cls, v):
        return _zh(_choice(Political, "政治面貌"), v)

    @model_validator(mode="after")
    def _something(self):
        if all(getattr(self, k) is None for k in CORRECTABLE):
            raise ValueError("请至少填写一项需要更正的信息（不需要更正的项目留空）")
        return self


def _person_value(person, name: str) -> str:
    """The record's current value as a person reads it: masked mobile, choice labels."""
    if name == "mobile":
        return person.mobile_masked or ""
    value = getattr(person, name) or ""
    choices = {"education": Education, "political_status": Political}.get(name)
    return dict(choices.choices).get(value, value) if choices else value


class ProfileCorrection(Programme):
    code = "profile_correction"
    name = "个人信息更正"
    summary = ("会员发现登记信息有误或已变化（姓名、手机号码、工作单位、岗位、学历、政治面貌、民族），在线申请更正；"
               "所在工会审核通过后生效。身份证号、出生日期等请携带证件到所在工会办理。")
    applicant_kind = "person"
    form = ProfileCorrectionForm
    levels = (Level("org", "所在工会审核", 5),)
    contact_field = ""

    def route(self, *, actor, applicant, data: ProfileCorrectionForm, sealed: dict) -> Route:
        from lianxin.members.services import mobile_bidx

        person = getattr(applicant, "person", None)
        if person is None:
            raise ServiceError("您的账号尚未关联会员信息，无法申请更正；尚未入会的请先申请入会", code="not_member")
        labels = self.field_labels()
        asked = []
        for name in CORRECTABLE:
            value = getattr(data, name)
            if value is None:
                continue
            same = (bool(person.mobile_bidx) and mobile_bidx(value) == person.mobile_bidx) if name == "mobile" \
                else value == (getattr(person, name) or "")
            if same:
                raise ServiceError(f"{labels[name]}与现有登记相同，无需更正（不需要更正的项目请留空）", field=name)
            asked.append(labels[name])
        # Person.org is the union responsible for the record (the current union of a member): it reviews.
        return Route(org=person.org, person=person, subject_key=f"p{person.pk}",
                     title=f"{person.name} 申请更正{'、'.join(asked)}")

    def on_approve(self, *, engine, app, data, sealed, approval) -> dict:
        """Apply through members.services.update_person (audited with before/after). The new mobile comes from
        the sealed copy; ``data`` only holds its mask."""
        from lianxin.members import services as members

        if app.person is None:
            raise ServiceError("当事人的登记记录已不存在，无法更正，请不予通过", code="stale")
        changes = {k: data[k] for k in CORRECTABLE if k != "mobile" and data.get(k)}
        members.update_person(actor=engine, person=app.person, mobile=sealed.get("mobile") or None, **changes)
        labels = self.field_labels()
        return {"corrected": [labels[k] for k in CORRECTABLE if data.get(k)]}

    def result_text(self, result: dict) -> str:
        return f"您的{'、'.join(result.get('corrected') or ['登记信息'])}已按申请更正。"

    def current_values(self, applicant) -> dict[str, str]:
        person = getattr(applicant, "person", None)
        return {k: _person_value(person, k) for k in CORRECTABLE} if person is not None else {}

    def review_rows(self, app) -> list[dict]:
        labels, specs = self.field_labels(), {s["name"]: s for s in field_specs(self.form)}
        rows = []
        for k in CORRECTABLE:
            v = app.form.get(k)
            if not v:
                continue
            asked = dict(specs[k]["choices"]).get(v, v) if specs[k]["choices"] else v
            rows.append({"name": k, "label": labels[k], "current": _person_value(app.person, k) if app.person
                         else "", "requested": asked, "sensitive": specs[k]["sensitive"]})
        return rows


# --- 困难职工帮扶: a member in hardship asks for help; paid from the hardship fund, recorded in the archive -------

def _money(label: str, *, allow_zero: bool = False):
    def check(v):
        from lianxin.assistance.services import parse_yuan, yuan

        return yuan(parse_yuan(v, label=label, allow_zero=allow_zero))

    return check


class HardshipForm(Form):
    cause: str = F("致困原因", widget="select", choices=Cause.choices)
    situation: str = F("困难情况", widget="textarea", min_length=10, max_length=1000,
                       help="家庭成员、患病或受灾经过、已获得的其他救助等")
    family_size: int = F("家庭人口", ge=1, le=30)
    monthly_income: str = F("家庭人均月收入（元）", help="没有收入填 0")
    amount: str = F("申请金额（元）")

    @field_validator("cause")
    @classmethod
    def _cause(cls, v):
        return _zh(_choice(Cause, "致困原因"), v)

    @field_validator("monthly_income")
    @classmethod
    def _income(cls, v):
        return _zh(_money("家庭人均月收入", allow_zero=True), v)

    @field_validator("amount")
    @classmethod
    def _amount(cls, v):
        return _zh(_money("申请金额"), v)


class HardshipApproval(Form):
    amount: str = F("批准金额（元）", help="从受理工会向上最近一级设立了本年度困难帮扶资金的组织列支")
    level: str = F("困难类别", widget="select", choices=HardshipLevel.choices)

    @field_validator("amount")
    @classmethod
    def _amount(cls, v):
        return _zh(_money("批准金额"), v)

    @field_validator("level")
    @classmethod
    def _level(cls, v):
        return _zh(_choice(HardshipLevel, "困难类别"), v)


class Hardship(Programme):
    code = "hardship"
    name = "困难职工帮扶"
    summary = ("在册会员因病、因灾、因学、因残等原因生活困难的，在线申请帮扶救助：所在工会初审、街道总工会审核、"
               "区总工会审批，批准的救助金从帮扶资金中列支，并建立困难职工档案。材料齐全的不必到场。")
    applicant_kind = "member"
    form = HardshipForm
    approval_form = HardshipApproval
    attachments = (
        AttachmentSlot("proof", "困难情况证明", help="病历、受灾证明、低保证、残疾证等，拍照上传即可"),
        AttachmentSlot("income", "家庭收入证明", required=False),
    )
    levels = (Level("org", "所在工会初审", 5), Level("street", "街道总工会审核", 5), Level("federation", "区总工会审批", 7))
    contact_field = ""

    def route(self, *, actor, applicant, data: HardshipForm, sealed: dict) -> Route:
        from lianxin.members.selectors import current_membership

        person = getattr(applicant, "person", None)
        m = current_membership(person) if person else None
        if m is None or m.status != "member":
            raise ServiceError("困难帮扶面向在册会员；尚未入会的请先申请入会", code="not_member")
        return Route(org=m.union, person=person, subject_key=f"p{person.pk}",
                     title=f"{person.name} 申请困难帮扶（{data.amount} 元）")

    def on_approve(self, *, engine, app, data, sealed, approval) -> dict:
        from lianxin.assistance.services import parse_yuan, pay_hardship

        if app.person is None:
            raise ServiceError("当事人的登记记录已不存在，无法发放，请不予通过", code="stale")
        entry, file = pay_hardship(actor=engine, app=app, person=app.person, amount_fen=parse_yuan(approval["amount"]),
                                   form=data, level=approval["level"])
        return {"amount": approval["amount"], "fund": entry.fund.name, "entry": entry.pk, "file": file.pk}

    def result_text(self, result: dict) -> str:
        return f"批准帮扶救助金 {result['amount']} 元（{result['fund']}列支），工会将与您联系发放。"


# --- 金秋助学: a hardship family's child starting university or college ------------------------------------------


class StudyForm(Form):
    child_name: str = F("子女姓名", min_length=2, max_length=50)
    child_id: str = F("子女身份证号", sensitive=True)
    school: str = F("录取学校", min_length=2, max_length=100)
    level: str = F("学历层次", widget="select", choices=StudyLevel.choices)
    admission_year: int = F("入学年份", ge=2000, le=2100)
    tuition: str = F("每年学费（元）", help="以录取通知书或缴费凭证为准")
    amount: str = F("申请金额（元）")
    situation: str = F("家庭困难情况", widget="textarea", min_length=10, max_length=1000)

    @field_validator("child_id")
    @classmethod
    def _child(cls, v):
        return _zh(lambda x: parse_id_number(x).number, v)

    @field_validator("level")
    @classmethod
    def _level(cls, v):
        return _zh(_choice(StudyLevel, "学历层次"), v)

    @field_validator("admission_year")
    @classmethod
    def _year(cls, v):
        this = dt.date.today().year
        if v not in (this, this - 1):
            raise ValueError(f"金秋助学资助当年或上一年入学的新生（{this - 1} 或 {this} 年入学）")
        return v

    @field_validator("tuition")
    @classmethod
    def _tuition(cls, v):
        return _zh(_money("每年学费"), v)

    @field_validator("amount")
    @classmethod
    def _amount(cls, v):
        return _zh(_money("申请金额"), v)


class StudyApproval(Form):
    amount: str = F("批准金额（元）", help="从受理工会向上最近一级设立了本年度金秋助学资金的组织列支")

    @field_validator("amount")
    @classmethod
    def _amount(cls, v):
        return _zh(_money("批准金额"), v)


class StudyAid(Programme):
    code = "study"
    name = "金秋助学"
    summary = ("在档困难职工的子女考入大学、高职的，在线申请金秋助学：所在工会初审、区总工会审批，助学金从金秋助学资金"
               "中列支。同一名学生每年只资助一次。材料齐全的不必到场。")
    applicant_kind = "member"
    form = StudyForm
    approval_form = StudyApproval
    attachments = (
        AttachmentSlot("admission", "录取通知书或学生证", help="拍照上传即可"),
        AttachmentSlot("tuition", "学费缴费凭证", required=False),
    )
    levels = (Level("org", "所在工会初审", 5), Level("federation", "区总工会审批", 7))
    contact_field = ""

    def route(self, *, actor, applicant, data: StudyForm, sealed: dict) -> Route:
        from lianxin.assistance.models import HardshipFile
        from lianxin.members.selectors import current_membership
        from lianxin.members.services import id_bidx

        person = getattr(applicant, "person", None)
        m = current_membership(person) if person else None
        if m is None or m.status != "member":
            raise ServiceError("金秋助学面向在册会员；尚未入会的请先申请入会", code="not_member")
        if not HardshipFile.objects.filter(person=person, closed_at__isnull=True).exists():
            raise ServiceError("金秋助学面向在档困难职工家庭；尚未建档的请先申请困难职工帮扶", code="not_eligible")
        child = id_bidx(data.child_id)
        if child == person.id_bidx:
            raise ServiceError("请填写子女本人的身份证号，不是您自己的", field="child_id")
        return Route(org=m.union, person=person, subject_key=f"c{child[:63]}",  # the key column holds 64
                     title=f"{person.name} 为子女{data.child_name}申请金秋助学（{data.school}）")

    def on_approve(self, *, engine, app, data, sealed, approval) -> dict:
        from lianxin.assistance.services import parse_yuan, pay_study

        if app.person is None:
            raise ServiceError("当事人的登记记录已不存在，无法发放，请不予通过", code="stale")
        entry, grant = pay_study(actor=engine, app=app, person=app.person, child_id=sealed["child_id"], form=data,
                                 amount_fen=parse_yuan(approval["amount"]))
        return {"amount": approval["amount"], "fund": entry.fund.name, "entry": entry.pk, "grant": grant.pk}

    def result_text(self, result: dict) -> str:
        return f"批准金秋助学金 {result['amount']} 元（{result['fund']}列支），工会将与您联系发放。"


# --- 职工法律援助: a member with a dispute at work asks the union for legal help ------------------------------------

DISPUTES = [("wages", "拖欠工资"), ("contract", "劳动合同"), ("dismissal", "解除劳动关系、经济补偿"),
            ("injury", "工伤认定与待遇"), ("insurance", "社会保险"), ("hours", "工时、休息休假"), ("other", "其他")]
LEGAL_SERVICES = [("advice", "法律咨询"), ("document", "代写法律文书"), ("mediation", "协调调解"),
                  ("representation", "代理劳动仲裁或诉讼")]


def _pick(choices, label):
    values = {v for v, _ in choices}

    def check(v):
        if v not in values:
            raise ServiceError(f"请选择{label}")
        return v

    return check


class LegalAidForm(Form):
    dispute: str = F("争议类型", widget="select", choices=DISPUTES)
    employer_name: str = F("用人单位", min_length=2, max_length=150)
    wanted: str = F("希望得到的帮助", widget="select", choices=LEGAL_SERVICES)
    amount: str | None = F("涉及金额（元）", default=None, help="如拖欠的工资、经济补偿；没有可不填")
    description: str = F("事情经过", widget="textarea", min_length=20, max_length=2000,
                         help="何时入职、发生了什么、与单位沟通的情况、已有的证据")

    @field_validator("dispute")
    @classmethod
    def _dispute(cls, v):
        return _zh(_pick(DISPUTES, "争议类型"), v)

    @field_validator("wanted")
    @classmethod
    def _wanted(cls, v):
        return _zh(_pick(LEGAL_SERVICES, "希望得到的帮助"), v)

    @field_validator("amount")
    @classmethod
    def _amount(cls, v):
        return v if v is None else _zh(_money("涉及金额"), v)


class LegalAidApproval(Form):
    service: str = F("提供的帮助", widget="select", choices=LEGAL_SERVICES)
    handler: str = F("承办人", min_length=2, max_length=50, help="法律援助站工作人员或签约律师")
    handler_phone: str = F("承办人联系电话", min_length=7, max_length=20)

    @field_validator("service")
    @classmethod
    def _service(cls, v):
        return _zh(_pick(LEGAL_SERVICES, "提供的帮助"), v)


class LegalAid(Programme):
    code = "legal_aid"
    name = "职工法律援助"
    summary = ("在册会员遇到拖欠工资、劳动合同、工伤、社保等劳动争议，在线申请工会法律援助：所在工会受理，街道职工"
               "法律援助站审核并指派承办人，承办人与您联系。材料齐全的不必到场。")
    applicant_kind = "member"
    form = LegalAidForm
    approval_form = LegalAidApproval
    attachments = (AttachmentSlot("evidence", "证据材料", required=False,
                                  help="劳动合同、工资条、考勤记录、聊天记录截图等，拍照上传即可"),)
    levels = (Level("org", "所在工会受理", 3), Level("street", "街道职工法律援助站指派", 5))
    contact_field = ""

    def route(self, *, actor, applicant, data: LegalAidForm, sealed: dict) -> Route:
        from lianxin.members.selectors import current_membership

        person = getattr(applicant, "person", None)
        m = current_membership(person) if person else None
        if m is None or m.status != "member":
            raise ServiceError("工会法律援助面向在册会员；尚未入会的请先申请入会，或拨打 12351 职工服务热线",
                               code="not_member")
        label = dict(DISPUTES)[data.dispute]
        return Route(org=m.union, person=person, subject_key=f"la{person.pk}:{data.dispute}",
                     title=f"{person.name} 申请法律援助（{label}，{data.employer_name}）")

    def on_approve(self, *, engine, app, data, sealed, approval) -> dict:
        return {"service": dict(LEGAL_SERVICES)[approval["service"]], "handler": approval["handler"],
                "handler_phone": approval["handler_phone"]}

    def result_text(self, result: dict) -> str:
        return (f"已指派{result['handler']}为您提供{result['service']}，联系电话 {result['handler_phone']}，"
                "承办人将与您联系。")


# --- 职工医疗互助: an enrolled member's hospital stay, paid by the plan's rule within the yearly cap -----------------


class MedicalAidForm(Form):
    hospital: str = F("住院医院", min_length=2, max_length=100)
    admitted_on: dt.date = F("入院日期", widget="date")
    discharged_on: dt.date = F("出院日期", widget="date")
    self_pay: str = F("政策范围内个人自付金额（元）", help="见住院发票或医保结算单上的“个人自付”，不含自费项目")

    @field_validator("self_pay")
    @classmethod
    def _self_pay(cls, v):
        return _zh(_money("政策范围内个人自付金额"), v)

    @model_validator(mode="after")
    def _dates(self):
        if self.discharged_on < self.admitted_on:
            raise ValueError("出院日期不能早于入院日期")
        from django.utils import timezone

        if self.discharged_on > timezone.localdate():
            raise ValueError("出院日期不能晚于今天：出院后再申请住院补助")
        return self


class MedicalAidApproval(Form):
    amount: str = F("核定补助金额（元）", help="按规则计算并扣除年度已补助后的金额，可确认或调低")

    @field_validator("amount")
    @classmethod
    def _amount(cls, v):
        return _zh(_money("核定补助金额"), v)


class MedicalAid(Programme):
    code = "medical_aid"
    name = "职工医疗互助"
    summary = ("已参加本年度职工住院医疗互助的会员，出院后在线申请住院补助：上传住院发票和出院小结，所在工会初审、"
               "区总工会审批，补助按（政策范围内个人自付 − 起付线）× 补助比例计算，每人每年不超过最高补助。")
    applicant_kind = "member"
    form = MedicalAidForm
    approval_form = MedicalAidApproval
    attachments = (
        AttachmentSlot("invoice", "住院发票", help="医院开具的住院收费票据或医保结算单，拍照上传即可"),
        AttachmentSlot("discharge", "出院小结", help="出院记录或出院小结，拍照上传即可"),
    )
    levels = (Level("org", "所在工会初审", 5), Level("federation", "区总工会审批", 7))
    contact_field = ""

    def route(self, *, actor, applicant, data: MedicalAidForm, sealed: dict) -> Route:
        from django.utils import timezone

        from lianxin.members.selectors import current_membership
        from lianxin.mutualaid.models import MedicalPayment
        from lianxin.mutualaid.services import enrolment_for

        person = getattr(applicant, "person", None)
        m = current_membership(person) if person else None
        if m is None or m.status != "member":
            raise ServiceError("职工医疗互助面向在册会员；尚未入会的请先申请入会", code="not_member")
        year = timezone.localdate().year
        e = enrolment_for(person, year)
        if e is None:
            raise ServiceError(f"您未参加 {year} 年度职工医疗互助，不能申请住院补助。医疗互助由所在工会统一办理参加，"
                               f"请联系{m.union.name}", code="not_enrolled")
        for name, day in (("admitted_on", data.admitted_on), ("discharged_on", data.discharged_on)):
            if day.year != e.plan.year:
                raise ServiceError(f"{e.plan.name}补助 {e.plan.year} 年内的住院，入院和出院日期都应在 {e.plan.year} 年内",
                                   field=name)
        if MedicalPayment.objects.filter(account__person=person, admitted_on=data.admitted_on,
                                         discharged_on=data.discharged_on).exists():
            raise ServiceError(f"{data.admitted_on:%Y-%m-%d} 入院的这次住院已获补助，不能重复申请", field="admitted_on")
        return Route(org=m.union, person=person, subject_key=f"ma{person.pk}:{data.admitted_on:%Y%m%d}",
                     title=f"{person.name} 申请住院补助（{data.hospital}，{data.admitted_on:%m-%d}至{data.discharged_on:%m-%d}）")

    def approval_initial(self, app) -> dict[str, dict]:
        from lianxin.assistance.services import parse_yuan, yuan
        from lianxin.mutualaid.models import MedicalAccount
        from lianxin.mutualaid.services import claim_amount, enrolment_for, payable

        e = enrolment_for(app.person, dt.date.fromisoformat(app.form["admitted_on"]).year) if app.person else None
        if e is None:
            return {"amount": {"value": "", "help": "当事人未参加当年的医疗互助，不能发放补助，请不予通过"}}
        plan = e.plan
        account = MedicalAccount.objects.filter(plan=plan, person=app.person).first()
        self_pay = parse_yuan(app.form["self_pay"], allow_zero=True)
        rule, pay = claim_amount(plan, self_pay), payable(plan, account, self_pay)
        paid = account.paid_fen if account else 0
        return {"amount": {"value": yuan(pay) if pay else "", "help": (
            f"按规则：（个人自付 {yuan(self_pay)} − 起付线 {yuan(plan.deductible_fen)}）× {plan.ratio}% = {yuan(rule)} 元"
            f"（四舍五入到分）；年度最高 {yuan(plan.cap_fen)} 元，已补助 {yuan(paid)} 元，剩余 "
            f"{yuan(plan.cap_fen - paid)} 元，本次最多 {yuan(pay)} 元。可确认或调低。")}}

    def on_approve(self, *, engine, app, data, sealed, approval) -> dict:
        from lianxin.assistance.services import parse_yuan, yuan
        from lianxin.mutualaid.services import pay_claim

        if app.person is None:
            raise ServiceError("当事人的登记记录已不存在，无法发放，请不予通过", code="stale")
        payment, account = pay_claim(actor=engine, app=app, person=app.person,
                                     amount_fen=parse_yuan(approval["amount"]), form=data)
        return {"amount": yuan(payment.amount_fen), "fund": payment.entry.fund.name, "entry": payment.entry_id,
                "payment": payment.pk, "year_paid": yuan(account.paid_fen), "remaining": yuan(account.remaining_fen)}

    def result_text(self, result: dict) -> str:
        return (f"核定住院补助 {result['amount']} 元（{result['fund']}列支），本年度累计已补助 {result['year_paid']} 元，"
                f"剩余额度 {result['remaining']} 元。")


# --- 教育补助 (职工学历提升补助): a member who completed a degree or a vocational qualification while working --------
# (lianxin.training: the grant table, its once-per-level constraint and the payment; caps in training/rules.py)


class EducationForm(Form):
    level: str = F("取得的学历或证书", widget="select", choices=EducationLevel.choices)
    school: str = F("毕业学校或发证机构", min_length=2, max_length=100)
    major: str = F("专业或职业（工种）", min_length=2, max_length=50)
    graduated_on: dt.date = F("毕业（取证）日期", widget="date", help="以毕业证书或职业资格证书上的日期为准")
    tuition: str = F("本人已缴学费（元）", help="以学费发票或缴费凭证为准，单位已报销的部分不计")
    amount: str = F("申请金额（元）", help="不超过已缴学费和该层次的补助上限")

    @field_validator("level")
    @classmethod
    def _level(cls, v):
        return _zh(_choice(EducationLevel, "取得的学历或证书"), v)

    @field_validator("graduated_on")
    @classmethod
    def _graduated(cls, v):
        from django.utils import timezone

        today = timezone.localdate()
        if v > today:
            raise ValueError("毕业（取证）日期不能晚于今天：取得证书后再申请")
        if (today - v).days > GRADUATED_WITHIN_DAYS:
            raise ValueError("教育补助面向最近 12 个月内毕业或取得证书的职工，您的毕业（取证）日期已超过 12 个月")
        return v

    @field_validator("tuition")
    @classmethod
    def _tuition(cls, v):
        return _zh(_money("本人已缴学费"), v)

    @field_validator("amount")
    @classmethod
    def _amount(cls, v):
        return _zh(_money("申请金额"), v)


class EducationApproval(Form):
    amount: str = F("批准金额（元）", help="不超过已缴学费和该层次的上限；从受理工会向上最近一级设立了本年度教育补助资金的组织列支")

    @field_validator("amount")
    @classmethod
    def _amount(cls, v):
        return _zh(_money("批准金额"), v)


def _education_limit(level: str, tuition: str, amount: str, *, field: str) -> None:
    from lianxin.assistance.services import parse_yuan, yuan

    cap, fen = EDUCATION_CAPS_FEN[level], parse_yuan(amount)
    if fen > cap:
        raise ServiceError(f"{EducationLevel(level).label}的教育补助最高 {yuan(cap)} 元", field=field)
    if fen > parse_yuan(tuition):
        raise ServiceError(f"补助金额不能超过本人已缴学费 {tuition} 元", field=field)


class EducationAid(Programme):
    code = "education"
    name = "教育补助"
    summary = ("在册会员在职期间取得大专、本科、硕士学历或职业资格（技能等级）证书的，12 个月内在线申请学历提升补助："
               "所在工会审核、区总工会审批，补助从教育补助资金中列支，不超过已缴学费，大专最高 2,000 元、本科 3,000 元、"
               "硕士 5,000 元、职业资格 1,000 元。同一层次每人只补助一次。")
    applicant_kind = "member"
    form = EducationForm
    approval_form = EducationApproval
    attachments = (
        AttachmentSlot("diploma", "毕业证书或职业资格证书", help="拍照上传即可"),
        AttachmentSlot("receipt", "学费发票或缴费凭证", required=False, help="拍照上传即可"),
    )
    levels = (Level("org", "所在工会审核", 5), Level("federation", "区总工会审批", 7))
    contact_field = ""

    def route(self, *, actor, applicant, data: EducationForm, sealed: dict) -> Route:
        from lianxin.members.selectors import current_membership
        from lianxin.training.models import EducationGrant

        person = getattr(applicant, "person", None)
        m = current_membership(person) if person else None
        if m is None or m.status != "member":
            raise ServiceError("教育补助面向在册会员；尚未入会的请先申请入会", code="not_member")
        label = EducationLevel(data.level).label
        if EducationGrant.objects.filter(person=person, level=data.level).exists():
            raise ServiceError(f"您已获得过{label}教育补助，同一层次只补助一次", field="level", code="duplicate")
        _education_limit(data.level, data.tuition, data.amount, field="amount")
        # one open application per person and level (the engine's constraint); the grant's own UNIQUE keeps it
        # to one payment per level for good
        return Route(org=m.union, person=person, subject_key=f"ed{person.pk}:{data.level}",
                     title=f"{person.name} 申请教育补助（{label}，{data.school}）")

    def on_approve(self, *, engine, app, data, sealed, approval) -> dict:
        from lianxin.assistance.services import parse_yuan, yuan
        from lianxin.training.services import pay_education

        if app.person is None:
            raise ServiceError("当事人的登记记录已不存在，无法发放，请不予通过", code="stale")
        _education_limit(data["level"], data["tuition"], approval["amount"], field="amount")
        entry, grant = pay_education(actor=engine, app=app, person=app.person, form=data,
                                     amount_fen=parse_yuan(approval["amount"]))
        return {"amount": yuan(grant.amount_fen), "level": grant.get_level_display(), "fund": entry.fund.name,
                "entry": entry.pk, "grant": grant.pk}

    def result_text(self, result: dict) -> str:
        return f"批准教育补助 {result['amount']} 元（{result['level']}，{result['fund']}列支），工会将与您联系发放。"



# --- 基层工会组建（建会批复）: an enterprise's workers found their own union ------------------------------------

class FoundingForm(Form):
    parent_id: int = F("上级工会（受理单位）", widget="upper_union",
                       help="新工会隶属的街道总工会、联合工会或行业工会，即本次申请的受理单位")
    enterprise_id: int = F("建会企业", widget="enterprise", help="在已登记的企业中选择；尚未登记的请先登记企业")
    union_name: str = F("工会名称", min_length=6, max_length=100, help="如：杭州某某科技有限公司工会委员会")
    employees: int = F("职工人数", ge=1, le=1000000)
    women: int = F("其中女职工人数", ge=0, le=1000000)
    members: int = F("入会职工人数", ge=1, le=1000000, help="已填写入会申请、参加会员大会的职工")
    meeting_on: dt.date = F("会员（代表）大会召开日期", widget="date")
    chairman: str = F("当选工会主席", min_length=2, max_length=50)
    committee_size: int = F("工会委员会委员人数", ge=3, le=31, help="一般为单数：3至31人")
    women_committee: Literal["yes", "no"] = F("同时成立女职工委员会", widget="select",
                                              choices=[("yes", "是"), ("no", "否")],
                                              help="女职工10人以上的应当建立女职工委员会")
    contact_phone: str = F("联系电话", min_length=7, max_length=30)

    @field_validator("union_name")
    @classmethod
    def _name(cls, v):
        v = v.strip()
        if not v.endswith(("工会", "工会委员会", "联合工会")):
            raise ValueError("工会名称应以“工会”或“工会委员会”结尾，如：杭州某某有限公司工会委员会")
        return v

    @model_validator(mode="after")
    def _counts(self):
        from django.utils import timezone

        if self.women > self.employees:
            raise ValueError("女职工人数不能多于职工人数")
        if self.members > self.employees:
            raise ValueError("入会职工人数不能多于职工人数")
        if self.members < 3:
            raise ValueError("会员不足3人的不能单独建立基层工会，可加入所在地的联合工会")
        if self.committee_size > self.members:
            raise ValueError("工会委员会委员人数不能多于入会职工人数")
        if self.meeting_on > timezone.localdate():
            raise ValueError("会员大会召开日期不能晚于今天：选举产生工会委员会后再申请批复")
        if self.women >= 10 and self.women_committee != "yes":
            raise ValueError("女职工10人以上的，应当同时成立女职工委员会")
        return self


class Founding(Programme):
    code = "founding"
    name = "基层工会组建（建会批复）"
    summary = ("企业职工召开会员大会、选举产生工会委员会后，由上级工会（街道总工会、联合工会或行业工会）在线报请批复："
               "街道总工会审核、区总工会批复。批复后新工会即进入组织体系，企业计入已建会，可接着申请工会法人资格登记。")
    applicant_kind = "union"
    form = FoundingForm
    attachments = (
        AttachmentSlot("application", "建会申请书（筹备组）"),
        AttachmentSlot("election", "会员大会选举结果报告"),
        AttachmentSlot("roster", "会员名册", required=False, help="可上传 Excel 或扫描件；入会后请在花名册导入"),
    )
    levels = (Level("street", "街道总工会审核", 7), Level("federation", "区总工会批复", 7))

    def route(self, *, actor, applicant, data: FoundingForm, sealed: dict) -> Route:
        from lianxin.core.scoping import can

        parent = Organization.objects.filter(pk=data.parent_id).first()
        if parent is None or parent.kind not in (OrgKind.STREET, OrgKind.JOINT, OrgKind.INDUSTRY):
            raise ServiceError("请选择新工会隶属的街道总工会、联合工会或行业工会", field="parent_id")
        if not can(applicant, "change", parent.path):
            raise ServiceError("只有上级工会的管理员可以报请建会批复", field="parent_id")
        ent = Enterprise.objects.select_related("street", "covering_union").filter(pk=data.enterprise_id).first()
        if ent is None:
            raise ServiceError("所选企业不存在", field="enterprise_id")
        if not (ent.street.path.startswith(parent.path) or parent.path.startswith(ent.street.path)
                or (ent.covering_union_id and ent.covering_union.path.startswith(parent.path))):
            raise ServiceError(f"{ent.name}不在{parent.name}的范围内", field="enterprise_id")
        own = Organization.objects.filter(enterprise=ent).first()
        if own is not None:
            raise ServiceError(f"{ent.name}已建立{own.name}，无需重复建会", field="enterprise_id", code="founded")
        return Route(org=parent, subject_key=f"e{ent.pk}", title=f"{data.union_name} 建会批复（{ent.name}）")

    def on_approve(self, *, engine, app, data, sealed, approval) -> dict:
        from lianxin.orgs.services import create_founded_union

        union = create_founded_union(actor=engine, parent=app.org, enterprise_id=data["enterprise_id"],
                                     name=data["union_name"], chair_name=data["chairman"],
                                     founded_on=dt.date.fromisoformat(str(data["meeting_on"])),
                                     contact_phone=data["contact_phone"],
                                     women_committee=data.get("women_committee") == "yes", application=app.number)
        return {"union": union.pk, "union_name": union.name}

    def result_text(self, result: dict) -> str:
        return f"已批复成立{result['union_name']}，已列入工会组织体系；请接着申请工会法人资格登记。"

    def prefill(self, actor, params) -> dict[str, str]:
        """Opened from an enterprise's page (``?enterprise=<id>``): that enterprise, a name after it, its
        headcount, and the upper union — the union covering it or its street, whichever the actor may change."""
        from django.http import Http404

        from lianxin.core.scoping import can
        from lianxin.orgs.selectors import enterprise_detail

        pk = str(params.get("enterprise", ""))
        if not pk.isdigit():
            return {}
        try:
            ent = enterprise_detail(actor=actor, pk=int(pk))
        except Http404:
            return {}
        out = {"enterprise_id": str(ent.pk), "union_name": f"{ent.name}工会委员会"}
        if ent.headcount:
            out["employees"] = str(ent.headcount)
        for upper in (ent.covering_union, ent.street):
            if upper is not None and upper.kind in (OrgKind.STREET, OrgKind.JOINT, OrgKind.INDUSTRY) \
                    and can(actor, "change", upper.path):
                out["parent_id"] = str(upper.pk)
                break
        return out


PROGRAMMES: dict[str, Programme] = {p.code: p for p in (Join(), Transfer(), LegalPerson(), ProfileCorrection(),
                                                        Hardship(), StudyAid(), LegalAid(), MedicalAid(),
                                                        EducationAid(), Founding())}


def get_programme(code: str) -> Programme:
    try:
        return PROGRAMMES[code]
    except KeyError:
        raise ServiceError("没有这个办事事项", field="programme") from None
