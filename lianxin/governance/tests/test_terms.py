"""工会换届 through the service: 届次 is the previous + 1, the result's checks with their Chinese messages,
recording closes the previous term and updates the union's record, the due list and the counts per street."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT
from lianxin.governance import selectors
from lianxin.governance.models import CommitteeTerm
from lianxin.governance.testing import election

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def test_the_result_is_checked(district):
    u = district.base_a1
    with pytest.raises(ServiceError, match="实到人数 51 人不能多于应到人数 50 人"):
        election(u, expected=50, present=51)
    with pytest.raises(ServiceError, match=r"实到人数须超过应到人数的一半（应到 50 人，至少 26 人）"):
        election(u, expected=50, present=25)
    with pytest.raises(ServiceError) as e:
        election(
            u,
            expected=50,
            present=40,
            people=[
                {"name": "张三", "post": "chair", "votes": 20},
                {"name": "李四", "post": "member", "votes": 41},
            ],
        )
    assert e.value.errors == {
        "votes_1": "第 1 行（张三）：得票 20 票未超过实到人数 40 人的半数，不能当选",
        "votes_2": "第 2 行（李四）：得票 41 票多于实到人数 40 人",
    }
    with pytest.raises(ServiceError, match="有且只有一名主席"):
        election(u, people=[{"name": "张三", "post": "member", "votes": 30}])
    with pytest.raises(ServiceError, match="3 年或 5 年"):
        election(u, years=4)
    with pytest.raises(ServiceError, match="不能晚于今天"):
        election(u, elected_on=timezone.localdate() + dt.timedelta(days=1))
    assert not CommitteeTerm.objects.exists()


def test_a_new_election_closes_the_previous_term(district):
    u = district.base_a1
    today = timezone.localdate()
    first = election(u, number=4, elected_on=today - dt.timedelta(days=1900), years=5)
    assert first.ends_on == (today - dt.timedelta(days=1900)).replace(year=first.elected_on.year + 5)
    with pytest.raises(ServiceError, match="届次应为第 5 届（本届为第 4 届）"):
        election(u, number=6)
    with pytest.raises(ServiceError, match="第 4 届已登记") as e:  # recorded already (a stale page)
        election(u, number=4)
    assert e.value.code == "duplicate"
    with pytest.raises(ServiceError, match="应晚于上一届的选举日期"):
        election(u, number=5, elected_on=first.elected_on)
    second = election(
        u,
        number=5,
        elected_on=today - dt.timedelta(days=3),
        years=3,
        people=[
            {"name": "赵新", "post": "chair", "votes": 40},
            {"name": "钱副", "post": "vice", "votes": 30},
            {"name": "孙副", "post": "vice", "votes": 29},
        ],
    )
    first.refresh_from_db()
    assert first.status == "ended" and first.ended_on == second.elected_on
    assert (
        second.status == "current" and second.members_count == 3 and second.vice_chair_names == "钱副、孙副"
    )
    u.refresh_from_db()
    assert (u.chair_name, u.vice_chair_names, u.term_ends_on) == ("赵新", "钱副、孙副", second.ends_on)
    assert AuditEntry.objects.filter(action="governance.election_record").count() == 2


def test_only_the_unions_administrators_record(district):
    d = district
    with pytest.raises(PermissionDenied):
        election(d.base_a1, actor=d.users["street_b.admin"])
    with pytest.raises(PermissionDenied):
        election(d.base_a1, actor=d.users["street_a.reviewer"])
    assert election(d.base_a1, actor=d.users["base_a1.admin"]).number == 1


def test_due_and_overdue_with_counts_per_street(district):
    d = district
    today = timezone.localdate()
    election(d.base_a1, elected_on=today - dt.timedelta(days=5 * 365 + 30), years=5)  # overdue
    election(d.joint_a, elected_on=today - dt.timedelta(days=3 * 365 - 60), years=3)  # ends within 6 months
    election(d.base_b1, elected_on=today - dt.timedelta(days=100), years=5)  # years to go
    fed = d.users["fed.viewer"]
    assert {t.union for t in selectors.due_terms(actor=fed)} == {d.base_a1, d.joint_a}
    assert [t.union for t in selectors.due_terms(actor=fed, scope="overdue")] == [d.base_a1]
    assert selectors.due_terms(actor=fed, scope="all").count() == 3
    counts = {c["street"]: (c["total"], c["overdue"], c["soon"]) for c in selectors.street_counts(actor=fed)}
    assert counts == {d.street_a: (2, 1, 1), d.street_b: (1, 0, 0)}
    # a street sees its own unions only
    b = d.users["street_b.viewer"]
    assert not selectors.due_terms(actor=b).exists()
    assert [c["street"] for c in selectors.street_counts(actor=b)] == [d.street_b]
    assert selectors.unregistered_count(actor=ROOT) == 1  # joint_b
