"""Every console create/edit form is gated at its URL, not only by its button and its service.

* A form for a new record: a viewer, auditor or reviewer who types the address gets the console's Chinese 403
  page on GET (before filling anything in) and on POST, with nothing written (``scoping.offers``: the same
  "may change somewhere" rule as the pages' buttons).
* A form for an existing object: the object's path decides (``get_scoped_or_404(..., "change")``): 403 for a
  role that sees the object, 404 for one whose subtree does not hold it (existence does not leak).
* An administrator in scope gets the form and can save it (the same POST the refused roles sent); an
  administrator of another street gets 404 for that street's objects and cannot save a new record into it.

The list of forms is checked against the URLconf: every console URL named ``…-new`` or ``…-edit`` must have a
case in ``FORMS``, so a new form added without a gate fails here."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from lianxin.core.scoping import scoped
from lianxin.core.testing import credit_code, id_number, make_person, mobile

pytestmark = [pytest.mark.django_db, pytest.mark.pg]

_n = itertools.count(9000)


def _training_class_of(o, s):
    """One training class per street for the edit form's case, made on first use."""
    from lianxin.training.testing import make_class

    cache = o.__dict__.setdefault("_training_classes", {})
    if s not in cache:
        cache[s] = make_class(o.street[s], title=f"班组长培训班{next(_n)}", places=40)
    return cache[s]


def console_form_names() -> set[str]:
    """Names of the console URLs that are forms by naming convention (``…-new``, ``…-edit``)."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name

    return {name for route, name in walk(get_resolver().url_patterns)
            if route.startswith("console/") and name and name.endswith(("-new", "-edit"))}


@dataclass(frozen=True)
class Form:
    url: Callable  # (objects, side "a"|"b") -> the form's address; for a new record the side does not matter
    data: Callable  # (objects, side) -> a POST the street_a administrator can save on side "a"
    edit: bool = False  # an existing object's form: the object's path decides (404 outside the subtree)
    get_status: int = 200  # what the administrator in scope gets on GET
    obj: Callable | None = None  # (objects) -> the side-"a" object an edit form is about

    def visible_to(self, objects, user) -> bool:
        """The user may read the form's object (so a refusal is 403, not 404)."""
        o = self.obj(objects)
        return scoped(type(o)._default_manager.filter(pk=o.pk), user, "view").exists()


def _png():
    from lianxin.content.samples import make_png

    return SimpleUploadedFile("p.png", make_png(), content_type="image/png")


def _pdf():
    from lianxin.content.samples import make_pdf

    return SimpleUploadedFile("b.pdf", make_pdf("职工读本", ["第一章"]), content_type="application/pdf")


def _xlsx(side):
    from lianxin.rosters.tests.helpers import upload, xlsx_bytes

    return upload(xlsx_bytes([["姓名", "身份证号"], ["甲", id_number()]]))


def _when(days, hour):
    t = timezone.localtime() + dt.timedelta(days=days)
    return t.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def _activity(o, side):
    return {"org": o.street[side].pk, "title": f"读书会{next(_n)}", "venue": "职工书屋", "starts_at": _when(10, 14),
            "ends_at": _when(10, 16), "signup_opens_at": _when(1, 9), "signup_closes_at": _when(9, 18),
            "capacity": 20, "waitlist_size": 0, "monthly_limit": ""}


def _enterprise(o, side):
    return {"name": f"杭州测试{next(_n)}有限公司", "credit_code": credit_code(next(_n)), "industry": "C",
            "size": "small", "ownership": "private", "street": o.street[side].pk, "address": "白杨路1号",
            "headcount": 30}


def _site(o, side):
    return {"org": o.street[side].pk, "street": o.street[side].pk, "kind": "home", "name": f"职工之家{next(_n)}",
            "address": "白杨路2号", "bookable": "on", "is_active": "on"}


def _selection(o, side):
    return {"org": o.street[side].pk, "title": f"最美职工评选{next(_n)}", "honour_title": "最美职工",
            "honour_level": "district", "honour_category": "exemplary", "nomination_deadline": _when(3, 18),
            "voting_opens_at": _when(4, 9), "voting_closes_at": _when(10, 18), "votes_per_member": 3,
            "winners_count": 10}


def _honour(o, side):
    return {"who": o.honour_who[side], "title": f"杭州市劳动模范{next(_n)}", "category": "model_worker", "level": "city",
            "year": 2024, "awarded_by": "杭州市人民政府"}


def _vproject(o, side):
    return {"org": o.street[side].pk, "title": f"社区义诊进楼道{next(_n)}", "place": "文体中心",
            "starts_at": _when(5, 9), "ends_at": _when(5, 12), "signup_deadline": _when(4, 18), "places": "10",
            "hours": "2.5", "skills": ["medic"]}


def _care_campaign(o, side):
    return {"org": o.street[side].pk, "kind": "screening", "title": f"女职工两癌筛查{next(_n)}", "place": "妇幼保健院",
            "starts_at": _when(6, 8), "ends_at": _when(6, 16), "signup_deadline": _when(4, 18), "places": "50",
            "min_age": "25", "max_age": "64"}


def _care_class(o, side):
    day = timezone.localdate()
    return {"org": o.street[side].pk, "title": f"暑期爱心托管班{next(_n)}", "place": "职工之家",
            "starts_on": (day + dt.timedelta(days=10)).isoformat(), "ends_on": (day + dt.timedelta(days=30)).isoformat(),
            "daily_hours": "08:30-17:00", "signup_deadline": _when(5, 18), "places": "20", "min_age": "6",
            "max_age": "12"}


def _care_room(o, side):
    return {"union": o.base[side].pk, "enterprise_name": "杭州测试有限公司", "location": f"行政楼{next(_n)}室",
            "area_m2": "12.5", "facilities": ["fridge", "seat", "sink"], "opening_hours": "工作日 08:30-17:30"}


def _care_made(o, side):
    """The side's care campaign and summer class (for their edit forms), made on first use."""
    made = o.__dict__.setdefault("care_made", {})
    if side not in made:
        from lianxin.care.testing import make_campaign, make_class

        made[side] = (make_campaign(o.street[side], title=f"女职工两癌筛查{next(_n)}", places=40),
                      make_class(o.street[side], title=f"暑期爱心托管班{next(_n)}", places=30))
    return made[side]


def _care_room_of(o, side):
    """The side's 爱心妈咪小屋 (waiting for review), made on first use."""
    made = o.__dict__.setdefault("care_room", {})
    if side not in made:
        from lianxin.care import services as care

        made[side] = care.register_room(actor=o.d.users[f"street_{side}.admin"], union=o.base[side],
                                        **{k: v for k, v in _care_room(o, side).items() if k != "union"},
                                        contact="")
    return made[side]


def _vproject_of(o, side):
    """The side's 志愿服务项目, made on first use (the objects fixture stays as it is)."""
    made = o.__dict__.setdefault("vproject", {})
    if side not in made:
        from lianxin.volunteers.testing import make_project

        made[side] = make_project(o.street[side], actor=o.d.users[f"street_{side}.admin"])
    return made[side]


def _party_of(o, side):
    """The side's 党支部 (under the street) with one party member on its roster and a person ready to enrol, made
    on first use (from the form's address, so before any snapshot)."""
    made = o.__dict__.setdefault("party", {})
    if side not in made:
        from lianxin.members import services as members
        from lianxin.party.testing import make_branch, make_party_member

        branch = make_branch(o.street[side], f"第{next(_n)}党支部")
        member = make_party_member(branch, "党员甲", org=o.base[side])
        number = id_number()
        from lianxin.core.testing import ROOT

        members.create_person(actor=ROOT, org=o.base[side], name="党员乙", id_number=number, mobile=mobile())
        made[side] = SimpleNamespace(branch=branch, member=member, id_number=number)
    return made[side]


def _party_meeting(o, side):
    p = _party_of(o, side)
    return {"kind": "congress", "held_on": timezone.localdate().isoformat(), "topic": "学习党章",
            "minutes": "传达上级会议精神，讨论本季度支部工作。", f"att_{p.member.pk}": "present"}


def _party_meeting_of(o, side):
    """The side's recorded 支部党员大会 (for the correction form), made on first use."""
    made = o.__dict__.setdefault("party_meeting", {})
    if side not in made:
        from lianxin.party.testing import make_meeting

        made[side] = make_meeting(_party_of(o, side).branch, topic="学习党章")
    return made[side]


def _competition_of(o, side):
    """The side's 劳动竞赛, made on first use."""
    made = o.__dict__.setdefault("competition", {})
    if side not in made:
        from lianxin.talent.testing import make_competition

        made[side] = make_competition(o.street[side], actor=o.d.users[f"street_{side}.admin"],
                                      title=f"电工技能竞赛{next(_n)}")
    return made[side]


def _legal(o, side):
    from lianxin.workflow.tests.helpers import legal_data

    return legal_data(o.base[side], action="save")


def _home_round(o, side):
    return {"org": o.street[side].pk, "year": timezone.localdate().year, "title": f"街道模范职工之家评选{next(_n)}",
            "level": "street_home", "deadline": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
            "places": 3, "valid_years": 3}


def _home_application(o, side, union=None):
    from lianxin.governance.testing import SUMMARY, full_scores

    data = {"summary": SUMMARY}
    if union is not None:
        data["union"] = union.pk
    for key, (score, note) in full_scores(1).items():
        data[f"score_{key}"], data[f"note_{key}"] = score, note
    return data


def _election(o, side):
    return {"number": 1, "elected_on": (timezone.localdate() - dt.timedelta(days=10)).isoformat(), "term_years": 5,
            "expected": 40, "present": 30, "name_1": "周主席", "post_1": "chair", "votes_1": 25}


def _worklog(o, side):
    return {"visits": "6", "unions_founded": "1", "members_recruited": "12", "disputes_mediated": "0",
            "summary": f"走访企业六家{next(_n)}"}


FORMS: dict[str, Form] = {
    "org-new": Form(lambda o, s: f"/console/orgs/{o.joint[s].pk}/new-child/",
                    lambda o, s: {"kind": "base", "name": f"新建基层工会{next(_n)}"}, edit=True,
                    obj=lambda o: o.joint["a"]),
    "org-edit": Form(lambda o, s: f"/console/orgs/{o.base[s].pk}/edit/",
                     lambda o, s: {"name": f"{o.base[s].name}（更名）"}, edit=True,
                     obj=lambda o: o.base["a"]),
    "enterprise-new": Form(lambda o, s: "/console/enterprises/new/", _enterprise),
    "enterprise-edit": Form(lambda o, s: f"/console/enterprises/{o.ent[s].pk}/edit/",
                            lambda o, s: {**_enterprise(o, s), "credit_code": o.ent[s].credit_code}, edit=True,
                            obj=lambda o: o.ent["a"]),
    "person-new": Form(lambda o, s: "/console/people/new/",
                       lambda o, s: {"org": o.base[s].pk, "name": "李四", "id_number": id_number(),
                                     "mobile": mobile(), "admit": "on"}),
    "person-edit": Form(lambda o, s: f"/console/people/{o.person[s].pk}/edit/",
                        lambda o, s: {"name": "张三丰"}, edit=True, obj=lambda o: o.person["a"]),
    "content-article-new": Form(lambda o, s: "/console/content/new/",
                                lambda o, s: {"org": o.street[s].pk, "category": "news", "kind": "article",
                                              "title": "工会新闻", "body": "正文"}),
    "content-article-edit": Form(lambda o, s: f"/console/content/{o.article[s].pk}/edit/",
                                 lambda o, s: {"category": "news", "kind": "article", "title": "改过的标题",
                                               "body": "改过的正文"}, edit=True,
                                 obj=lambda o: o.article["a"]),
    "content-book-new": Form(lambda o, s: "/console/content/books/new/",
                             lambda o, s: {"org": o.street[s].pk, "title": "职工读本", "file": _pdf()}),
    "venues-site-new": Form(lambda o, s: "/console/venues/new/", _site),
    "venues-site-edit": Form(lambda o, s: f"/console/venues/{o.site[s].pk}/edit/",
                             lambda o, s: {k: v for k, v in _site(o, s).items() if k != "org"}, edit=True,
                             obj=lambda o: o.site["a"]),
    "activities-new": Form(lambda o, s: "/console/activities/new/", _activity),
    "activities-edit": Form(lambda o, s: f"/console/activities/{o.activity[s].pk}/edit/",
                            lambda o, s: {k: v for k, v in _activity(o, s).items() if k != "org"}, edit=True,
                            obj=lambda o: o.activity["a"]),
    # forms that are not named …-new/-edit
    "workflow-file": Form(lambda o, s: "/console/applications/file/legal/", _legal),
    "rosters-upload": Form(lambda o, s: "/console/imports/upload/",
                           lambda o, s: {"org": o.base[s].pk, "file": _xlsx(s)}, get_status=302),
    "venues-slots-create": Form(lambda o, s: f"/console/venues/{o.site[s].pk}/slots/",
                                lambda o, s: {"first_day": (dt.date.today() + dt.timedelta(days=2)).isoformat(),
                                              "days": 2, "times": "09:00-10:00", "capacity": 5},
                                edit=True, get_status=302, obj=lambda o: o.site["a"]),
    "mutualaid-plan-new": Form(lambda o, s: "/console/mutualaid/new/",
                               lambda o, s: {"org": o.street[s].pk, "year": timezone.localdate().year,
                                             "contribution": "30", "deductible": "1000", "ratio": "60",
                                             "cap": "20000", "enrol_opens": f"{timezone.localdate().year}-01-01",
                                             "enrol_closes": f"{timezone.localdate().year}-12-31"}),
    "assistance-fund-new": Form(lambda o, s: "/console/assistance/funds/new/",
                                lambda o, s: {"org": o.street[s].pk, "year": timezone.localdate().year - 1,
                                                "purpose": "hardship"}),
    "assistance-campaign-new": Form(lambda o, s: "/console/assistance/campaigns/new/",
                                    lambda o, s: {"org": o.street[s].pk, "name": "街道送温暖", "standard": "500",
                                                  "maximum": "800", "budget": "5000",
                                                  "deadline": (timezone.localdate() + dt.timedelta(days=5))}),
    "assistance-retreat-new": Form(lambda o, s: "/console/assistance/retreats/new/",
                                   lambda o, s: {"org": o.street[s].pk, "name": "街道职工疗休养", "destination": "千岛湖",
                                                 "audience": "all", "places": "10", "cost": "",
                                                 "starts_on": timezone.localdate() + dt.timedelta(days=20),
                                                 "ends_on": timezone.localdate() + dt.timedelta(days=22),
                                                 "nominate_until": timezone.localdate() + dt.timedelta(days=5)}),
    "assistance-homeward-new": Form(lambda o, s: "/console/assistance/homeward/new/",
                                    lambda o, s: {"org": o.street[s].pk, "year": timezone.localdate().year,
                                                  "name": "街道春节平安返乡", "subsidy": "300", "fund": o.fund[s].pk,
                                                  "apply_until": timezone.localdate() + dt.timedelta(days=5)}),
    "assistance-job-new": Form(lambda o, s: "/console/assistance/jobs/new/",
                               lambda o, s: {"union": o.base[s].pk, "employer": o.ent[s].credit_code,
                                             "title": "数控车床操作工", "trade": "车工", "openings": "3",
                                             "salary_min": "5000", "salary_max": "7000",
                                             "requirements": "持证上岗，两年以上经验", "contact": "人事部 王女士",
                                             "valid_until": timezone.localdate() + dt.timedelta(days=30)}),
    "assistance-allocate": Form(lambda o, s: f"/console/assistance/funds/{o.fund[s].pk}/allocate/",
                                lambda o, s: {"amount": "1000", "memo": "年度预算"}, edit=True, get_status=302,
                                obj=lambda o: o.fund["a"]),
    "talent-selection-new": Form(lambda o, s: "/console/talent/new/", _selection),
    "talent-selection-edit": Form(lambda o, s: f"/console/talent/{o.selection[s].pk}/edit/",
                                  lambda o, s: {k: v for k, v in _selection(o, s).items() if k != "org"}, edit=True,
                                  obj=lambda o: o.selection["a"]),
    "talent-honour-new": Form(lambda o, s: "/console/talent/honours/new/", _honour),
    "talent-competition-new": Form(lambda o, s: "/console/talent/competitions/new/", lambda o, s: {
        "org": o.street[s].pk, "title": f"焊工技能竞赛{next(_n)}", "trade": "焊工", "level": "district",
        "signup_opens_at": _when(0, 0), "signup_closes_at": _when(5, 18), "max_entrants": 20, "union_cap": 3,
        "theory_weight": 30, "award_title": "技术能手", "award_places": 3}),
    "talent-competition-edit": Form(lambda o, s: f"/console/talent/competitions/{_competition_of(o, s).pk}/edit/",
                                    lambda o, s: {"title": f"电工技能竞赛{next(_n)}", "trade": "电工",
                                                  "level": "district", "signup_opens_at": _when(0, 0),
                                                  "signup_closes_at": _when(6, 18), "max_entrants": 30,
                                                  "union_cap": "", "theory_weight": 40, "award_title": "",
                                                  "award_places": 0},
                                    edit=True, obj=lambda o: _competition_of(o, "a")),
    "talent-round-new": Form(lambda o, s: "/console/talent/innovation/new/", lambda o, s: {
        "org": o.street[s].pk, "title": f"职工创新成果评审{next(_n)}", "submit_until": _when(10, 18),
        "first_prizes": 1, "second_prizes": 2, "third_prizes": 3}),
    "volunteers-project-new": Form(lambda o, s: "/console/volunteers/new/", _vproject),
    "volunteers-project-edit": Form(lambda o, s: f"/console/volunteers/{_vproject_of(o, s).pk}/edit/",
                                    lambda o, s: {k: v for k, v in _vproject(o, s).items() if k != "org"},
                                    edit=True, obj=lambda o: _vproject_of(o, "a")),
    "party-member-new": Form(lambda o, s: f"/console/party/branches/{_party_of(o, s).branch.pk}/members/new/",
                             lambda o, s: {"id_number": _party_of(o, s).id_number, "category": "full",
                                           "joined_on": "2010-07-01", "full_on": "2011-07-01"},
                             edit=True, obj=lambda o: _party_of(o, "a").branch),
    "party-meeting-new": Form(lambda o, s: f"/console/party/branches/{_party_of(o, s).branch.pk}/meetings/new/",
                              _party_meeting, edit=True, obj=lambda o: _party_of(o, "a").branch),
    "party-meeting-edit": Form(lambda o, s: f"/console/party/meetings/{_party_meeting_of(o, s).pk}/edit/",
                               lambda o, s: {"kind": "congress", "topic": f"学习党章{next(_n)}", "reason": "主题登记有误",
                                             "minutes": "传达上级会议精神，讨论本季度支部工作。",
                                             f"att_{_party_of(o, s).member.pk}": "present"},
                               edit=True, obj=lambda o: _party_meeting_of(o, "a")),
    "party-dues-edit": Form(lambda o, s: f"/console/party/members/{_party_of(o, s).member.pk}/dues/edit/",
                            lambda o, s: {"base": "5000"}, edit=True, obj=lambda o: _party_of(o, "a").member),
    "care-campaign-new": Form(lambda o, s: "/console/care/new/", _care_campaign),
    "care-class-new": Form(lambda o, s: "/console/care/classes/new/", _care_class),
    "care-room-new": Form(lambda o, s: "/console/care/rooms/new/", _care_room),
    "care-campaign-edit": Form(lambda o, s: f"/console/care/{_care_made(o, s)[0].pk}/edit/",
                               lambda o, s: {k: v for k, v in _care_campaign(o, s).items() if k not in ("org", "kind")},
                               edit=True, obj=lambda o: _care_made(o, "a")[0]),
    "care-class-edit": Form(lambda o, s: f"/console/care/classes/{_care_made(o, s)[1].pk}/edit/",
                            lambda o, s: {k: v for k, v in _care_class(o, s).items() if k != "org"},
                            edit=True, obj=lambda o: _care_made(o, "a")[1]),
    "care-room-edit": Form(lambda o, s: f"/console/care/rooms/{_care_room_of(o, s).pk}/edit/",
                           lambda o, s: {k: v for k, v in _care_room(o, s).items() if k != "union"}, edit=True,
                           obj=lambda o: _care_room_of(o, "a")),
    "training-class-new": Form(lambda o, s: "/console/training/new/", lambda o, s: {
        "org": o.street[s].pk, "title": f"班组长培训班{next(_n)}", "place": "职工服务中心",
        "starts_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "ends_on": (timezone.localdate() + dt.timedelta(days=12)).isoformat(),
        "signup_deadline": (timezone.localdate() + dt.timedelta(days=8)).isoformat(), "hours": "24",
        "sessions": "6", "places": "40", "pass_mark": "60"}),
    "training-class-edit": Form(lambda o, s: f"/console/training/{_training_class_of(o, s).pk}/edit/",
                                lambda o, s: {"title": f"班组长培训班{next(_n)}", "place": "职工服务中心二楼",
                                              "starts_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
                                              "ends_on": (timezone.localdate() + dt.timedelta(days=12)).isoformat(),
                                              "signup_deadline": (timezone.localdate() + dt.timedelta(days=8)).isoformat(),
                                              "places": "30", "hours": "24", "sessions": "5", "pass_mark": "60"},
                                edit=True, obj=lambda o: _training_class_of(o, "a")),
    "governance-round-new": Form(lambda o, s: "/console/governance/rounds/new/", _home_round),
    "governance-application-new": Form(lambda o, s: f"/console/governance/rounds/{o.gov['round']['a'].pk}/apply/",
                                       lambda o, s: _home_application(o, s, o.joint[s])),
    "governance-application-edit": Form(
        lambda o, s: f"/console/governance/applications/{o.gov['returned'][s].pk}/edit/", _home_application,
        edit=True, obj=lambda o: o.gov["returned"]["a"]),
    "governance-election-new": Form(lambda o, s: f"/console/governance/terms/{o.base[s].pk}/elect/", _election,
                                    edit=True, obj=lambda o: o.base["a"]),
    "governance-worklog-new": Form(lambda o, s: f"/console/governance/workers/{o.gov['worker'][s].pk}/logs/new/",
                                   lambda o, s: {"month": f"{timezone.localdate():%Y-%m}", **_worklog(o, s)},
                                   edit=True, obj=lambda o: o.gov["worker"]["a"]),
    "governance-worklog-edit": Form(lambda o, s: f"/console/governance/workers/logs/{o.gov['log'][s].pk}/edit/",
                                    _worklog, edit=True, obj=lambda o: o.gov["log"]["a"]),
    "governance-assessment-grade": Form(
        lambda o, s: f"/console/governance/workers/assessments/items/{o.gov['item'][s].pk}/",
        lambda o, s: {"grade": "qualified", "comment": "完成年度任务"}, edit=True, obj=lambda o: o.gov["item"]["a"]),
    "venues-photo-add": Form(lambda o, s: f"/console/venues/{o.site[s].pk}/photos/",
                             lambda o, s: {"caption": "正门", "image": _png()}, edit=True, get_status=302,
                             obj=lambda o: o.site["a"]),
}

REFUSED = ["street_a.viewer", "street_a.auditor", "street_a.reviewer", "base_a1.reviewer", "fed.viewer",
           "fed.auditor"]


@pytest.fixture
def objects(district):
    """One record of each kind on each side: "a" under street_a (the administrator's scope), "b" under
    street_b (outside it)."""
    from lianxin.activities import services as activities
    from lianxin.assistance import services as assistance
    from lianxin.content import services as content
    from lianxin.venues import services as venues

    d = district
    o = SimpleNamespace(d=d, street={"a": d.street_a, "b": d.street_b}, joint={"a": d.joint_a, "b": d.joint_b},
                        base={"a": d.base_a1, "b": d.base_b1}, ent={"a": d.ent_a1, "b": d.ent_b1},
                        person={}, article={}, site={}, activity={}, fund={}, selection={}, honour_who={})
    for s in "ab":
        street, admin = o.street[s], d.users[f"street_{s}.admin"]
        o.person[s] = make_person(o.base[s], "张三")
        o.fund[s] = assistance.create_fund(actor=admin, org=street, year=timezone.localdate().year)
        assistance.create_fund(actor=admin, org=street, year=timezone.localdate().year, purpose="warmth")
        o.article[s] = content.create_article(actor=admin, org=street, category="news", title="草稿", body="x")
        o.site[s] = venues.create_site(actor=admin, org=street, street=street, kind="home", name="职工之家",
                                       address="某路", bookable=True)
        now = timezone.now()
        o.activity[s] = activities.create_activity(
            actor=admin, org=street, title="读书会", venue="书屋", starts_at=now + dt.timedelta(days=5),
            ends_at=now + dt.timedelta(days=5, hours=2), signup_opens_at=now,
            signup_closes_at=now + dt.timedelta(days=4), capacity=20)
        from lianxin.talent.testing import make_selection

        o.selection[s] = make_selection(street, actor=admin)
        o.honour_who[s] = id_number()
        make_person_with_id(o.base[s], o.honour_who[s])
    from lianxin.governance.testing import gate_objects

    o.gov = gate_objects(d)
    return o


def make_person_with_id(org, number):
    from lianxin.core.testing import ROOT
    from lianxin.members import services as members

    return members.create_person(actor=ROOT, org=org, name="王劳模", id_number=number, mobile=mobile())


def form_errors(response) -> list[str]:
    """The error texts on a re-rendered form (for a failure message)."""
    return re.findall(r'class="error[^>]*>([^<]*)', response.content.decode())


def snapshot() -> dict:
    """Every row of every project model: equal before and after means nothing was written."""
    return {m._meta.label: list(m._base_manager.order_by("pk").values_list())
            for m in apps.get_models() if m.__module__.startswith("lianxin.")}


def test_every_console_form_has_a_gate_case():
    named = console_form_names()
    assert named, "the URLconf walk found no console forms"
    missing = named - set(FORMS)
    assert not missing, f"console forms with no gate case (add them to FORMS): {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(FORMS))
def test_roles_that_cannot_save_get_403_on_get_and_post(client, objects, name):
    """A form for a new record refuses the role itself (the message says an administrator is needed); an existing
    object's form answers 403 to a role that sees the object, 404 to one whose subtree does not hold it (a base
    union's reviewer and the street's article), as every read does."""
    form = FORMS[name]
    url = form.url(objects, "a")
    for who in REFUSED:
        user = objects.d.users[who]
        client.force_login(user)
        expected = 403 if not form.edit or form.visible_to(objects, user) else 404
        r = client.get(url)
        assert r.status_code == expected, (who, url, r.status_code)
        html = r.content.decode()
        if expected == 403:
            assert "无权操作" in html and 'lang="zh-hans"' in html, (who, url)
        if not form.edit:
            assert "需要管理员角色" in html, (who, url)
        before = snapshot()
        r = client.post(url, form.data(objects, "a"))
        assert r.status_code == expected, (who, url, r.status_code)
        assert snapshot() == before, f"{who} wrote something through {url}"


@pytest.mark.parametrize("name", sorted(FORMS))
def test_admin_in_scope_gets_the_form_and_can_save(client, objects, name):
    form = FORMS[name]
    url = form.url(objects, "a")
    client.force_login(objects.d.users["street_a.admin"])
    r = client.get(url)
    assert r.status_code == form.get_status, (url, r.status_code)
    if form.get_status == 200:
        assert "<form" in r.content.decode()
    before = snapshot()
    r = client.post(url, form.data(objects, "a"))
    assert r.status_code == 302, (url, r.status_code, form_errors(r))
    assert snapshot() != before, f"the administrator's valid POST to {url} wrote nothing"


@pytest.mark.parametrize("name", sorted(FORMS))
def test_admin_out_of_scope_reaches_nothing_and_writes_nothing(client, objects, name):
    """An existing object of the other street answers 404 (its existence does not leak); a new record cannot be
    placed in the other street (the choice is not offered, the service refuses)."""
    form = FORMS[name]
    client.force_login(objects.d.users["street_a.admin"])
    url = form.url(objects, "b")
    if form.edit:
        assert client.get(url).status_code == 404, url
    before = snapshot()
    r = client.post(url, form.data(objects, "b"))
    assert r.status_code in ((404,) if form.edit else (200, 302, 400, 403, 404)), (url, r.status_code)
    if r.status_code == 302:  # refused with a message (roster upload): back to the list, not to a new record
        assert r["Location"] in ("/console/imports/",), r["Location"]
    assert snapshot() == before, f"street_a.admin wrote into street_b through {url}"


def test_superuser_passes_every_gate(client, objects):
    from lianxin.accounts.models import User

    client.force_login(User.objects.create_superuser(username="root", password="Lianxin#2026x"))
    for name, form in FORMS.items():
        assert client.get(form.url(objects, "a")).status_code == form.get_status, name


# (list page, the address of the form its button opens)
BUTTONS = [("/console/enterprises/", "/console/enterprises/new/"), ("/console/people/", "/console/people/new/"),
           ("/console/content/", "/console/content/new/"), ("/console/content/", "/console/content/books/new/"),
           ("/console/venues/", "/console/venues/new/"), ("/console/activities/", "/console/activities/new/"),
           ("/console/applications/filed/", "/console/applications/file/legal/"),
           ("/console/imports/", "/console/imports/upload/"), ("/console/talent/", "/console/talent/new/"),
           ("/console/talent/honours/", "/console/talent/honours/new/"),
           ("/console/talent/competitions/", "/console/talent/competitions/new/"),
           ("/console/talent/innovation/", "/console/talent/innovation/new/"),
           ("/console/mutualaid/", "/console/mutualaid/new/"), ("/console/volunteers/", "/console/volunteers/new/"),
           ("/console/training/", "/console/training/new/"),
           ("/console/assistance/homeward/", "/console/assistance/homeward/new/"),
           ("/console/assistance/jobs/", "/console/assistance/jobs/new/"),
           ("/console/care/", "/console/care/new/"), ("/console/care/classes/", "/console/care/classes/new/"),
           ("/console/care/rooms/", "/console/care/rooms/new/")]


def test_the_button_is_shown_exactly_when_its_form_opens(client, district):
    """One rule for both: every role at every level sees the button on the list page if and only if the form's
    address does not answer 403."""
    seen = set()
    for who, user in district.users.items():
        client.force_login(user)
        pages = {}
        for page, form_url in BUTTONS:
            html = pages.setdefault(page, client.get(page).content.decode())
            shown = f'"{form_url}"' in html
            opens = client.get(form_url).status_code != 403
            assert shown == opens, f"{who}: button to {form_url} on {page} shown={shown}, form opens={opens}"
            seen.add((form_url, shown))
    assert seen == {(f, s) for _, f in BUTTONS for s in (True, False)}, "every button shown to some, hidden from others"
