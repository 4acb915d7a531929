"""工作台 待办 of 帮扶救助: 送温暖 names waiting for the organiser's review and 平安返乡 applications waiting for
confirmation. Each is counted in one grouped query and linked to the page that lists it (the campaign's or the
programme's own, filtered by status, or the list of them when the items span several)."""

from lianxin.core.todos import Todo, grouped, link, todo

from . import selectors, selectors_homeward


@todo(order=40)
def warmth_recipients(user):
    n, ids = grouped(selectors.names_to_review(actor=user), "campaign_id")
    url = link(ids, "/console/assistance/campaigns/{}/?status=proposed", "/console/assistance/campaigns/")
    yield Todo("帮扶救助", "待审核的送温暖名单", n, url)


@todo(order=41)
def homeward_applications(user):
    n, ids = grouped(selectors_homeward.applications_to_confirm(actor=user), "programme_id")
    url = link(ids, "/console/assistance/homeward/{}/?status=applied", "/console/assistance/homeward/")
    yield Todo("帮扶救助", "待确认的平安返乡报名", n, url)
