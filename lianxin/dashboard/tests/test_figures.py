"""The dashboard's figures on a district whose every count is known (tests/helpers.py): members and what the
youth league, the women's committee and the party branch ask of them, joining and leaving by month, coverage of
small and micro firms, terms, applications, activities — for the federation and for each street."""

import datetime as dt

import pytest

from lianxin.dashboard import selectors

from .helpers import NOW, YEAR, build

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


@pytest.fixture
def f(district):
    return build(district)


def test_federation_members(f):
    d = f.d
    data = selectors.compute(d.fed, YEAR, now=NOW)
    m = data["members"]
    # members now: 4 in base_a1, the old worker and the transferred one in base_b1 (not the leaver, not applying)
    assert m["total"] == 6
    assert (m["women"], m["women_pct"]) == (3, 50.0)  # 青年甲, 中年丙, 转会者
    # 35 or younger on 2 December 2026: born after 2 December 1990 — 青年甲 (31) and 青年乙 (35, born 3 Dec)
    assert (m["youth"], m["youth_pct"]) == (2, 33.3)
    assert m["ages"] == [
        {"band": "35岁及以下", "count": 2},
        {"band": "36–45岁", "count": 2},
        {"band": "46–55岁", "count": 1},
        {"band": "56岁及以上", "count": 1},
    ]
    assert (m["migrant"], m["frontline"], m["model"], m["party"]) == (1, 1, 1, 1)
    # joined in 2026: 青年甲, the old worker and the one who left since (the transfer is not a new member)
    assert m["joined"] == 3
    assert m["left"] == 1
    trend = {t["month"]: (t["joined"], t["left"]) for t in data["trend"]}
    assert len(data["trend"]) == 12  # January to December: 2 December is in the twelfth month
    assert (
        trend["1月"] == (1, 0)
        and trend["3月"] == (1, 0)
        and trend["5月"] == (0, 1)
        and trend["11月"] == (1, 0)
    )
    assert trend["7月"] == (0, 0)  # the transfer
    assert sum(j for j, _l in trend.values()) == m["joined"]  # the leaver joined in January


def test_federation_organisations_and_coverage(f):
    d = f.d
    data = selectors.compute(d.fed, YEAR, now=NOW)
    kinds = {o["kind"]: o["count"] for o in data["organisations"]}
    assert kinds == {"总工会": 1, "街道/园区工会": 2, "联合工会": 2, "基层工会": 2, "妇组织": 1}
    assert (data["unions"], data["base_unions"]) == (4, 2)  # base and joint unions hold members
    assert (data["term_overdue"], data["term_soon"]) == (1, 1)
    e = data["enterprises"]
    assert (e["total"], e["covered"], e["rate"]) == (4, 3, 75.0)
    # small and micro: ent_a1, ent_b1 (small, covered), 白杨小店 (micro, not covered)
    assert (e["small_micro"], e["small_micro_covered"], e["small_micro_rate"]) == (3, 2, 66.7)
    assert e["needs_founding"] == 1
    assert (e["workers"], e["workers_covered"], e["worker_rate"]) == (1010, 1000, 99.0)
    assert e["membership_rate"] == round(100 * 6 / 1010, 1)
    assert e["by_size"] == [
        {"size": "大型", "total": 1, "covered": 1},
        {"size": "小型", "total": 2, "covered": 2},
        {"size": "微型", "total": 1, "covered": 0},
    ]


def test_children_rows_add_up_per_street(f):
    d = f.d
    data = selectors.compute(d.fed, YEAR, now=NOW)
    rows = {r["name"]: r for r in data["children"]}
    assert list(rows) == [d.street_a.name, d.street_b.name]
    a, b = rows[d.street_a.name], rows[d.street_b.name]
    assert (a["members"], a["women"], a["youth"], a["joined"], a["unions"]) == (4, 2, 2, 1, 2)
    assert (b["members"], b["women"], b["youth"], b["joined"], b["unions"]) == (2, 1, 0, 2, 2)
    assert (a["enterprises"], a["enterprises_covered"], a["coverage_rate"]) == (2, 1, 50.0)
    assert (b["enterprises"], b["enterprises_covered"], b["coverage_rate"]) == (2, 2, 100.0)
    assert a["id"] == d.street_a.pk and a["kind"] == "街道/园区工会"


def test_a_street_sees_its_own_subtree(f):
    d = f.d
    data = selectors.compute(d.street_a, YEAR, now=NOW)
    assert data["members"]["total"] == 4 and data["members"]["left"] == 0
    assert data["enterprises"]["total"] == 2
    assert [r["name"] for r in data["children"]] == [d.joint_a.name]
    base = selectors.compute(d.base_a1, YEAR, now=NOW)
    assert base["members"]["total"] == 4 and base["children"][0]["kind"] == "妇组织"
    # the base union reaches the enterprise it covers, in whichever street
    assert base["enterprises"]["total"] == 1 and base["enterprises"]["covered"] == 1


def test_a_past_year_is_counted_as_of_its_last_day(f):
    d = f.d
    data = selectors.compute(d.fed, 2020, now=NOW)
    assert data["as_of"] == "2020-12-31" and len(data["trend"]) == 12
    assert data["members"]["joined"] == 2  # 青年乙 and 中年丙 joined in May 2020
    # members on 31 December 2020: 青年乙, 中年丙, 中年丁 and 转会者 (then still in base_a1, 白杨街道)
    m = data["members"]
    assert m["total"] == 4
    assert {r["name"]: r["members"] for r in data["children"]} == {d.street_a.name: 4, d.street_b.name: 0}
    # ages as of that day: 青年乙 and 中年丙 were 30, 转会者 32, 中年丁 40
    assert [a["count"] for a in m["ages"]] == [3, 1, 0, 0]
    assert (m["youth"], m["women"]) == (3, 2)


def test_this_year_counts_the_months_so_far(f):
    d = f.d
    data = selectors.compute(d.fed, YEAR, now=dt.datetime(2026, 3, 31, 23, 30, tzinfo=NOW.tzinfo))
    assert [t["month"] for t in data["trend"]] == ["1月", "2月", "3月"]
    assert data["activities"]["months"] == 3


def test_leap_day_birthdays():
    assert selectors.years_before(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)
    assert selectors.years_before(dt.date(2026, 12, 2), 36) == dt.date(1990, 12, 2)
