"""A grassroots chair opening a form that only a street or the federation can run is told so at once, instead of
an empty 主办单位 list that fails every save with 这个字段是必填项 (found by walking the console as base_admin)."""

import pytest

pytestmark = pytest.mark.django_db

RUN_ABOVE = [
    "/console/talent/new/", "/console/talent/competitions/new/", "/console/training/new/", "/console/mutualaid/new/",
    "/console/assistance/campaigns/new/", "/console/assistance/retreats/new/", "/console/assistance/homeward/new/",
    "/console/talent/innovation/new/", "/console/governance/rounds/new/",
]


@pytest.mark.parametrize("url", RUN_ABOVE)
def test_the_form_says_who_runs_it_when_there_is_no_organiser_to_choose(client, district, url):
    client.force_login(district.users["base_a1.admin"])
    html = client.get(url).content.decode()
    assert 'id="no-org"' in html and "您所在的组织不能新建此项" in html
    client.force_login(district.users["street_a.admin"])
    html = client.get(url).content.decode()
    assert 'name="org"' in html and 'id="no-org"' not in html


def test_no_notice_where_the_chair_may_organise(client, district):
    client.force_login(district.users["base_a1.admin"])
    html = client.get("/console/activities/new/").content.decode()
    assert 'name="org"' in html and 'id="no-org"' not in html
