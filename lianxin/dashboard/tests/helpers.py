"""A district with known figures for the dashboard tests: every count below is chosen by hand, so a test can
say what the dashboard must show without asking the code under test."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import timezone

from lianxin.core.testing import ROOT, id_number, make_enterprise, mobile
from lianxin.members import services as members
from lianxin.orgs import services as org_services
from lianxin.orgs.models import OrgKind

SH = ZoneInfo("Asia/Shanghai")
YEAR = 2026
NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=SH)  # "today" for the figures: 2 December 2026


def person(union, name, birth, gender="F", **profile):
    return members.create_person(
        actor=ROOT,
        org=union,
        name=name,
        id_number=id_number(gender=gender, birth=birth),
        mobile=mobile(),
        **profile,
    )


def admitted(union, name, birth, joined, gender="F", **profile):
    p = person(union, name, birth, gender, **profile)
    return members.admit_member(actor=ROOT, person=p, union=union, joined_on=joined)


def build(d) -> SimpleNamespace:
    """On top of ``build_district``: members in base_a1 and base_b1, one who left, one transfer, enterprises."""
    f = SimpleNamespace(d=d)
    # base_a1 (白杨街道): ages on 2 Dec 2026 — 31, 35 (born 3 Dec 1990: still 35), 36 (born 2 Dec 1990), 46
    admitted(d.base_a1, "青年甲", dt.date(1995, 6, 1), dt.date(2026, 3, 15), political_status="league")
    admitted(d.base_a1, "青年乙", dt.date(1990, 12, 3), dt.date(2020, 5, 1), gender="M", is_frontline=True)
    admitted(d.base_a1, "中年丙", dt.date(1990, 12, 2), dt.date(2020, 5, 1), political_status="cpc")
    admitted(d.base_a1, "中年丁", dt.date(1980, 1, 1), dt.date(2019, 1, 1), gender="M", is_model_worker=True)
    # base_b1 (下沙街道): one aged 66, a migrant worker, joined in November
    admitted(d.base_b1, "老工人", dt.date(1960, 5, 5), dt.date(2026, 11, 1), gender="M", is_migrant=True)
    # left in May 2026 (joined in 2026 too: counted as joined that month and as left)
    gone = admitted(d.base_b1, "已退会", dt.date(1985, 2, 2), dt.date(2026, 1, 10), gender="M")
    members.end_membership(actor=ROOT, membership=gone, reason="离职", on=dt.date(2026, 5, 20))
    # joined base_a1 in 2018, moved to base_b1 in July 2026: a transfer is neither a new member nor a leaver
    moved = admitted(d.base_a1, "转会者", dt.date(1988, 8, 8), dt.date(2018, 3, 3))
    f.moved = members.transfer_membership(
        actor=ROOT, membership=moved, to_union=d.base_b1, on=dt.date(2026, 7, 1)
    )
    # applying only: not a member yet
    members.Membership.objects.create(
        person=person(d.base_a1, "申请中", dt.date(1999, 9, 9)), union=d.base_a1, status="applying"
    )
    # enterprises: ent_a1 and ent_b1 are covered by their own unions (small, 50 workers each, from build_district);
    # an uncovered micro firm in street_a that is being followed up; a large covered one in street_b
    make_enterprise(d.street_a, "白杨小店", size="micro", headcount=10, needs_union_founding=True)
    make_enterprise(d.street_b, "下沙大厂", size="large", headcount=900, covering_union=d.base_b1)
    # a union whose term ended and one whose term ends within 90 days
    org_services.update_organization(actor=ROOT, org=d.base_a1, term_ends_on=dt.date(2026, 10, 1))
    org_services.update_organization(actor=ROOT, org=d.base_b1, term_ends_on=dt.date(2027, 1, 15))
    f.women_committee = org_services.create_organization(
        actor=ROOT, parent=d.base_a1, kind=OrgKind.WOMEN, name="杭州甲科技有限公司女职工委员会"
    )
    return f


def local(y, m, day, h=10):
    return timezone.make_aware(dt.datetime(y, m, day, h), SH)
