"""On PostgreSQL, with one connection per thread: two reviewers publishing at once publish once; a member
opening a book in many tabs at once is counted once that day."""


import pytest

from lianxin.content import services
from lianxin.content.models import Article, Book, BookRead
from lianxin.core.testing import race

from .conftest import pdf_book


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_publish_once(district):
    d = district
    a = services.create_article(actor=d.users["base_a1.admin"], org=d.base_a1, category="news", title="t", body="b")
    services.submit_article(actor=d.users["base_a1.admin"], article_id=a.pk)
    reviewers = [d.users["base_a1.reviewer"], d.users["street_a.reviewer"], d.users["fed.reviewer"]] * 3
    results = race([lambda r=r: services.publish_article(actor=r, article_id=a.pk) and "ok" for r in reviewers])
    assert results.count("ok") == 1 and results.count("invalid") == len(reviewers) - 1
    assert Article.objects.get(pk=a.pk).status == "published"
    from lianxin.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="content.article_publish", object_id=str(a.pk)).count() == 1


@pytest.mark.pgonly
@pytest.mark.django_db(transaction=True)
def test_many_tabs_count_one_read(district, member):
    b = pdf_book(district)
    results = race([lambda: services.record_book_read(user=member, book=b)] * 10)
    assert results.count(True) == 1
    assert Book.objects.get(pk=b.pk).read_count == 1 == BookRead.objects.filter(book=b).count()
