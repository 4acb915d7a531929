"""Draft → review → publish: who may do what, and what members see."""

import pytest
from django.http import Http404

from lianxin.content import selectors, services
from lianxin.content.models import ArticleStatus
from lianxin.core.errors import PermissionDenied, ServiceError

from .conftest import publish


def _draft(d, author="base_a1.admin", org=None):
    return services.create_article(actor=d.users[author], org=org or d.base_a1, category="notice",
                                   title="关于开展职工疗休养的通知", body="第一段\n\n第二段")


def test_author_submits_and_same_org_reviewer_publishes(district):
    d = district
    a = _draft(d)
    assert a.status == ArticleStatus.DRAFT
    services.submit_article(actor=d.users["base_a1.admin"], article_id=a.pk)
    a = services.publish_article(actor=d.users["base_a1.reviewer"], article_id=a.pk)
    assert a.status == ArticleStatus.PUBLISHED and a.published_at and a.reviewer == d.users["base_a1.reviewer"]
    assert list(selectors.published_articles()) == [a]


def test_higher_organisation_reviewer_may_publish(district):
    d = district
    a = _draft(d)
    services.submit_article(actor=d.users["base_a1.admin"], article_id=a.pk)
    services.publish_article(actor=d.users["street_a.reviewer"], article_id=a.pk)
    a.refresh_from_db()
    assert a.status == ArticleStatus.PUBLISHED


def test_other_street_reviewer_cannot_see_it(district):
    d = district
    a = _draft(d)
    services.submit_article(actor=d.users["base_a1.admin"], article_id=a.pk)
    with pytest.raises(Http404):
        services.publish_article(actor=d.users["street_b.reviewer"], article_id=a.pk)
    assert not selectors.review_queue(d.users["street_b.reviewer"]).exists()
    assert selectors.review_queue(d.users["street_a.reviewer"]).get() == a


def test_author_cannot_publish_own_article(district):
    d = district
    a = _draft(d)
    services.submit_article(actor=d.users["base_a1.admin"], article_id=a.pk)
    with pytest.raises(PermissionDenied):
        services.publish_article(actor=d.users["base_a1.admin"], article_id=a.pk)


def test_viewer_and_lower_org_cannot_write_or_review(district):
    d = district
    with pytest.raises(PermissionDenied):
        _draft(d, author="base_a1.viewer")
    with pytest.raises(PermissionDenied):  # a base-union admin cannot publish as the street
        _draft(d, author="base_a1.admin", org=d.street_a)
    a = _draft(d)
    services.submit_article(actor=d.users["base_a1.admin"], article_id=a.pk)
    with pytest.raises(PermissionDenied):
        services.publish_article(actor=d.users["base_a1.viewer"], article_id=a.pk)


def test_draft_cannot_be_published_before_submission(district):
    d = district
    a = _draft(d)
    with pytest.raises(ServiceError):
        services.publish_article(actor=d.users["base_a1.reviewer"], article_id=a.pk)


def test_return_edit_resubmit(district):
    d = district
    a = _draft(d)
    services.submit_article(actor=d.users["base_a1.admin"], article_id=a.pk)
    with pytest.raises(ServiceError) as e:
        services.return_article(actor=d.users["base_a1.reviewer"], article_id=a.pk, reason=" ")
    assert e.value.field == "reason"
    services.return_article(actor=d.users["base_a1.reviewer"], article_id=a.pk, reason="请补充时间地点")
    a.refresh_from_db()
    assert a.status == ArticleStatus.RETURNED and a.return_reason == "请补充时间地点"
    services.update_article(actor=d.users["base_a1.admin"], article_id=a.pk, category="notice", title="改后标题",
                            body="时间：周六")
    services.submit_article(actor=d.users["base_a1.admin"], article_id=a.pk)
    services.publish_article(actor=d.users["base_a1.reviewer"], article_id=a.pk)
    a.refresh_from_db()
    assert a.status == ArticleStatus.PUBLISHED and a.title == "改后标题" and a.return_reason == ""


def test_published_article_is_not_editable_and_can_be_withdrawn(district):
    d = district
    a = publish(d)
    with pytest.raises(ServiceError):
        services.update_article(actor=d.users["base_a1.admin"], article_id=a.pk, category="news", title="x",
                                body="y")
    services.withdraw_article(actor=d.users["street_a.admin"], article_id=a.pk, reason="信息有误")
    assert not selectors.published_articles().exists()


def test_validation_names_the_field(district):
    d = district
    with pytest.raises(ServiceError) as e:
        services.create_article(actor=d.users["base_a1.admin"], org=d.base_a1, category="nope", title="x", body="y")
    assert e.value.field == "category"
    with pytest.raises(ServiceError) as e:
        services.create_article(actor=d.users["base_a1.admin"], org=d.base_a1, category="news", title="", body="y")
    assert e.value.field == "title"


def test_member_pages_show_only_published_and_escape_the_body(client, district):
    d = district
    a = publish(d, title="安全生产月", body='<script>alert("x")</script>\n\n第二段<b>粗</b>')
    hidden = _draft(d)
    r = client.get("/m/news/")
    assert r.status_code == 200 and "安全生产月" in r.content.decode() and hidden.title not in r.content.decode()
    r = client.get(f"/m/news/{a.pk}/")
    html = r.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<p>第二段&lt;b&gt;粗&lt;/b&gt;</p>" in html
    assert client.get(f"/m/news/{hidden.pk}/").status_code == 404


def test_category_filter(client, district):
    publish(district, title="团青活动", category="youth")
    publish(district, title="女职工权益", category="women")
    html = client.get("/m/news/?c=women").content.decode()
    assert "女职工权益" in html and "团青活动" not in html


def test_console_flow_through_pages(client, district):
    d = district
    client.force_login(d.users["base_a1.admin"])
    r = client.post("/console/content/new/", {"org": d.base_a1.pk, "category": "news", "kind": "article",
                                               "title": "页面新建", "summary": "", "body": "内容"})
    assert r.status_code == 302
    pk = int(r["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/console/content/{pk}/submit/").status_code == 302
    # the author sees no publish button and a direct POST is refused
    assert "审核通过并发布" not in client.get(f"/console/content/{pk}/").content.decode()
    assert client.post(f"/console/content/{pk}/publish/").status_code == 403
    client.force_login(d.users["street_a.reviewer"])
    assert "页面新建" in client.get("/console/content/review/").content.decode()
    assert client.post(f"/console/content/{pk}/publish/").status_code == 302
    assert client.get(f"/m/news/{pk}/").status_code == 200
