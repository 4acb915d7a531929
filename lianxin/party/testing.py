"""Factories for the party tests, the form-gate cases, the browser test and the demo, through the real services:
party branches under an organisation, people put on a branch's roster, dues set."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from lianxin.core.testing import ROOT, id_number, mobile
from lianxin.members import services as member_services
from lianxin.orgs import services as org_services
from lianxin.orgs.models import OrgKind

from . import services
from .models import Category, PartyMember

_n = itertools.count(1)


def make_branch(
    parent, name: str | None = None, *, actor=ROOT, founded_on: dt.date | None = dt.date(2015, 7, 1)
):
    return org_services.create_organization(
        actor=actor,
        parent=parent,
        kind=OrgKind.PARTY,
        name=name or f"第{next(_n)}党支部",
        founded_on=founded_on,
    )


def make_party_member(
    branch,
    name: str = "党员",
    *,
    org=None,
    actor=ROOT,
    category: str = Category.FULL,
    joined_on: dt.date | None = None,
    full_on: dt.date | None = None,
    entered_on: dt.date | None = None,
    base: str | None = None,
    number: str | None = None,
) -> PartyMember:
    """A person of ``org`` (default: the branch's parent) put on ``branch``'s roster; with ``base`` its dues set."""
    number = number or id_number()
    member_services.create_person(
        actor=ROOT, org=org or branch.parent, name=name, id_number=number, mobile=mobile()
    )
    joined_on = joined_on or dt.date(2010, 7, 1)
    if category == Category.FULL and full_on is None:
        full_on = joined_on.replace(year=joined_on.year + 1)
    m = services.enrol_member(
        actor=actor,
        branch=branch,
        id_number=number,
        category=category,
        joined_on=joined_on,
        full_on=full_on if category == Category.FULL else None,
        entered_on=entered_on or joined_on,
    )
    if base is not None:
        m = services.set_dues(actor=actor, member=m, base=base)
    return m


def all_present(branch, day: dt.date | None = None) -> dict:
    return {m.pk: "present" for m in services.roster_on(branch, day or timezone.localdate())}


def make_meeting(
    branch, *, kind: str = "congress", held_on: dt.date | None = None, actor=ROOT, topic: str = "学习党章"
):
    held_on = held_on or timezone.localdate()
    return services.record_meeting(
        actor=actor,
        branch=branch,
        kind=kind,
        held_on=held_on,
        topic=topic,
        minutes="传达上级会议精神，讨论本季度支部工作安排。",
        attendance=all_present(branch, held_on),
    )
