"""工作台 待办事项: the registry (menu order, zero counts dropped, every app's todos module found) and the card on
the console's home page, with the workflow's and the news's items counted for the one who may act only."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from lianxin.core import todos
from lianxin.core.testing import todo_card as card
from lianxin.core.todos import Todo
from lianxin.workflow import services as wf
from lianxin.workflow.models import Step
from lianxin.workflow.tests.helpers import join_data, worker

pytestmark = pytest.mark.django_db




def items(html) -> dict[str, str]:
    return dict(re.findall(r'<a href="[^"]+">([^<]+)</a> <b>(\d+)</b>', html))


def test_the_registry_keeps_menu_order_and_drops_empty_items(monkeypatch):
    todos.providers()  # the apps' own modules are discovered first
    monkeypatch.setattr(todos, "_PROVIDERS", [
        (50, lambda u: [Todo("乙", "后", 2, "/b/")]),
        (5, lambda u: [Todo("甲", "先", 1, "/a/"), Todo("甲", "空", 0, "/z/")]),
        (7, lambda u: None),
    ])
    assert [t.label for t in todos.for_user(None)] == ["先", "后"]


def test_every_app_with_work_waiting_registers_its_module():
    modules = {fn.__module__ for fn in todos.providers()}
    assert {"lianxin.workflow.todos", "lianxin.content.todos"} <= modules


def test_the_card_counts_applications_for_the_reviewer_who_may_decide(district, client):
    d = district
    for n in (1, 2):
        wf.create_application(actor=worker(f"w{n}"), programme="join", data=join_data(d, n=n), submit=True)
    client.force_login(d.users["base_a1.reviewer"])
    assert items(card(client))["待我审核的申请"] == "2"
    # one past its deadline is named, with the link to the overdue list
    Step.objects.filter(pk=Step.objects.order_by("pk").first().pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    html = card(client)
    assert '<a class="todo-overdue" href="/console/applications/?overdue=1">其中 1 件已超期</a>' in html
    # a viewer of the same union, and a reviewer of the other street, have nothing to do
    for name in ("base_a1.viewer", "street_b.reviewer"):
        client.force_login(d.users[name])
        assert "待我审核的申请" not in card(client), name
    client.force_login(d.users["street_b.reviewer"])
    assert "暂无待办事项" in card(client)


def test_the_card_counts_articles_waiting_for_review(district, client):
    from lianxin.content import services as content

    d = district
    art = content.create_article(actor=d.users["base_a1.admin"], org=d.base_a1, category="news", title="标题",
                                 summary="", body="正文")
    content.submit_article(actor=d.users["base_a1.admin"], article_id=art.pk)
    client.force_login(d.users["street_a.reviewer"])
    assert items(card(client))["待审核的文章"] == "1"
    client.force_login(d.users["street_b.reviewer"])
    assert "待审核的文章" not in card(client)


def test_the_api_gives_the_same_items_to_staff_and_refuses_members(district, client):
    d = district
    wf.create_application(actor=worker("w9"), programme="join", data=join_data(d, n=9), submit=True)
    client.force_login(d.users["base_a1.reviewer"])
    resp = client.get("/api/v1/core/todos")
    assert resp.status_code == 200
    assert resp.json() == [{"section": "审批", "label": "待我审核的申请", "count": 1, "url": "/console/applications/",
                            "overdue": 0, "overdue_url": "/console/applications/?overdue=1"}]
    client.force_login(d.users["street_b.reviewer"])
    assert client.get("/api/v1/core/todos").json() == []
    client.force_login(worker("w10"))
    resp = client.get("/api/v1/core/todos")
    assert resp.status_code == 403 and resp.json()["detail"] == "仅限工作人员查看"
    client.logout()
    assert client.get("/api/v1/core/todos").status_code == 401
