"""工作台 待办 of 帮扶救助: 送温暖 names waiting for the organiser's review and 平安返乡 applications waiting for
confirmation. Each is counted in one grouped query and linked to the page that lists it (the campaign's or the
programme's own, filtered by status, or the list of them when the items span several)."""

from lianxin.core.scoping import desk_paths, scoped
from lianxin.core.todos import Todo, grouped, todo

from .models import CampaignStatus, HomewardApplication, HomewardStatus, Recipient, RecipientStatus


@todo(order=40)
def warmth_recipients(user):
    """待审核 names of open campaigns organised by an organisation where I am an administrator myself (the
    organiser reviews; an ancestor could, but it is not their desk)."""
    qs = Recipient.objects.filter(status=RecipientStatus.PROPOSED, campaign__status=CampaignStatus.OPEN)
    paths = desk_paths(user, "change")
    if paths is not None:
        qs = qs.filter(campaign__org__path__in=paths)
    n, ids = grouped(qs, "campaign_id")
    url = (f"/console/assistance/campaigns/{ids[0]}/?status=proposed" if len(ids) == 1
           else "/console/assistance/campaigns/")
    yield Todo("帮扶救助", "待审核的送温暖名单", n, url)


@todo(order=41)
def homeward_applications(user):
    """待确认 平安返乡 applications of members of the unions I administer (the union's staff in scope confirm,
    as ``services_homeward.decide`` allows and the programme page offers)."""
    qs = scoped(HomewardApplication.objects.filter(status=HomewardStatus.APPLIED), user, "change")
    n, ids = grouped(qs, "programme_id")
    url = (f"/console/assistance/homeward/{ids[0]}/?status=applied" if len(ids) == 1
           else "/console/assistance/homeward/")
    yield Todo("帮扶救助", "待确认的平安返乡报名", n, url)
