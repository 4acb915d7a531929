"""The demo seeds run through the real services on a small district and produce what the demo promises."""

import datetime as dt
import random
from types import SimpleNamespace

from django.utils import timezone

from lianxin.content import demo as content_demo
from lianxin.content.models import Article, ArticleStatus, Book, WeeklyDigest
from lianxin.core.testing import make_user
from lianxin.venues import demo as venues_demo
from lianxin.venues.models import Site, Slot


def test_seed(district):
    d = district
    users = {}
    for prefix, org in (("qt", d.fed), ("by", d.street_a), ("xs", d.street_b)):
        for role in ("admin", "reviewer"):
            users[f"{prefix}_{role}"] = make_user(f"{prefix}_{role}", org, role)
    ctx = SimpleNamespace(fed=d.fed, streets=[d.street_a, d.street_b], unions=[], enterprises=[], users=users,
                          rng=random.Random(1), today=timezone.localdate(), log=lambda m: None)
    content_demo.seed(ctx)
    venues_demo.seed(ctx)
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    assert published.count() == 12 and len(set(published.values_list("category", flat=True))) == 6
    assert Article.objects.filter(status=ArticleStatus.PENDING).count() == 1
    assert set(Book.objects.values_list("format", flat=True)) == {"pdf", "epub"}
    assert Book.objects.get(title="大国工匠的故事").chapters.count() == 3
    assert WeeklyDigest.objects.count() == 1
    assert Site.objects.filter(street=d.street_a).count() >= 4 and Site.objects.filter(street=d.street_b).count() >= 4
    first = Slot.objects.order_by("starts_at").first().starts_at
    assert timezone.localdate(first) == ctx.today + dt.timedelta(days=1)
    assert Slot.objects.filter(site__bookable=False).count() == 0 and Slot.objects.count() >= 7 * 2 * 7
