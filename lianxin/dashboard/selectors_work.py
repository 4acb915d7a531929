"""The dashboard's figures of the union services: 工会志愿者, 劳动竞赛 and 创新成果评审, 模范职工之家 and 换届,
职工医疗互助, 平安返乡 and 就业帮扶, 教育培训, 女职工与留守关爱, 党支部工作 and 社会化工会工作者 — for one
organisation's subtree and one calendar year (Asia/Shanghai).

Read straight from the other apps' models (their own selectors are scoped to an actor; the dashboard decides the
scope before it counts, see :mod:`lianxin.dashboard.selectors`). Each table is read once, grouped by the path of
the organisation a row belongs to, so the sums per direct child are made from those paths and the number of
queries stays fixed whatever the district's size. The exact definitions are in ``lianxin/dashboard/README.md``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum

# the fields each 下级单位 row gains (the drill-down of these figures)
CHILD_FIELDS = (
    "volunteers",
    "volunteer_minutes",
    "projects",
    "contestants",
    "titles",
    "innovation_entries",
    "homes_named",
    "terms_overdue",
    "elections",
    "enrolled",
    "owed_fen",
    "contributed_fen",
    "medical_paid_fen",
    "homeward",
    "homeward_paid_fen",
    "job_posts",
    "placements",
    # 教育培训, 女职工与留守关爱, 党支部工作, 社会化工会工作者 (:func:`people_work`)
    "trainees",
    "certified",
    "education_grants",
    "education_fen",
    "care_attended",
    "care_children",
    "care_rooms",
    "party_members",
    "party_meetings",
    "party_dues_fen",
    "social_workers",
    "worker_visits",
    "worker_unions_founded",
    "worker_members_recruited",
)
# 三会一课: the four meetings the party's rules ask for (主题党日 is counted apart, as the branch's compliance view does)
THREE_MEETINGS_ONE_LESSON = ("congress", "committee", "group", "lecture")


def hours(minutes: int) -> float:
    """Service minutes as hours, to one decimal (150 → 2.5)."""
    return round((minutes or 0) / 60, 1)


def grouper(add):
    """``grouped(qs, path_field, *, derived=None, **aggregates)``: one grouped query, {aggregate: total}; each
    row's figures (those named in :data:`CHILD_FIELDS`, and ``derived``: {field: function of the row}) added to
    its child's row through ``add(path, field, n)``."""

    def grouped(qs, path_field: str, *, derived=None, **aggregates):
        totals = dict.fromkeys(aggregates, 0)
        for row in qs.order_by().values(path_field).annotate(**aggregates):
            path = row[path_field]
            for name in aggregates:
                row[name] = row[name] or 0
                totals[name] += row[name]
                if name in CHILD_FIELDS:
                    add(path, name, row[name])
            for name, fn in (derived or {}).items():
                add(path, name, fn(row))
        return totals

    return grouped


def union_work(
    org,
    year: int,
    *,
    t_start: dt.datetime,
    t_end: dt.datetime,
    cutoff: dt.datetime,
    year_start: dt.date,
    as_of: dt.date,
    rows: list[dict],
    add,
) -> dict:
    """The figures, and each child's share of them added into ``rows`` through ``add(path, field, n)``.
    ``cutoff`` is the first instant after ``as_of`` (Asia/Shanghai): what stood on ``as_of`` existed before it."""
    from lianxin.assistance.models import (
        HomewardApplication,
        HomewardStatus,
        JobApplication,
        JobOutcome,
        JobPost,
    )
    from lianxin.governance.models import CommitteeTerm, NamedHome
    from lianxin.mutualaid.models import Contribution, Enrolment, MedicalPayment
    from lianxin.talent.models import Competition, Contestant, Honour, InnovationEntry
    from lianxin.volunteers.models import HoursEntry, Project, Volunteer

    for r in rows:
        r.update(dict.fromkeys(CHILD_FIELDS, 0))
    under = org.path
    in_year = {"created_at__gte": t_start, "created_at__lt": t_end}

    grouped = grouper(add)

    # 工会志愿者: registered by the end of as_of (by their union), approved by then; projects held in the year
    # (not cancelled); the hours ledger of the year: credits less reversals, by the volunteer's union
    vol = grouped(
        Volunteer.objects.filter(union__path__startswith=under, created_at__lt=cutoff),
        "union__path",
        registered=Count("id"),
        volunteers=Count("id", filter=Q(status=Volunteer.Status.APPROVED, decided_at__lt=cutoff)),
    )
    proj = grouped(
        Project.objects.filter(
            org__path__startswith=under, starts_at__gte=t_start, starts_at__lt=t_end
        ).exclude(status=Project.Status.CANCELLED),
        "org__path",
        projects=Count("id"),
    )
    ledger = grouped(
        HoursEntry.objects.filter(volunteer__union__path__startswith=under, **in_year),
        "volunteer__union__path",
        derived={"volunteer_minutes": lambda r: r["credited"] - r["reversed"]},
        credited=Sum("minutes", filter=Q(kind=HoursEntry.Kind.CREDIT)),
        reversed=Sum("minutes", filter=Q(kind=HoursEntry.Kind.REVERSAL)),
    )
    minutes = ledger["credited"] - ledger["reversed"]

    # 劳动竞赛: competitions organised in the subtree whose sign-up opened in the year; contestants entered by the
    # subtree's unions into competitions of the year (whoever organised them); 技术能手 and other titles conferred
    # from a competition for that year, still in force, on people of the subtree's unions
    comp = grouped(
        Competition.objects.filter(
            org__path__startswith=under, signup_opens_at__gte=t_start, signup_opens_at__lt=t_end
        ),
        "org__path",
        competitions=Count("id"),
    )
    cont = grouped(
        Contestant.objects.filter(
            union__path__startswith=under,
            competition__signup_opens_at__gte=t_start,
            competition__signup_opens_at__lt=t_end,
        ),
        "union__path",
        contestants=Count("id"),
    )
    titles = grouped(
        Honour.objects.filter(
            union__path__startswith=under, contestant__isnull=False, year=year, status=Honour.Status.ACTIVE
        ),
        "union__path",
        titles=Count("id"),
    )
    # 创新成果评审: entries submitted in the year by the subtree's unions; of them, those given a prize
    inno = grouped(
        InnovationEntry.objects.filter(union__path__startswith=under, **in_year),
        "union__path",
        innovation_entries=Count("id"),
        awarded=Count("id", filter=~Q(prize="")),
        first=Count("id", filter=Q(prize="first")),
    )

    # 模范职工之家: titles given in the year to the subtree's unions (whatever became of them since);
    # 换届: terms that stood on as_of and had run out by then (逾期未换届), and elections held in the year
    homes = grouped(
        NamedHome.objects.filter(
            union__path__startswith=under, named_on__gte=year_start, named_on__lte=as_of
        ),
        "union__path",
        homes_named=Count("id"),
    )
    terms = grouped(
        CommitteeTerm.objects.filter(union__path__startswith=under, elected_on__lte=as_of).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=as_of) | Q(elected_on__gte=year_start)
        ),
        "union__path",
        terms_overdue=Count(
            "id", filter=Q(ends_on__lt=as_of) & (Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
        ),
        elections=Count("id", filter=Q(elected_on__gte=year_start)),
    )

    # 职工医疗互助: people the subtree's unions have enrolled in a plan of the year, and what that comes to
    # (each enrolment × its plan's contribution); what the unions have paid in to those plans; hospital-stay
    # payments under the year's plans on applications received by the subtree's unions
    enrol = grouped(
        Enrolment.objects.filter(union__path__startswith=under, plan__year=year),
        "union__path",
        enrolled=Count("id"),
        owed_fen=Sum("plan__contribution_fen"),
    )
    paid_in = grouped(
        Contribution.objects.filter(union__path__startswith=under, plan__year=year),
        "union__path",
        contributed_fen=Sum("amount_fen"),
    )
    payouts = grouped(
        MedicalPayment.objects.filter(application__org__path__startswith=under, account__plan__year=year),
        "application__org__path",
        payments=Count("id"),
        medical_paid_fen=Sum("amount_fen"),
    )

    # 平安返乡: applications of the year's Spring Festival by the subtree's members, confirmed (a coach seat or
    # a subsidy, paid or to be paid); the subsidies paid
    home = grouped(
        HomewardApplication.objects.filter(union__path__startswith=under, year=year),
        "union__path",
        homeward=Count("id", filter=Q(status__in=[HomewardStatus.CONFIRMED, HomewardStatus.PAID])),
        coach=Count("id", filter=Q(status__in=[HomewardStatus.CONFIRMED, HomewardStatus.PAID], kind="coach")),
        subsidies=Count("id", filter=Q(status=HomewardStatus.PAID)),
        homeward_paid_fen=Sum("amount_fen", filter=Q(status=HomewardStatus.PAID)),
    )
    # 就业帮扶: posts published in the year by the subtree's unions and their openings; people hired in the year
    # onto the subtree's posts (录用 is final, so the application's last change is the hire)
    posts = grouped(
        JobPost.objects.filter(union__path__startswith=under, **in_year),
        "union__path",
        job_posts=Count("id"),
        openings=Sum("openings"),
    )
    hires = grouped(
        JobApplication.objects.filter(
            post__union__path__startswith=under,
            status=JobOutcome.HIRED,
            updated_at__gte=t_start,
            updated_at__lt=t_end,
        ),
        "post__union__path",
        placements=Count("id"),
    )
    more = people_work(
        grouped, under, year, t_start=t_start, t_end=t_end, cutoff=cutoff, year_start=year_start, as_of=as_of
    )
    return {
        "volunteers": {
            "registered": vol["registered"],
            "approved": vol["volunteers"],
            "projects": proj["projects"],
            "minutes": minutes,
            "hours": hours(minutes),
            "credited_minutes": ledger["credited"],
            "reversed_minutes": ledger["reversed"],
        },
        "talent": {
            "competitions": comp["competitions"],
            "contestants": cont["contestants"],
            "titles": titles["titles"],
            "innovation_entries": inno["innovation_entries"],
            "innovation_awards": inno["awarded"],
            "innovation_first": inno["first"],
        },
        "governance": {
            "homes_named": homes["homes_named"],
            "terms_overdue": terms["terms_overdue"],
            "elections": terms["elections"],
        },
        "mutualaid": {
            "enrolled": enrol["enrolled"],
            "owed_fen": enrol["owed_fen"],
            "contributed_fen": paid_in["contributed_fen"],
            "outstanding_fen": max(enrol["owed_fen"] - paid_in["contributed_fen"], 0),
            "payments": payouts["payments"],
            "paid_fen": payouts["medical_paid_fen"],
        },
        "homeward": {
            "confirmed": home["homeward"],
            "coach": home["coach"],
            "subsidies": home["subsidies"],
            "subsidy_fen": home["homeward_paid_fen"],
        },
        "jobs": {
            "posts": posts["job_posts"],
            "openings": posts["openings"],
            "placements": hires["placements"],
        },
        **more,
    }


def people_work(
    grouped,
    under: str,
    year: int,
    *,
    t_start: dt.datetime,
    t_end: dt.datetime,
    cutoff: dt.datetime,
    year_start: dt.date,
    as_of: dt.date,
) -> dict:
    """教育培训, 女职工与留守关爱, 党支部工作 and 社会化工会工作者: one grouped query per table (``grouped`` from
    :func:`grouper`), for the subtree whose paths start with ``under``."""
    from lianxin.care.models import Campaign, CampaignSignup, CareClass, Room
    from lianxin.care.models import Enrolment as CareEnrolment
    from lianxin.governance.models import WorkerPosting, WorkLog
    from lianxin.party.models import DuesEntry, Meeting, MeetingKind, PartyMember
    from lianxin.training.models import EducationGrant, TrainingClass
    from lianxin.training.models import Enrolment as Trainee

    year_end = dt.date(year, 12, 31)

    # 班组长培训: classes organised in the subtree starting in the year, not cancelled; their live trainees by the
    # trainee's union (whoever organised the class; a cancelled class keeps its enrolments as history, not
    # counted), and of them those holding a certificate issued by the end of as_of;
    # 教育补助: grants approved in the year to people of the subtree's unions (the union that received the
    # application), their number and money
    classes = grouped(
        TrainingClass.objects.filter(
            org__path__startswith=under, starts_on__gte=year_start, starts_on__lte=year_end
        ).exclude(status=TrainingClass.Status.CANCELLED),
        "org__path",
        training_classes=Count("id"),
    )
    trainees = grouped(
        Trainee.objects.filter(
            union__path__startswith=under,
            klass__starts_on__gte=year_start,
            klass__starts_on__lte=year_end,
        )
        .exclude(status=Trainee.Status.WITHDRAWN)
        .exclude(klass__status=TrainingClass.Status.CANCELLED),
        "union__path",
        trainees=Count("id"),
        certified=Count("id", filter=Q(certificate_no__isnull=False, certified_at__lt=cutoff)),
    )
    grants = grouped(
        EducationGrant.objects.filter(
            union__path__startswith=under, created_at__gte=t_start, created_at__lt=t_end
        ),
        "union__path",
        education_grants=Count("id"),
        education_fen=Sum("amount_fen"),
    )

    # 女职工关爱行动: campaigns organised in the subtree starting in the year, not cancelled; the sign-ups to them by
    # women of the subtree's unions (her union when she signed up), not withdrawn, and of them those marked 已参加;
    # 暑期托管班: classes starting in the year, not cancelled, and the children enrolled (by the guardian's union);
    # 爱心妈咪小屋: rooms registered by the end of as_of, of them those approved by then (and still approved), and
    # of those the ones the federation has rated
    campaigns = grouped(
        Campaign.objects.filter(
            org__path__startswith=under, starts_at__gte=t_start, starts_at__lt=t_end
        ).exclude(status=Campaign.Status.CANCELLED),
        "org__path",
        care_campaigns=Count("id"),
    )
    signups = grouped(
        CampaignSignup.objects.filter(
            union__path__startswith=under,
            campaign__starts_at__gte=t_start,
            campaign__starts_at__lt=t_end,
        )
        .exclude(campaign__status=Campaign.Status.CANCELLED)
        .exclude(status=CampaignSignup.Status.WITHDRAWN),
        "union__path",
        care_signed_up=Count("id"),
        care_attended=Count("id", filter=Q(status=CampaignSignup.Status.ATTENDED)),
    )
    care_classes = grouped(
        CareClass.objects.filter(
            org__path__startswith=under, starts_on__gte=year_start, starts_on__lte=year_end
        ).exclude(status=CareClass.Status.CANCELLED),
        "org__path",
        care_classes=Count("id"),
    )
    children = grouped(
        CareEnrolment.objects.filter(
            union__path__startswith=under,
            status=CareEnrolment.Status.ENROLLED,
            care_class__starts_on__gte=year_start,
            care_class__starts_on__lte=year_end,
        ).exclude(care_class__status=CareClass.Status.CANCELLED),
        "union__path",
        care_children=Count("id"),
    )
    approved_room = Q(status=Room.Status.APPROVED, reviewed_at__lt=cutoff)
    rooms = grouped(
        Room.objects.filter(union__path__startswith=under, created_at__lt=cutoff),
        "union__path",
        rooms_registered=Count("id"),
        care_rooms=Count("id", filter=approved_room),
        rooms_starred=Count("id", filter=approved_room & Q(stars__isnull=False)),
    )

    # 党支部: the members on the branches' rolls on as_of (a stint begun by then and not left by then: a transfer
    # between branches ends one stint and begins the next on the same day), of them those still 预备党员 then;
    # 三会一课 held in the year up to as_of (主题党日 apart); 党费 for the months of the year, payments less
    # reversals, whenever recorded (so it agrees with the branch's 党费 export for the year)
    party = grouped(
        PartyMember.objects.filter(branch__path__startswith=under, entered_on__lte=as_of).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=as_of)
        ),
        "branch__path",
        party_members=Count("id"),
        probationary=Count("id", filter=Q(full_on__isnull=True) | Q(full_on__gt=as_of)),
    )
    meetings = grouped(
        Meeting.objects.filter(branch__path__startswith=under, held_on__gte=year_start, held_on__lte=as_of),
        "branch__path",
        party_meetings=Count("id", filter=Q(kind__in=THREE_MEETINGS_ONE_LESSON)),
        theme_days=Count("id", filter=Q(kind=MeetingKind.THEME_DAY)),
    )
    dues = grouped(
        DuesEntry.objects.filter(
            member__branch__path__startswith=under, period__gte=year * 100 + 1, period__lte=year * 100 + 12
        ),
        "member__branch__path",
        derived={"party_dues_fen": lambda r: r["paid"] - r["reversed"]},
        paid=Sum("amount_fen", filter=Q(kind=DuesEntry.Kind.PAYMENT)),
        reversed=Sum("amount_fen", filter=Q(kind=DuesEntry.Kind.REVERSAL)),
    )

    # 社会化工会工作者: in post on as_of (a posting begun by then and not ended by then: a transfer ends one posting
    # and begins the next on the same day; leaving ends it), by the organisation they were posted to; their
    # confirmed work records of the year's months, by the post the month was recorded under
    posted = grouped(
        WorkerPosting.objects.filter(org__path__startswith=under, started_on__lte=as_of).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
        ),
        "org__path",
        social_workers=Count("id"),
    )
    logs = grouped(
        WorkLog.objects.filter(org__path__startswith=under, year=year, status=WorkLog.Status.CONFIRMED),
        "org__path",
        worker_logs=Count("id"),
        worker_visits=Sum("visits"),
        worker_unions_founded=Sum("unions_founded"),
        worker_members_recruited=Sum("members_recruited"),
        worker_disputes=Sum("disputes_mediated"),
    )
    return {
        "training": {
            "classes": classes["training_classes"],
            "trainees": trainees["trainees"],
            "certified": trainees["certified"],
            "grants": grants["education_grants"],
            "grant_fen": grants["education_fen"],
        },
        "care": {
            "campaigns": campaigns["care_campaigns"],
            "signed_up": signups["care_signed_up"],
            "attended": signups["care_attended"],
            "classes": care_classes["care_classes"],
            "children": children["care_children"],
            "rooms_registered": rooms["rooms_registered"],
            "rooms": rooms["care_rooms"],
            "rooms_starred": rooms["rooms_starred"],
        },
        "party": {
            "members": party["party_members"],
            "probationary": party["probationary"],
            "meetings": meetings["party_meetings"],
            "theme_days": meetings["theme_days"],
            "dues_fen": dues["paid"] - dues["reversed"],
            "dues_paid_fen": dues["paid"],
            "dues_reversed_fen": dues["reversed"],
        },
        "workers": {
            "in_post": posted["social_workers"],
            "logs": logs["worker_logs"],
            "visits": logs["worker_visits"],
            "unions_founded": logs["worker_unions_founded"],
            "members_recruited": logs["worker_members_recruited"],
            "disputes_mediated": logs["worker_disputes"],
        },
    }
