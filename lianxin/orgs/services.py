"""Writes to the organisation tree and the enterprise register. Paths are computed here only."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max, Value
from django.db.models.functions import Concat, Substr

from lianxin.core import audit
from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import parse_uscc
from lianxin.core.scoping import require

from .models import ALLOWED_CHILDREN, STEP, Enterprise, Organization, OrgKind

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_FIELDS = ("name", "code", "chair_name", "vice_chair_names", "contact_name", "contact_phone", "address",
              "founded_on", "term_ends_on", "enterprise")
ENTERPRISE_FIELDS = ("name", "credit_code", "industry", "size", "ownership", "street", "address", "headcount",
                     "covering_union", "needs_union_founding")


def _encode(n: int) -> str:
    out = ""
    for _ in range(STEP):
        n, r = divmod(n, 36)
        out = _ALPHABET[r] + out
    if n:
        raise ServiceError("该组织下级数量已达上限")
    return out


def _next_child_path(parent: Organization | None) -> str:
    siblings = Organization.objects.filter(parent=parent)
    last = siblings.aggregate(m=Max("path"))["m"]
    prefix = parent.path if parent else ""
    n = int(last[len(prefix):], 36) + 1 if last else 1
    return prefix + _encode(n)


def _check_kind(parent: Organization | None, kind: str) -> None:
    if kind not in OrgKind.values:
        raise ServiceError("组织类型无效", field="kind")
    if parent is None:
        if kind != OrgKind.FEDERATION:
            raise ServiceError("只有总工会可以作为顶级组织", field="parent")
    elif kind not in ALLOWED_CHILDREN[OrgKind(parent.kind)]:
        raise ServiceError(f"{parent.get_kind_display()}下不能设立{OrgKind(kind).label}", field="kind")


def _validate_org(fields: dict) -> None:
    if not (fields.get("name") or "").strip():
        raise ServiceError("组织名称不能为空", field="name")
    f, t = fields.get("founded_on"), fields.get("term_ends_on")
    if f and t and t <= f:
        raise ServiceError("任期届满日期应晚于成立日期", field="term_ends_on")


@transaction.atomic
def create_organization(*, actor, parent: Organization | None, kind: str, name: str, **fields) -> Organization:
    if parent is None:
        if not getattr(actor, "is_superuser", False):
            raise ServiceError("只有系统管理员可以创建顶级组织")
    else:
        require(actor, "change", parent.path)
        parent = Organization.objects.select_for_update().get(pk=parent.pk)  # serialise sibling numbering
    _check_kind(parent, kind)
    fields = {k: v for k, v in fields.items() if k in ORG_FIELDS}
    _validate_org({"name": name, **fields})
    org = Organization(parent=parent, kind=kind, name=name.strip(), path=_next_child_path(parent),
                       depth=(parent.depth + 1) if parent else 0, **fields)
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        # Organization.enterprise is unique: another union for this enterprise committed meanwhile (a 建会批复
        # approved while this form was open); the path cannot clash, the parent's lock serialises siblings
        if org.enterprise_id and Organization.objects.filter(enterprise_id=org.enterprise_id).exists():
            raise ServiceError("该企业已建立基层工会，不能重复设立", field="enterprise", code="founded") from None
        raise
    if org.enterprise_id and kind == OrgKind.BASE:
        # an enterprise with its own base union is covered by it
        Enterprise.objects.filter(pk=org.enterprise_id).update(covering_union=org, needs_union_founding=False)
    audit.record(actor=actor, action="org.create", obj=org, org_path=org.path,
                 detail={"name": org.name, "kind": kind, "parent": parent.pk if parent else None})
    return org


def _years_later(d, years: int):
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@transaction.atomic
def create_founded_union(*, actor, parent: Organization, enterprise_id: int, name: str, chair_name: str, founded_on,
                         contact_phone: str = "", women_committee: bool = False, application: str = "") -> Organization:
    """建会批复 approved: the enterprise's own base union enters the tree under ``parent`` (its first committee's
    five-year term from the founding meeting), the enterprise counts as covered by it (no longer 待建会), and, when
    the meeting formed one, its 女职工委员会 sits under it. The enterprise is locked first and
    ``Organization.enterprise`` is unique, so two approvals for one enterprise give one union and a Chinese refusal
    (which leaves the other application's step open)."""
    ent = Enterprise.objects.select_for_update().filter(pk=enterprise_id).first()
    if ent is None:
        raise ServiceError("建会企业的登记记录已不存在，请不予通过", code="stale")
    own = Organization.objects.filter(enterprise=ent).first()
    if own is not None:
        raise ServiceError(f"{ent.name}已建立{own.name}，不能重复批复", code="founded")
    try:
        with transaction.atomic():
            union = create_organization(actor=actor, parent=parent, kind=OrgKind.BASE, name=name, enterprise=ent,
                                        chair_name=chair_name, contact_phone=contact_phone, founded_on=founded_on,
                                        term_ends_on=_years_later(founded_on, 5))
    except IntegrityError:
        raise ServiceError(f"{ent.name}已建立工会，不能重复批复", code="founded") from None
    if women_committee:
        create_organization(actor=actor, parent=union, kind=OrgKind.WOMEN, name=f"{union.name}女职工委员会",
                            founded_on=founded_on)
    audit.record(actor=actor, action="org.founded", obj=union, org_path=union.path,
                 detail={"name": union.name, "enterprise": ent.pk, "parent": parent.pk, "application": application,
                         "women_committee": women_committee})
    return union


@transaction.atomic
def update_organization(*, actor, org: Organization, **changes) -> Organization:
    require(actor, "change", org.path)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    before = {k: getattr(org, k) for k in changes if k in ORG_FIELDS}
    for k, v in changes.items():
        if k in ORG_FIELDS:
            setattr(org, k, v.strip() if isinstance(v, str) else v)
    _validate_org({k: getattr(org, k) for k in ORG_FIELDS})
    org.save()
    audit.record(actor=actor, action="org.update", obj=org, org_path=org.path,
                 detail={"before": before, "after": {k: getattr(org, k) for k in before}})
    return org


@transaction.atomic
def move_organization(*, actor, org: Organization, new_parent: Organization) -> Organization:
    """Move a subtree: one UPDATE rewrites every descendant's path prefix."""
    require(actor, "change", org.path)
    require(actor, "change", new_parent.path)
    if new_parent.path.startswith(org.path):
        raise ServiceError("不能把组织移动到它自己的下级", field="parent")
    new_parent = Organization.objects.select_for_update().get(pk=new_parent.pk)
    _check_kind(new_parent, org.kind)
    old_path, new_path = org.path, _next_child_path(new_parent)
    delta = new_parent.depth + 1 - org.depth
    from django.db.models import F

    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)), depth=F("depth") + delta
    )
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    audit.record(actor=actor, action="org.move", obj=org, org_path=org.path,
                 detail={"from": old_path, "to": new_path})
    return org


def _clean_enterprise(fields: dict) -> dict:
    if "credit_code" in fields:
        fields["credit_code"] = parse_uscc(fields["credit_code"])
    if "name" in fields and not (fields["name"] or "").strip():
        raise ServiceError("企业名称不能为空", field="name")
    street = fields.get("street")
    if street is not None and street.kind != OrgKind.STREET:
        raise ServiceError("所在街道必须是街道/园区工会", field="street")
    cu = fields.get("covering_union")
    if cu is not None and cu.kind not in (OrgKind.BASE, OrgKind.JOINT, OrgKind.INDUSTRY):
        raise ServiceError("覆盖工会必须是基层工会、联合工会或行业工会", field="covering_union")
    hc = fields.get("headcount")
    if hc is not None and (not isinstance(hc, int) or hc < 0):
        raise ServiceError("职工人数应为非负整数", field="headcount")
    return fields


@transaction.atomic
def create_enterprise(*, actor, street: Organization, **fields) -> Enterprise:
    require(actor, "change", street.path, "所在街道不在您的管理范围内")
    fields = _clean_enterprise({k: v for k, v in {**fields, "street": street}.items() if k in ENTERPRISE_FIELDS})
    if Enterprise.objects.filter(credit_code=fields["credit_code"]).exists():
        raise ServiceError(f"统一社会信用代码 {fields['credit_code']} 已登记", field="credit_code")
    try:
        with transaction.atomic():
            ent = Enterprise.objects.create(**fields)
    except IntegrityError:
        raise ServiceError(f"统一社会信用代码 {fields['credit_code']} 已登记", field="credit_code") from None
    audit.record(actor=actor, action="enterprise.create", obj=ent, org_path=street.path,
                 detail={"name": ent.name, "credit_code": ent.credit_code})
    return ent


@transaction.atomic
def update_enterprise(*, actor, enterprise: Enterprise, **changes) -> Enterprise:
    ent = Enterprise.objects.select_for_update().select_related("street").get(pk=enterprise.pk)
    require(actor, "change", ent.street.path)
    changes = _clean_enterprise({k: v for k, v in changes.items() if k in ENTERPRISE_FIELDS})
    if "street" in changes:
        require(actor, "change", changes["street"].path)
    before = {k: str(getattr(ent, k)) for k in changes}
    for k, v in changes.items():
        setattr(ent, k, v)
    try:
        with transaction.atomic():
            ent.save()
    except IntegrityError:
        raise ServiceError("统一社会信用代码已被其他企业使用", field="credit_code") from None
    audit.record(actor=actor, action="enterprise.update", obj=ent, org_path=ent.street.path,
                 detail={"before": before, "after": {k: str(getattr(ent, k)) for k in changes}})
    return ent
