"""/api/v1/dashboard/: the leaders' dashboard figures as JSON (a big screen or the WeChat front ends draw them).
The same selectors as the page: scoped (404 outside the caller's subtree), cached per organisation and year."""

from __future__ import annotations

from ninja import Router, Schema

from lianxin.core.api_errors import answers

from . import selectors

router = Router(tags=["领导驾驶舱"])


class KindCount(Schema):
    kind: str
    count: int


class AgeBand(Schema):
    band: str
    count: int


class Members(Schema):
    total: int
    joined: int
    left: int
    women: int
    women_pct: float
    youth: int
    youth_pct: float
    migrant: int
    frontline: int
    model: int
    party: int
    ages: list[AgeBand]


class Month(Schema):
    month: str
    joined: int
    left: int
    activities: int
    articles: int


class SizeRow(Schema):
    size: str
    total: int
    covered: int


class Enterprises(Schema):
    total: int
    covered: int
    rate: float
    small_micro: int
    small_micro_covered: int
    small_micro_rate: float
    needs_founding: int
    workers: int
    workers_covered: int
    worker_rate: float
    membership_rate: float
    by_size: list[SizeRow]


class ProgrammeRow(Schema):
    programme: str
    submitted: int
    approved: int
    rejected: int
    pending: int


class Applications(Schema):
    by_programme: list[ProgrammeRow]
    submitted: int
    pending: int
    overdue: int
    finished: int
    zero_trip_pct: float
    one_trip_pct: float


class Activities(Schema):
    held: int
    signed_up: int
    checked_in: int
    checkin_pct: float
    months_with_activity: int
    months: int


class Content(Schema):
    articles: int
    books: int


class Venues(Schema):
    sites: int
    bookings: int
    attended: int


class Assistance(Schema):
    on_file: int
    aided: int
    aid_fen: int
    condoled: int  # 两节送温暖: people paid this year
    condolence_fen: int


class Volunteers(Schema):
    registered: int  # 工会志愿者 registered by the end of as_of
    approved: int
    projects: int  # service projects held in the year (not cancelled)
    minutes: int  # the hours ledger of the year: credits less reversals, in minutes
    hours: float
    credited_minutes: int
    reversed_minutes: int


class Talent(Schema):
    competitions: int
    contestants: int
    titles: int  # 技术能手 and other competition titles conferred for the year, in force
    innovation_entries: int
    innovation_awards: int
    innovation_first: int


class Governance(Schema):
    homes_named: int  # 模范职工之家 titles given in the year
    terms_overdue: int  # terms standing on as_of that had run out (逾期未换届)
    elections: int  # 换届选举 held in the year


class MutualAid(Schema):
    enrolled: int  # people in the year's 职工医疗互助 plans
    owed_fen: int  # enrolments × contribution
    contributed_fen: int  # 互助金到账
    outstanding_fen: int
    payments: int  # hospital-stay payments
    paid_fen: int


class Homeward(Schema):
    confirmed: int  # 平安返乡 trips confirmed (coach seat or subsidy)
    coach: int
    subsidies: int  # ticket subsidies paid
    subsidy_fen: int


class Jobs(Schema):
    posts: int
    openings: int
    placements: int  # people hired in the year onto the subtree's posts


class Training(Schema):
    classes: int  # 班组长培训 classes organised in the subtree starting in the year
    trainees: int  # their live trainees from the subtree's unions (培训人次)
    certified: int  # of them, holding a 结业证书 (结业人数)
    grants: int  # 教育补助 approved in the year
    grant_fen: int


class Care(Schema):
    campaigns: int  # 女职工关爱行动 starting in the year, not cancelled
    signed_up: int  # sign-ups to them, not withdrawn
    attended: int  # of them, marked 已参加
    classes: int  # 暑期托管班 starting in the year, not cancelled
    children: int  # children enrolled in them
    rooms_registered: int  # 爱心妈咪小屋 registered by the end of as_of
    rooms: int  # of them, approved by the street
    rooms_starred: int  # of those, rated by the federation


class Party(Schema):
    members: int  # on the branches' rolls on as_of
    probationary: int  # of them, 预备党员 on as_of
    meetings: int  # 三会一课 held in the year up to as_of
    theme_days: int  # 主题党日
    dues_fen: int  # 党费 for the year's months: payments less reversals
    dues_paid_fen: int
    dues_reversed_fen: int


class Workers(Schema):
    in_post: int  # 社会化工会工作者 in post on as_of
    logs: int  # confirmed monthly work records of the year
    visits: int
    unions_founded: int
    members_recruited: int
    disputes_mediated: int


class Child(Schema):
    id: int
    name: str
    kind: str
    unions: int
    members: int
    women: int
    youth: int
    joined: int
    enterprises: int
    enterprises_covered: int
    coverage_rate: float
    pending: int
    activities: int
    volunteers: int
    volunteer_minutes: int
    volunteer_hours: float
    projects: int
    contestants: int
    titles: int
    innovation_entries: int
    homes_named: int
    terms_overdue: int
    elections: int
    enrolled: int
    owed_fen: int
    contributed_fen: int
    medical_paid_fen: int
    homeward: int
    homeward_paid_fen: int
    job_posts: int
    placements: int
    trainees: int
    certified: int
    education_grants: int
    education_fen: int
    care_attended: int
    care_children: int
    care_rooms: int
    party_members: int
    party_meetings: int
    party_dues_fen: int
    social_workers: int
    worker_visits: int
    worker_unions_founded: int
    worker_members_recruited: int


class Overview(Schema):
    org_id: int
    org_name: str
    year: int
    as_of: str
    counted_at: str
    organisations: list[KindCount]
    unions: int
    base_unions: int
    term_overdue: int
    term_soon: int
    certificates: int
    members: Members
    trend: list[Month]
    enterprises: Enterprises
    applications: Applications
    activities: Activities
    content: Content
    venues: Venues
    assistance: Assistance
    volunteers: Volunteers
    talent: Talent
    governance: Governance
    mutualaid: MutualAid
    homeward: Homeward
    jobs: Jobs
    training: Training
    care: Care
    party: Party
    workers: Workers
    children: list[Child]


@router.get(
    "/overview", response=answers(Overview, 400, 404, 422), summary="驾驶舱：一个组织（含下级）的年度数据"
)
def overview(request, org: int | None = None, year: int | None = None):
    """``org``: an organisation in the caller's subtree (default: the caller's topmost one); ``year``: 2000 to
    this year (default: this year). Counted at most every 10 minutes (``counted_at``)."""
    target = selectors.dashboard_org(actor=request.user, pk=org)
    return selectors.overview(actor=request.user, org=target, year=selectors.parse_year(year))
