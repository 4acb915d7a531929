"""Every write to people and memberships. Each function validates, runs in one transaction, and audits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core import audit, counters, crypto, notify
from lianxin.core.errors import ServiceError
from lianxin.core.idnumbers import IdNumber, mask_id, mask_mobile, parse_id_number, parse_mobile
from lianxin.core.scoping import require
from lianxin.orgs.models import MEMBER_HOLDING_KINDS, Organization

from .models import ACTIVE_STATUSES, Membership, MembershipStatus, Person

ID_CTX, MOBILE_CTX = "person.id_number", "person.mobile"
PROFILE_FIELDS = ("name", "employer", "employer_name", "job", "education", "ethnicity", "political_status",
                  "is_migrant", "is_frontline", "is_model_worker")


def id_bidx(number: str) -> str:
    return crypto.blind_index(number, context=ID_CTX)


def mobile_bidx(number: str) -> str:
    return crypto.blind_index(number, context=MOBILE_CTX)


@dataclass(frozen=True)
class SealedIdentity:
    """Encrypted, indexed and masked forms of an ID number and mobile, ready to store."""

    id_info: IdNumber
    id_cipher: str
    id_key: str
    id_bidx: str
    mobile_cipher: str
    mobile_bidx: str
    mobile_masked: str

    def apply(self, person: Person) -> None:
        i = self.id_info
        person.id_cipher, person.id_key, person.id_bidx = self.id_cipher, self.id_key, self.id_bidx
        person.id_masked, person.birth_date, person.gender, person.region_code = (
            mask_id(i.number), i.birth_date, i.gender, i.region_code)
        person.mobile_cipher, person.mobile_bidx, person.mobile_masked = (
            self.mobile_cipher, self.mobile_bidx, self.mobile_masked)


def check_identity(id_number, *, gender: str | None = None, birth_date: dt.date | None = None,
                   mobile=None, mobile_required: bool = False) -> tuple[IdNumber, str]:
    """Validate an ID number (and cross-check a stated gender and birth date against it) and a mobile.
    Raises ServiceError naming the field. Shared by the forms, the API and the Excel import."""
    info = parse_id_number(id_number)
    if gender and gender != info.gender:
        raise ServiceError(f"性别与身份证号不符（身份证号显示为{'男' if info.gender == 'M' else '女'}）",
                           field="性别")
    if birth_date and birth_date != info.birth_date:
        raise ServiceError(f"出生日期与身份证号不符（身份证号显示为 {info.birth_date:%Y-%m-%d}）",
                           field="出生日期")
    phone = ""
    if mobile not in (None, ""):
        phone = parse_mobile(mobile)
    elif mobile_required:
        raise ServiceError("手机号码不能为空", field="手机号码")
    return info, phone


def seal_identity(info: IdNumber, mobile: str) -> SealedIdentity:
    id_cipher = crypto.encrypt(info.number, context=ID_CTX)
    return SealedIdentity(
        id_info=info,
        id_cipher=id_cipher,
        id_key=crypto.key_id(id_cipher),  # the key that sealed it (the active one), read off the ciphertext
        id_bidx=id_bidx(info.number),
        mobile_cipher=crypto.encrypt(mobile, context=MOBILE_CTX) if mobile else "",
        mobile_bidx=mobile_bidx(mobile) if mobile else "",
        mobile_masked=mask_mobile(mobile) if mobile else "",
    )


def rotate_person_keys(*, batch: int = 2000) -> int:
    """Re-seal people's ID numbers and mobiles under the active field key (``manage.py rotate_field_keys``).
    Returns how many ciphertexts were rewritten."""
    people = Person.objects.all()
    return (crypto.rotate_column(people, "id_cipher", context=ID_CTX, batch=batch, key_field="id_key")
            + crypto.rotate_column(people, "mobile_cipher", context=MOBILE_CTX, batch=batch))


def _clean_profile(fields: dict) -> dict:
    fields = {k: v for k, v in fields.items() if k in PROFILE_FIELDS}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise ServiceError("姓名不能为空", field="name")
        if len(fields["name"]) > 50:
            raise ServiceError("姓名过长", field="name")
    if fields.get("employer") is not None and not fields.get("employer_name"):
        fields["employer_name"] = fields["employer"].name
    return fields


@transaction.atomic
def create_person(*, actor, org: Organization, name: str, id_number, mobile=None, gender=None, birth_date=None,
                  **profile) -> Person:
    require(actor, "change", org.path)
    info, phone = check_identity(id_number, gender=gender, birth_date=birth_date, mobile=mobile)
    existing = Person.objects.filter(id_bidx=id_bidx(info.number)).select_related("org").first()
    if existing:
        raise ServiceError(f"该身份证号已登记（{existing.name}，{existing.org.name}）", field="id_number",
                           code="duplicate")
    person = Person(org=org, **_clean_profile({"name": name, **profile}))
    seal_identity(info, phone).apply(person)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ServiceError("该身份证号已登记", field="id_number", code="duplicate") from None
    audit.record(actor=actor, action="person.create", obj=person, org_path=org.path,
                 detail={"name": person.name, "id": person.id_masked})
    return person


@transaction.atomic
def update_person(*, actor, person: Person, mobile=None, **changes) -> Person:
    person = Person.objects.select_for_update(of=("self",)).select_related("org").get(pk=person.pk)
    require(actor, "change", person.org.path)
    changes = _clean_profile(changes)
    before = {k: str(getattr(person, k)) for k in changes}
    for k, v in changes.items():
        setattr(person, k, v)
    if mobile is not None:
        phone = parse_mobile(mobile) if mobile else ""
        before["mobile"] = person.mobile_masked
        person.mobile_cipher = crypto.encrypt(phone, context=MOBILE_CTX) if phone else ""
        person.mobile_bidx = mobile_bidx(phone) if phone else ""
        person.mobile_masked = mask_mobile(phone) if phone else ""
    person.save()
    after = {k: str(getattr(person, k)) for k in changes}
    if mobile is not None:
        after["mobile"] = person.mobile_masked
    audit.record(actor=actor, action="person.update", obj=person, org_path=person.org.path,
                 detail={"before": before, "after": after})
    return person


REVEALABLE = {"id_number": ("id_cipher", ID_CTX, "身份证号"), "mobile": ("mobile_cipher", MOBILE_CTX, "手机号码")}


@transaction.atomic
def reveal_person_field(*, actor, person: Person, field: str, reason: str) -> str:
    """Show one full value. Needs a role that may reveal in scope and a reason; always audited."""
    if field not in REVEALABLE:
        raise ServiceError("不支持查看该字段", field="field")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写查看完整信息的事由", field="reason")
    require(actor, "reveal", person.org.path, "您的角色无权查看完整个人信息")
    col, ctx, label = REVEALABLE[field]
    token = getattr(person, col)
    value = crypto.decrypt(token, context=ctx) if token else ""
    audit.record(actor=actor, action="person.reveal", obj=person, org_path=person.org.path, reason=reason,
                 detail={"field": field, "label": label})
    return value


def _check_union(union: Organization) -> None:
    if union.kind not in MEMBER_HOLDING_KINDS:
        raise ServiceError("会员只能加入基层工会或联合工会", field="union")


def reserve_member_numbers(n: int) -> list[str]:
    """``n`` new member numbers (LX + year + 8-digit gap-free sequence) in one counter update."""
    year = timezone.localdate().year
    return [f"LX{year}{v:08d}" for v in counters.reserve("member_no", n)]


def lock_member_numbers() -> None:
    """Lock the member-number counter for the rest of the transaction. Whoever both locks people and draws
    member numbers (``admit_member``, the roster import) takes this lock FIRST, then the people: one order for
    everyone, so two such transactions queue instead of deadlocking."""
    counters.lock("member_no")


def new_member_no() -> str:
    return reserve_member_numbers(1)[0]


def _active_membership(person: Person) -> Membership | None:
    return (Membership.objects.select_for_update().select_related("union")
            .filter(person=person, status__in=ACTIVE_STATUSES).first())


@transaction.atomic
def admit_member(*, actor, person: Person, union: Organization, joined_on: dt.date | None = None,
                 note: str = "") -> Membership:
    """Make ``person`` a member of ``union``. A person already in a union is told to transfer instead."""
    require(actor, "change", union.path)
    _check_union(union)
    lock_member_numbers()  # before the person: the lock order the roster import uses too
    Person.objects.select_for_update().filter(pk=person.pk).first()
    current = _active_membership(person)
    if current:
        if current.union_id == union.pk and current.status == MembershipStatus.MEMBER:
            raise ServiceError(f"{person.name}已是本会会员（会员编号 {current.member_no}）", code="already_member")
        raise ServiceError(f"{person.name}已是{current.union.name}的会员，请办理转会而不是重新入会",
                           field="union", code="member_elsewhere")
    try:
        with transaction.atomic():
            m = Membership.objects.create(person=person, union=union, status=MembershipStatus.MEMBER,
                                          member_no=new_member_no(), joined_on=joined_on or timezone.localdate(),
                                          note=note)
    except IntegrityError:
        raise ServiceError(f"{person.name}已在其他工会办理入会", code="member_elsewhere") from None
    Person.objects.filter(pk=person.pk).update(org=union)
    audit.record(actor=actor, action="membership.admit", obj=m, org_path=union.path,
                 detail={"person": person.pk, "member_no": m.member_no})
    return m


@transaction.atomic
def transfer_membership(*, actor, membership: Membership, to_union: Organization, on: dt.date | None = None,
                        note: str = "") -> Membership:
    """Close the membership at the old union and open one at the new, in one transaction; the member number
    is kept, and ``transferred_from`` links the history. The one-membership constraint holds throughout."""
    _check_union(to_union)
    m = Membership.objects.select_for_update().select_related("union", "person").get(pk=membership.pk)
    require(actor, "change", m.union.path, "原工会不在您的管理范围内")
    require(actor, "change", to_union.path, "转入工会不在您的管理范围内")
    if m.status != MembershipStatus.MEMBER:
        raise ServiceError("只有在册会员可以转会", code="not_member")
    if m.union_id == to_union.pk:
        raise ServiceError("转入工会与原工会相同", field="to_union")
    on = on or timezone.localdate()
    number = m.member_no
    m.status, m.left_on = MembershipStatus.TRANSFERRED, on
    m.note = (m.note + f" 转出至{to_union.name}").strip()[:200]
    m.save()
    new = Membership.objects.create(person=m.person, union=to_union, status=MembershipStatus.MEMBER,
                                    member_no=number, joined_on=on, transferred_from=m, note=note)
    Person.objects.filter(pk=m.person_id).update(org=to_union)
    audit.record(actor=actor, action="membership.transfer", obj=new, org_path=to_union.path,
                 detail={"from_union": m.union_id, "to_union": to_union.pk, "old": m.pk, "member_no": number})
    return new


@transaction.atomic
def end_membership(*, actor, membership: Membership, reason: str, on: dt.date | None = None) -> Membership:
    m = Membership.objects.select_for_update().select_related("union").get(pk=membership.pk)
    require(actor, "change", m.union.path)
    if m.status not in ACTIVE_STATUSES:
        raise ServiceError("该会籍已结束")
    if not (reason or "").strip():
        raise ServiceError("请填写退会原因", field="reason")
    m.status, m.left_on, m.note = MembershipStatus.LEFT, on or timezone.localdate(), reason.strip()[:200]
    m.save()
    audit.record(actor=actor, action="membership.end", obj=m, org_path=m.union.path, reason=reason)
    return m


def tell_person(person: Person, *, user_id: int | None, template: str, title: str, body: str, key: str,
                context: dict | None = None, sms: str = "also") -> None:
    """Tell a person what the union did for them: in-app to their portal account (``user_id``, when they have an
    active one; the caller reads the accounts of a batch in one query) under ``{key}:inapp``, and a text
    (【连心】 + ``body``) to their mobile under ``{key}:sms`` — with ``sms="also"`` whenever a mobile is on
    file, with ``"fallback"`` only when they have no account, so that a member signed up by staff and never on
    the portal still hears of it while portal users are not texted as well. Both are in the outbox, idempotent
    on the key, and sent after the caller's transaction commits."""
    if sms not in ("also", "fallback"):
        raise ValueError(f"sms={sms!r}")
    if user_id is not None:
        from lianxin.accounts.models import User

        notify.enqueue(channel="inapp", user=User(pk=user_id), template=template, title=title, body=body,
                       dedupe_key=f"{key}:inapp", context=context)
    if person.mobile_cipher and (sms == "also" or user_id is None):
        notify.enqueue(channel="sms", recipient=crypto.decrypt(person.mobile_cipher, context=MOBILE_CTX),
                       template=template, title=title, body=f"【连心】{body}", dedupe_key=f"{key}:sms",
                       context=context)
