"""工作台 待办 (党建): an open 组织关系介绍信 waits for the receiving branch's administrators (and those above it), as
the 组织关系转接 page's 待本支部接收 lists it; one waiting 30 days or more is named overdue; gone once received."""

import datetime as dt

import pytest
from django.utils import timezone

from lianxin.core.testing import TODO_CARD, todo_card
from lianxin.party import services
from lianxin.party import todos as party_todos
from lianxin.party.models import TransferLetter
from lianxin.party.testing import make_party_member

pytestmark = pytest.mark.django_db
LABEL = "待接收的组织关系介绍信"


def counts(user) -> tuple[int, int]:
    got = {t.label: (t.count, t.overdue) for t in party_todos.letters(user)}
    return got.get(LABEL, (0, 0))


def test_a_letter_waits_for_the_receiving_branch(party, client):
    d, u = party, party.users
    m = make_party_member(d.branch_a, "华")
    letter = services.send_letter(actor=u["street_a.admin"], member=m, to_branch=d.branch_b, note="工作调动")
    assert counts(u["street_b.admin"]) == (1, 0)
    assert counts(u["fed.admin"]) == (1, 0)  # an administrator above the receiving branch may receive it too
    # a viewer or reviewer of the receiver, and the sender (it waits at the other side), have nothing to do
    for name in ("street_b.viewer", "street_b.reviewer", "street_a.admin", "base_a1.admin"):
        assert counts(u[name]) == (0, 0), name
    [t] = party_todos.letters(u["street_b.admin"])
    assert (t.section, t.url) == ("党建", "/console/party/letters/")
    client.force_login(u["street_b.admin"])
    resp = client.get(t.url)
    assert resp.status_code == 200
    incoming = resp.content.decode().split('<table id="incoming">')[1].split("</table>")[0]
    assert f"/console/party/letters/{letter.pk}/" in incoming

    # 30 local days of waiting: overdue, on the card too
    TransferLetter.objects.filter(pk=letter.pk).update(sent_at=timezone.now() - dt.timedelta(days=31))
    assert counts(u["street_b.admin"]) == (1, 1)
    TransferLetter.objects.filter(pk=letter.pk).update(sent_at=timezone.now() - dt.timedelta(days=28))
    assert counts(u["street_b.admin"]) == (1, 0)
    TransferLetter.objects.filter(pk=letter.pk).update(sent_at=timezone.now() - dt.timedelta(days=31))
    resp = client.get("/console/")
    assert resp.status_code == 200
    card = TODO_CARD.search(resp.content.decode()).group(1)
    assert f'<a href="/console/party/letters/">{LABEL}</a> <b>1</b>' in card
    assert '<a class="todo-overdue" href="/console/party/letters/">其中 1 件已超期</a>' in card

    services.accept_letter(actor=u["street_b.admin"], letter=letter, on=timezone.localdate())
    assert counts(u["street_b.admin"]) == (0, 0)
    assert LABEL not in todo_card(client)


def test_each_item_is_at_most_two_count_queries(party, django_assert_max_num_queries):
    d, u = party, party.users
    services.send_letter(
        actor=u["street_a.admin"], member=make_party_member(d.branch_a), to_branch=d.branch_b
    )
    user = u["street_b.admin"]
    with django_assert_max_num_queries(3):  # the grants once, the count and the overdue count
        list(party_todos.letters(user))
