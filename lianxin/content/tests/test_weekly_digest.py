"""周周有报道: the digest of an ISO week lists what was published in it (Shanghai time)."""

import datetime as dt

import pytest
from django.core.management import call_command

from lianxin.content.models import Article, WeeklyDigest
from lianxin.content.weeks import SHANGHAI, parse_week, week_range_utc

from .conftest import publish


def _at(a, when):
    Article.objects.filter(pk=a.pk).update(published_at=when)


def test_week_parsing():
    assert parse_week("2026-W48") == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    start, end = week_range_utc("2026-W48")
    assert start == dt.datetime(2026, 11, 23, tzinfo=SHANGHAI) and end - start == dt.timedelta(days=7)


@pytest.mark.pg
def test_digest_page_and_command(client, district):
    inside = publish(district, title="本周新闻")
    edge = publish(district, title="周日深夜")
    outside = publish(district, title="下周新闻")
    _at(inside, dt.datetime(2026, 11, 25, 10, tzinfo=SHANGHAI))
    _at(edge, dt.datetime(2026, 11, 29, 23, 30, tzinfo=SHANGHAI))  # still W48 in Shanghai, W49 is not UTC
    _at(outside, dt.datetime(2026, 11, 30, 0, 10, tzinfo=SHANGHAI))
    html = client.get("/m/news/weekly/?week=2026-W48").content.decode()
    assert "本周新闻" in html and "周日深夜" in html and "下周新闻" not in html
    call_command("build_weekly_digest", week="2026-W48")
    d = WeeklyDigest.objects.get(week="2026-W48")
    assert d.article_ids == [edge.pk, inside.pk]
    # frozen: an article moved into the week later does not join the built digest
    _at(outside, dt.datetime(2026, 11, 26, 9, tzinfo=SHANGHAI))
    html = client.get("/m/news/weekly/?week=2026-W48").content.decode()
    assert "下周新闻" not in html and "编于" in html


def test_bad_week_is_404(client, db):
    assert client.get("/m/news/weekly/?week=2026-W99").status_code == 404
    assert client.get("/m/news/weekly/?week=<script>").status_code == 404


def test_task_builds_the_digest(district):
    from lianxin.content.services import build_weekly_digest_task

    a = publish(district, title="任务新闻")
    _at(a, dt.datetime(2026, 11, 24, 8, tzinfo=SHANGHAI))
    result = build_weekly_digest_task.enqueue("2026-W48")
    assert result.return_value == "2026-W48"
    assert WeeklyDigest.objects.get(week="2026-W48").article_ids == [a.pk]
