"""创新成果评审 on both databases: who submits, judges score once and see only their own marks before the close,
the trimmed mean with five judges or more, places with ties, prizes by configurable counts, the audit entries,
and the xlsx export (defused)."""

import io

import pytest
from django.db import IntegrityError, transaction

from lianxin.core.errors import ServiceError
from lianxin.core.models import AuditEntry
from lianxin.core.testing import ROOT, make_user
from lianxin.talent import innovation
from lianxin.talent.models import InnovationEntry, InnovationScore
from lianxin.talent.testing import make_entry, make_round

pytestmark = [pytest.mark.django_db, pytest.mark.pg]


def judges(district, n):
    return [make_user(f"judge{i}", district.street_a if i % 2 else district.fed, "viewer") for i in range(n)]


def judging_round(district, titles, js, **kw):
    rnd = make_round(district.fed, **kw)
    es = [make_entry(rnd, district.base_a1 if i % 2 == 0 else district.base_b1, t) for i, t in enumerate(titles)]
    for j in js:
        innovation.add_judge(actor=ROOT, round=rnd, user=j)
    return innovation.start_judging(actor=ROOT, round=rnd), es


def score(j, e, s):
    return innovation.score_entry(actor=j, entry=e, score=s)


def test_unions_submit_inside_their_scope_and_the_organisers_subtree(district):
    rnd = make_round(district.street_a, actor=district.users["street_a.admin"])
    base_admin = district.users["base_a1.admin"]
    e = innovation.submit_entry(actor=base_admin, round=rnd, union=district.base_a1, title="快速换模夹具",
                                team="张三、李四", summary="换模时间由四十分钟缩短到八分钟，年节约工时两千余小时，已推广到三条产线。",
                                category="innovation", benefit="12,345.60")
    assert e.benefit_fen == 1234560
    bad = dict(actor=base_admin, round=rnd, union=district.base_a1, title="另一项", team="王五",
               summary="这是一段足够长的成果简介，说明解决了什么问题以及效果。", category="method", benefit="0")
    for change, field in (({"union": district.base_b1}, "union"), ({"title": ""}, "title"), ({"team": ""}, "team"),
                          ({"summary": "太短"}, "summary"), ({"category": "x"}, "category"),
                          ({"benefit": "-5"}, "benefit"), ({"benefit": "1.234"}, "benefit"),
                          ({"title": "快速换模夹具"}, "title")):
        with pytest.raises(ServiceError) as err:
            innovation.submit_entry(**{**bad, **change})
        assert err.value.field == field, (change, err.value.message)
    with pytest.raises(ServiceError) as err:
        innovation.submit_entry(**{**bad, "actor": district.users["street_a.viewer"]})
    assert "管理范围" in err.value.message
    assert InnovationEntry.objects.count() == 1
    assert AuditEntry.objects.filter(action="talent.innovation_submit").count() == 1


def test_judges_are_staff_of_the_subtree_and_need_entries_and_judges_to_start(district):
    rnd = make_round(district.street_a)
    with pytest.raises(ServiceError):
        innovation.start_judging(actor=ROOT, round=rnd)
    make_entry(rnd, district.base_a1, "合理化建议一")
    with pytest.raises(ServiceError) as err:
        innovation.start_judging(actor=ROOT, round=rnd)
    assert err.value.code == "no_judges"
    outsider = district.users["street_b.viewer"]
    with pytest.raises(ServiceError) as err:
        innovation.add_judge(actor=ROOT, round=rnd, user=outsider)
    assert err.value.field == "user"
    j = district.users["base_a1.viewer"]
    innovation.add_judge(actor=ROOT, round=rnd, user=j)
    with pytest.raises(ServiceError) as err:
        innovation.add_judge(actor=ROOT, round=rnd, user=j)
    assert err.value.code == "duplicate"
    with pytest.raises(ServiceError):
        innovation.add_judge(actor=district.users["street_b.admin"], round=rnd, user=district.users["street_a.viewer"])
    assert innovation.start_judging(actor=ROOT, round=rnd).status == "judging"


def test_each_judge_scores_each_entry_once_within_0_to_100_while_judging(district):
    js = judges(district, 2)
    rnd, es = judging_round(district, ["甲", "乙"], js)
    score(js[0], es[0], "88")
    with pytest.raises(ServiceError) as err:
        score(js[0], es[0], "90")
    assert err.value.code == "duplicate"
    for bad in ("", "101", "-1", "88.5", "abc"):
        with pytest.raises(ServiceError) as err:
            score(js[0], es[1], bad)
        assert err.value.field == "score"
    with pytest.raises(ServiceError) as err:
        score(district.users["fed.admin"], es[1], "80")
    assert "不是本轮评审的评委" in err.value.message
    assert InnovationScore.objects.count() == 1
    # the audit entry names the entry, never the mark
    a = AuditEntry.objects.get(action="talent.innovation_score")
    assert "88" not in str(a.detail)
    with pytest.raises(IntegrityError), transaction.atomic():
        InnovationScore.objects.create(round=rnd, entry=es[0], judge=js[0], score=50)
    with pytest.raises(IntegrityError), transaction.atomic():
        InnovationScore.objects.create(round=rnd, entry=es[1], judge=js[1], score=101)


def test_closing_needs_every_score_then_trims_with_five_judges_and_ranks_with_ties(district):
    js = judges(district, 5)
    rnd, es = judging_round(district, ["A", "B", "C", "D", "E"], js, first_prizes=1, second_prizes=1,
                            third_prizes=1)
    marks = {"A": [91, 92, 93, 94, 10],  # trimmed: 91 92 93 → 92
             "B": [100, 92, 92, 92, 80],  # 92 92 92 → 92 (tied with A)
             "C": [85, 85, 85, 85, 85],
             "D": [70, 99, 80, 81, 82],  # 80 81 82 → 81
             "E": [60, 60, 60, 60, 61]}
    for e in es:
        for j, m in zip(js, marks[e.title], strict=True):
            if not (e.title == "E" and j == js[4]):
                score(j, e, m)
    with pytest.raises(ServiceError) as err:
        innovation.close_round(actor=ROOT, round=rnd)
    assert err.value.code == "incomplete" and "1 份" in err.value.message
    score(js[4], es[4], 61)
    innovation.close_round(actor=ROOT, round=rnd)
    got = {e.title: (e.average, e.counted, e.rank, e.tied, e.prize) for e in InnovationEntry.objects.all()}
    assert got == {"A": (9200, 3, 1, True, "first"), "B": (9200, 3, 1, True, "first"),
                   "C": (8500, 3, 3, False, "third"), "D": (8100, 3, 4, False, ""), "E": (6000, 3, 5, False, "")}
    with pytest.raises(ServiceError):
        score(js[0], es[0], 1)
    with pytest.raises(ServiceError):
        innovation.close_round(actor=ROOT, round=rnd)


def test_with_fewer_than_five_judges_nothing_is_dropped_and_means_round_half_up(district):
    js = judges(district, 3)
    rnd, es = judging_round(district, ["A", "B"], js, first_prizes=0, second_prizes=1, third_prizes=0)
    for j, m in zip(js, [100, 0, 1], strict=True):
        score(j, es[0], m)  # 101 / 3 = 33.666… → 33.67
    for j, m in zip(js, [34, 34, 33], strict=True):
        score(j, es[1], m)  # 101 / 3 as well: the same exact mean, a shared place
    innovation.close_round(actor=ROOT, round=rnd)
    rows = list(InnovationEntry.objects.order_by("pk").values_list("average", "counted", "rank", "tied", "prize"))
    assert rows == [(3367, 3, 1, True, "second"), (3367, 3, 1, True, "second")]


def test_the_export_is_an_xlsx_of_the_results_with_every_cell_defused_and_audited(district):
    from python_calamine import CalamineWorkbook

    js = judges(district, 1)
    rnd = make_round(district.fed)
    make_entry(rnd, district.base_a1, "=HYPERLINK(\"http://x\")")
    make_entry(rnd, district.base_b1, "普通成果")
    innovation.add_judge(actor=ROOT, round=rnd, user=js[0])
    rnd = innovation.start_judging(actor=ROOT, round=rnd)
    for i, e in enumerate(InnovationEntry.objects.order_by("pk")):
        score(js[0], e, 90 - i)
    with pytest.raises(ServiceError):
        innovation.export_results(actor=ROOT, round=rnd, rows=InnovationEntry.objects.all())
    rnd = innovation.close_round(actor=ROOT, round=rnd)
    w = innovation.export_results(actor=ROOT, round=rnd, rows=InnovationEntry.objects.order_by("rank"))
    data = w.open().read()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["名次", "奖项", "成果名称"]
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")" and rows[1][1] == "一等奖"
    assert rows[1][6] == 12000 and rows[1][7] == 90
    assert b"<f>" not in data
    assert AuditEntry.objects.filter(action="talent.innovation_export").count() == 1
