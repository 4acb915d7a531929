"""The dashboard's figures of the union services: 工会志愿者, 劳动竞赛 and 创新成果评审, 模范职工之家 and 换届,
职工医疗互助, 平安返乡 and 就业帮扶 — for one organisation's subtree and one calendar year (Asia/Shanghai).

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
)


def hours(minutes: int) -> float:
    """Service minutes as hours, to one decimal (150 → 2.5)."""
    return round((minutes or 0) / 60, 1)


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

    def grouped(qs, path_field: str, *, derived=None, **aggregates):
        """One grouped query: {aggregate: total}, each row's figures (those named in :data:`CHILD_FIELDS`, and
        ``derived``: {field: function of the row}) added to its child's row."""
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
    }
