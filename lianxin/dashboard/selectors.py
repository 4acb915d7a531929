"""The leaders' dashboard (领导驾驶舱): one organisation's subtree in figures, for one calendar year.

Every figure is read from the records themselves — memberships, people, enterprises, applications, activities,
articles, bookings — never typed in, so it agrees with the lists it summarises. One organisation's figures are
the same for everyone who may see that organisation, so the scope is decided first (:func:`dashboard_org`:
404 outside the actor's subtree, exactly as every other page) and the figures are then cached per
(organisation, year) in Django's shared cache for :data:`CACHE_SECONDS`; the page says when they were counted.

The number of queries is fixed (one per table read, whatever the district's size): each table is read once, grouped
by union or organisation, and the sums per direct child (the 下级单位 table) are made here from the paths, as
:func:`lianxin.orgs.selectors.member_counts` does. Years, months and "today" are Asia/Shanghai (DESIGN rule 9).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from lianxin.core.errors import PermissionDenied, ServiceError
from lianxin.core.scoping import can, get_scoped_or_404, path_filter
from lianxin.members.models import Membership, MembershipStatus, Political
from lianxin.orgs.models import MEMBER_HOLDING_KINDS, STEP, Enterprise, Organization, OrgKind, Size
from lianxin.orgs.selectors import root_orgs_for

from .selectors_work import hours, union_work

CACHE_SECONDS = 600
FIRST_YEAR = 2000
SHANGHAI = ZoneInfo("Asia/Shanghai")
# age bands as union statistics report them; 35 and under is 青年 (the youth league's reach, as Person.is_youth)
AGE_BANDS = (("35岁及以下", 0, 35), ("36–45岁", 36, 45), ("46–55岁", 46, 55), ("56岁及以上", 56, 200))
SMALL_MICRO = (Size.SMALL, Size.MICRO)
TERM_WARNING_DAYS = 90
# programmes paid from the fund ledger whose money the dashboard shows under its own service, not as 帮扶
NOT_HARDSHIP_AID = ("medical_aid", "education")


def years_before(d: dt.date, n: int) -> dt.date:
    """The same day ``n`` years before ``d`` (29 February → 28 February in a common year)."""
    try:
        return d.replace(year=d.year - n)
    except ValueError:
        return d.replace(year=d.year - n, day=28)


def dashboard_roots(*, actor) -> list[Organization]:
    """The organisations whose dashboards the actor starts from: their topmost grants."""
    return sorted(root_orgs_for(actor), key=lambda o: o.path)


def dashboard_org(*, actor, pk=None) -> Organization:
    """The organisation to show: ``pk`` when given (404 outside the actor's subtree), else the actor's topmost
    organisation. A user without any staff role gets a 403."""
    if pk is not None:
        return get_scoped_or_404(Organization.objects.select_related("parent"), actor, pk)
    roots = dashboard_roots(actor=actor)
    if not roots:
        raise PermissionDenied("驾驶舱只对工会工作人员开放")
    return roots[0]


def parse_year(value, *, today: dt.date | None = None) -> int:
    """The year asked for (empty: this year), refused in Chinese when it is not one the platform can have."""
    this_year = (today or timezone.localdate()).year
    if value in (None, ""):
        return this_year
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ServiceError("年份应为四位数字，如 2026", field="year") from None
    if not FIRST_YEAR <= year <= this_year:
        raise ServiceError(f"年份应在 {FIRST_YEAR}–{this_year} 之间", field="year")
    return year


def breadcrumbs(*, actor, org: Organization) -> list[Organization]:
    """The organisation's ancestors the actor may also see (from their topmost grant down), then itself."""
    steps = [org.path[:end] for end in range(STEP, len(org.path), STEP)]
    above = {o.path: o for o in Organization.objects.filter(path__in=steps)}
    return [above[p] for p in steps if p in above and can(actor, "view", p)] + [org]


def overview(*, actor, org: Organization, year: int, fresh: bool = False) -> dict:
    """The dashboard's figures for ``org``'s subtree in ``year`` (cached; see the module docstring). The actor
    must already have been let see ``org`` (:func:`dashboard_org`); it is asked again here, fail closed."""
    if not can(actor, "view", org.path):
        raise PermissionDenied("该组织不在您的管理范围内")
    if not fresh:
        cached = cache.get(_key(org, year))
        if cached is not None and cached.get("path") == org.path:
            return cached
    return recount(org, year)


def _key(org: Organization, year: int) -> str:
    # v2: with the union services' figures; v3: with 教育培训, 女职工与留守关爱, 党支部工作 and 社会化工会工作者
    return f"dashboard:v3:{org.pk}:{year}"


def recount(org: Organization, year: int) -> dict:
    """Count ``org``'s figures now and keep them in the cache (the caller has decided who may see them)."""
    data = compute(org, year)
    cache.set(_key(org, year), data, CACHE_SECONDS)
    return data


def warm(*, depth: int = 1, year: int | None = None) -> int:
    """Recount this year's figures of every organisation down to ``depth`` (0: the federation, 1: and its
    streets), so the leaders who open those dashboards never wait for a count: run it more often than
    :data:`CACHE_SECONDS` (``manage.py dashboard_warm``, every 5 minutes). Returns how many were counted."""
    year = year or timezone.localdate().year
    orgs = list(Organization.objects.filter(depth__lte=depth).order_by("path"))
    for org in orgs:
        recount(org, year)
    return len(orgs)


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def compute(org: Organization, year: int, *, now: dt.datetime | None = None) -> dict:
    """The figures themselves, uncached. ``now`` (aware) fixes "today" for tests; a past year is counted as of
    its 31 December."""
    now = now or timezone.now()
    today = timezone.localtime(now, SHANGHAI).date()
    as_of = min(today, dt.date(year, 12, 31))
    year_start = dt.date(year, 1, 1)
    t_start = dt.datetime(year, 1, 1, tzinfo=SHANGHAI)
    t_end = dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    months = as_of.month if year == today.year else 12

    # the tree under org: thousands of rows at most; every sum per child is made from these paths
    tree = list(
        Organization.objects.filter(path__startswith=org.path)
        .order_by()
        .values_list("pk", "path", "kind", "name", "parent_id", "term_ends_on")
    )
    path_of = {pk: path for pk, path, *_ in tree}
    children = sorted(
        ((pk, path, kind, name) for pk, path, kind, name, parent, _t in tree if parent == org.pk),
        key=lambda c: c[1],
    )
    child_width = len(org.path) + STEP
    child_index = {path: i for i, (_pk, path, _k, _n) in enumerate(children)}

    def child_of(path: str | None) -> int | None:
        return child_index.get(path[:child_width]) if path and len(path) >= child_width else None

    rows = [
        {
            "id": pk,
            "name": name,
            "kind": OrgKind(kind).label,
            "unions": 0,
            "members": 0,
            "women": 0,
            "youth": 0,
            "joined": 0,
            "enterprises": 0,
            "enterprises_covered": 0,
            "pending": 0,
            "activities": 0,
        }
        for pk, _p, kind, name in children
    ]

    def add(path, field, n):
        i = child_of(path)
        if i is not None:
            rows[i][field] += n

    kinds: dict[str, int] = defaultdict(int)
    term_overdue = term_soon = 0
    for _pk, path, kind, _name, _parent, term_ends in tree:
        kinds[kind] += 1
        if kind in MEMBER_HOLDING_KINDS:
            add(path, "unions", 1)
            if term_ends is not None:
                if term_ends < today:
                    term_overdue += 1
                elif term_ends <= today + dt.timedelta(days=TERM_WARNING_DAYS):
                    term_soon += 1
    organisations = [{"kind": k.label, "count": kinds.get(k.value, 0)} for k in OrgKind if kinds.get(k.value)]

    # members now, per union, with what the youth league, the women's committee and the party branch ask of them
    youth_cut = years_before(as_of, 36)  # born after this day: 35 or younger on as_of
    bands = []
    for label, low, high in AGE_BANDS:
        # age in [low, high]  <=>  born in (as_of - (high+1) years, as_of - low years]
        bands.append((label, years_before(as_of, high + 1), years_before(as_of, low)))
    band_q = {
        f"age{i}": Count("id", filter=Q(person__birth_date__gt=after, person__birth_date__lte=upto))
        for i, (_l, after, upto) in enumerate(bands)
    }
    union_ids = list(path_of)
    # a membership is live on as_of when it began by then and had not ended (a transfer ends one and begins
    # another on the same day), so a past year is counted as it stood on its 31 December
    live = (
        Q(joined_on__lte=as_of)
        & (Q(left_on__isnull=True) | Q(left_on__gt=as_of))
        & ~Q(status=MembershipStatus.APPLYING)
    )
    member_rows = (
        Membership.objects.filter(live, union_id__in=union_ids)
        .order_by()
        .values("union_id")
        .annotate(
            n=Count("id"),
            women=Count("id", filter=Q(person__gender="F")),
            youth=Count("id", filter=Q(person__birth_date__gt=youth_cut)),
            migrant=Count("id", filter=Q(person__is_migrant=True)),
            frontline=Count("id", filter=Q(person__is_frontline=True)),
            model=Count("id", filter=Q(person__is_model_worker=True)),
            party=Count("id", filter=Q(person__political_status__in=[Political.CPC, Political.PROBATIONARY])),
            **band_q,
        )
    )
    m = defaultdict(int)
    for r in member_rows:
        for k, v in r.items():
            if k != "union_id":
                m[k] += v
        path = path_of[r["union_id"]]
        add(path, "members", r["n"])
        add(path, "women", r["women"])
        add(path, "youth", r["youth"])
    members = m["n"]

    # joining and leaving month by month, whatever became of the membership since; a transfer between unions
    # is neither (the new membership carries transferred_from, the old one ends as "transferred")
    joined_by_month: dict[int, int] = defaultdict(int)
    for union_id, month, n in (
        Membership.objects.filter(
            union_id__in=union_ids,
            joined_on__gte=year_start,
            joined_on__lte=as_of,
            transferred_from__isnull=True,
        )
        .exclude(status=MembershipStatus.APPLYING)
        .order_by()
        .annotate(month=ExtractMonth("joined_on"))
        .values_list("union_id", "month")
        .annotate(n=Count("id"))
    ):
        joined_by_month[month] += n
        add(path_of[union_id], "joined", n)
    left_by_month = dict(
        Membership.objects.filter(
            union_id__in=union_ids, status=MembershipStatus.LEFT, left_on__gte=year_start, left_on__lte=as_of
        )
        .order_by()
        .annotate(month=ExtractMonth("left_on"))
        .values_list("month")
        .annotate(n=Count("id"))
    )

    # enterprises reached by the subtree: in its streets, or covered by one of its unions (the scoping rule)
    ent_rows = (
        Enterprise.objects.filter(path_filter(Enterprise, [org.path]))
        .order_by()
        .values_list("street_id", "covering_union_id", "size")
        .annotate(
            n=Count("id"), workers=Sum("headcount"), founding=Count("id", filter=Q(needs_union_founding=True))
        )
    )
    street_paths = dict(
        Organization.objects.filter(pk__in={s for s, *_ in ent_rows} - set(path_of)).values_list("pk", "path")
    )
    street_paths.update(path_of)
    e = defaultdict(int)
    by_size: dict[str, list[int]] = {s.value: [0, 0] for s in Size}
    for street_id, union_id, size, n, workers, founding in ent_rows:
        covered = union_id is not None
        workers = workers or 0
        e["all"] += n
        e["workers"] += workers
        e["founding"] += founding
        by_size[size][0] += n
        if covered:
            e["covered"] += n
            e["workers_covered"] += workers
            by_size[size][1] += n
        # a child reaches the enterprise through its street or its covering union: counted once per child
        seen = {child_of(street_paths.get(street_id)), child_of(path_of.get(union_id))} - {None}
        for i in seen:
            rows[i]["enterprises"] += n
            if covered:
                rows[i]["enterprises_covered"] += n
    small_all = sum(by_size[s][0] for s in SMALL_MICRO)
    small_covered = sum(by_size[s][1] for s in SMALL_MICRO)
    certificates = _valid_certificates(union_ids, today)

    services, activities_by_month, articles_by_month = _services(org, year, t_start, t_end, now, months, add)
    trend = [
        {
            "month": f"{mo}月",
            "joined": joined_by_month.get(mo, 0),
            "left": left_by_month.get(mo, 0),
            "activities": activities_by_month.get(mo, 0),
            "articles": articles_by_month.get(mo, 0),
        }
        for mo in range(1, months + 1)
    ]

    cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    work = union_work(
        org,
        year,
        t_start=t_start,
        t_end=t_end,
        cutoff=cutoff,
        year_start=year_start,
        as_of=as_of,
        rows=rows,
        add=add,
    )

    for r in rows:
        r["coverage_rate"] = _pct(r["enterprises_covered"], r["enterprises"])
        r["volunteer_hours"] = hours(r["volunteer_minutes"])
    return {
        "org_id": org.pk,
        "path": org.path,
        "org_name": org.name,
        "year": year,
        "as_of": as_of.isoformat(),
        "counted_at": timezone.localtime(now, SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        "organisations": organisations,
        "unions": sum(kinds.get(k, 0) for k in MEMBER_HOLDING_KINDS),
        "base_unions": kinds.get(OrgKind.BASE, 0),
        "term_overdue": term_overdue,
        "term_soon": term_soon,
        "certificates": certificates,
        "members": {
            "total": members,
            "joined": sum(joined_by_month.values()),
            "left": sum(left_by_month.values()),
            "women": m["women"],
            "women_pct": _pct(m["women"], members),
            "youth": m["youth"],
            "youth_pct": _pct(m["youth"], members),
            "migrant": m["migrant"],
            "frontline": m["frontline"],
            "model": m["model"],
            "party": m["party"],
            "ages": [{"band": label, "count": m[f"age{i}"]} for i, (label, *_b) in enumerate(bands)],
        },
        "trend": trend,
        "enterprises": {
            "total": e["all"],
            "covered": e["covered"],
            "rate": _pct(e["covered"], e["all"]),
            "small_micro": small_all,
            "small_micro_covered": small_covered,
            "small_micro_rate": _pct(small_covered, small_all),
            "needs_founding": e["founding"],
            "workers": e["workers"],
            "workers_covered": e["workers_covered"],
            "worker_rate": _pct(e["workers_covered"], e["workers"]),
            "membership_rate": _pct(members, e["workers"]),
            "by_size": [
                {"size": Size(s).label, "total": t, "covered": c} for s, (t, c) in by_size.items() if t
            ],
        },
        **services,
        **work,
        "children": rows,
    }


def _valid_certificates(union_ids: list[int], today: dt.date) -> int:
    from lianxin.workflow.models import Certificate, CertStatus

    return Certificate.objects.filter(
        union_id__in=union_ids, status=CertStatus.VALID, valid_until__gte=today
    ).count()


def _services(org, year, t_start, t_end, now, months, add) -> tuple[dict, dict[int, int], dict[int, int]]:
    """Applications, activities, news and bookings of the subtree in the year (one grouped query each); and the
    activities and articles per month."""
    from lianxin.activities.models import Activity, Signup
    from lianxin.content.models import Article, ArticleStatus, Book
    from lianxin.venues.models import Booking, BookingStatus, Site
    from lianxin.workflow.models import FINISHED_STATES, PENDING_STATES, Application, Step
    from lianxin.workflow.programmes import PROGRAMMES

    under = [org.path]
    # applications: those submitted in the year, and those waiting now whenever they came in
    app_rows = (
        Application.objects.filter(path_filter(Application, under))
        .filter(Q(submitted_at__gte=t_start, submitted_at__lt=t_end) | Q(state__in=PENDING_STATES))
        .order_by()
        .values_list("org__path", "programme", "state")
        .annotate(
            n=Count("id"),
            in_year=Count("id", filter=Q(submitted_at__gte=t_start, submitted_at__lt=t_end)),
            zero=Count("id", filter=Q(trips=0)),
            one=Count("id", filter=Q(trips__lte=1)),
        )
    )
    progs: dict[str, dict] = {}
    pending = finished = zero = one = 0
    for path, prog, state, n, in_year, z, o in app_rows:
        p = progs.setdefault(
            prog,
            {
                "programme": PROGRAMMES[prog].name if prog in PROGRAMMES else prog,
                "submitted": 0,
                "approved": 0,
                "rejected": 0,
                "pending": 0,
            },
        )
        p["submitted"] += in_year
        if state in PENDING_STATES:
            p["pending"] += n
            pending += n
            add(path, "pending", n)
        if state in FINISHED_STATES and in_year:
            p["approved" if state == "approved" else "rejected"] += in_year
            finished += in_year
            zero += z
            one += o
    overdue = Step.objects.filter(
        decision__isnull=True, due_at__lt=now, org__path__startswith=org.path
    ).count()

    act_rows = (
        Activity.objects.filter(path_filter(Activity, under), starts_at__gte=t_start, starts_at__lt=t_end)
        .exclude(status=Activity.Status.DRAFT)
        .order_by()
        .annotate(month=ExtractMonth("starts_at", tzinfo=SHANGHAI))
        .values_list("org__path", "month", "status")
        .annotate(n=Count("id"), taken=Sum("taken"))
    )
    per_month = defaultdict(int)
    held = signed = 0
    for path, month, status, n, taken in act_rows:
        if status == Activity.Status.CANCELLED:
            continue
        per_month[month] += n
        held += n
        signed += taken or 0
        add(path, "activities", n)
    checked_in = Signup.objects.filter(
        activity__org__path__startswith=org.path,
        activity__starts_at__gte=t_start,
        activity__starts_at__lt=t_end,
        activity__status=Activity.Status.PUBLISHED,
        checked_in_at__isnull=False,
    ).count()

    articles = dict(
        Article.objects.filter(
            path_filter(Article, under),
            status=ArticleStatus.PUBLISHED,
            published_at__gte=t_start,
            published_at__lt=t_end,
        )
        .order_by()
        .annotate(month=ExtractMonth("published_at", tzinfo=SHANGHAI))
        .values_list("month")
        .annotate(n=Count("id"))
    )
    bookings = Booking.objects.filter(
        path_filter(Booking, under), slot__starts_at__gte=t_start, slot__starts_at__lt=t_end
    ).exclude(status=BookingStatus.CANCELLED)
    booking = bookings.aggregate(n=Count("id"), attended=Count("id", filter=Q(status=BookingStatus.ATTENDED)))
    sites = Site.objects.filter(path_filter(Site, under), is_active=True).count()
    # 帮扶救助: people on file now, and what was paid to people of the subtree in the year (by the union that
    # received the application, whichever organisation's fund paid)
    from lianxin.assistance.models import EntryKind, HardshipFile, LedgerEntry

    on_file = HardshipFile.objects.filter(path_filter(HardshipFile, under), closed_at__isnull=True).count()
    # ... and 两节送温暖 money paid to people put forward by unions of the subtree (one query for both)
    # (职工医疗互助's hospital-stay payments are counted with the mutual aid, 教育补助 with the training figures:
    # neither again here)
    by_app = Q(application__isnull=False) & ~Q(application__programme__in=NOT_HARDSHIP_AID)
    by_campaign = Q(recipient__isnull=False)
    aid = LedgerEntry.objects.filter(
        Q(application__org__path__startswith=org.path) | Q(recipient__union__path__startswith=org.path),
        kind=EntryKind.DISBURSE,
        created_at__gte=t_start,
        created_at__lt=t_end,
    ).aggregate(
        n=Count("id", filter=by_app),
        fen=Sum("amount_fen", filter=by_app),
        warm_n=Count("id", filter=by_campaign),
        warm_fen=Sum("amount_fen", filter=by_campaign),
    )
    books = Book.objects.filter(path_filter(Book, under)).count()
    return (
        {
            "applications": {
                "by_programme": sorted(progs.values(), key=lambda p: p["programme"]),
                "submitted": sum(p["submitted"] for p in progs.values()),
                "pending": pending,
                "overdue": overdue,
                "finished": finished,
                "zero_trip_pct": _pct(zero, finished),
                "one_trip_pct": _pct(one, finished),
            },
            "activities": {
                "held": held,
                "signed_up": signed,
                "checked_in": checked_in,
                "checkin_pct": _pct(checked_in, signed),
                "months_with_activity": sum(1 for mo in range(1, months + 1) if per_month.get(mo)),
                "months": months,
            },
            "content": {"articles": sum(articles.values()), "books": books},
            "venues": {"sites": sites, "bookings": booking["n"], "attended": booking["attended"]},
            "assistance": {
                "on_file": on_file,
                "aided": aid["n"],
                "aid_fen": -(aid["fen"] or 0),
                "condoled": aid["warm_n"],
                "condolence_fen": -(aid["warm_fen"] or 0),
            },
        },
        per_month,
        articles,
    )
