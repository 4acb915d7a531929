"""组织建设: 模范职工之家 evaluations (建家评选) and 工会换届 (committee terms and their elections).

建家评选 — an organiser (the federation or a street) opens a ``HomeRound``; a member-holding union in its subtree
applies once (``UNIQUE(round, union)``) with a self-assessment against the fixed checklist ``CRITERIA`` (one
``HomeScore`` row per item, ``CHECK 0 <= self_score <= max_points``); the union's street reviews
(pass / return for correction / reject), the organiser decides and names (命名). The limits held by the database:

- the round's places: ``HomeRound.named`` is a counter under ``CHECK named <= places``, raised only by a
  conditional UPDATE (``WHERE named < places``); a street's share (``HomeQuota``) likewise, when the organiser set
  one. Concurrent decisions never name more homes than there are places;
- state transitions: each step is a conditional UPDATE ``WHERE status = <the one state it leaves>``, so a second
  decision on an application already decided updates nothing and is refused (even when both run at once); the
  CHECKs tie a decided status to its decider and time;
- a named home (``NamedHome``) comes from exactly one application (one-to-one) and a union holds at most one
  active title of a level (partial UNIQUE).

工会换届 — a union's committee terms (``CommitteeTerm``): 届次 unique per union, at most one current term per union
(partial UNIQUE), ``CHECK 实到 <= 应到`` and ``实到 * 2 > 应到`` (more than half present), term years 3 or 5;
each elected person (``ElectedPerson``) with their votes, each more than half of those present (checked by the
service, whose figure the row keeps: ``CHECK votes * 2 > present``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

# The fixed 建家 checklist: (key, item, max points, what it looks at). Points add up to 100.
CRITERIA = (
    ("organisation", "组织健全", 20, "工会组织依法建立，委员会、经审会、女职工委员会健全，按期换届"),
    ("democracy", "民主管理", 20, "职代会制度健全，厂务公开，职工参与企业民主管理"),
    ("rights", "维权机制", 20, "集体协商、劳动争议调解、劳动保护监督等机制运行有效"),
    ("venue", "职工活动阵地", 15, "有固定的职工之家活动场所和设施，经常开放"),
    ("review", "会员评议", 15, "会员评议职工之家满意率，会员对工会工作的评价"),
    ("funds", "经费管理", 10, "工会经费依法拨缴，账目清楚，经审监督到位"),
)
CRITERIA_MAX = {k: m for k, _, m, _ in CRITERIA}
CRITERIA_LABEL = {k: label for k, label, _, _ in CRITERIA}
TOTAL_MAX = sum(CRITERIA_MAX.values())


class HomeLevel(models.TextChoices):
    DISTRICT_HOME = "district_home", "区级模范职工之家"
    DISTRICT_SMALL = "district_small", "区级先进职工小家"
    STREET_HOME = "street_home", "街道级模范职工之家"


class HomeRound(models.Model):
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="home_rounds", verbose_name="组织单位"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("评选名称", max_length=100)
    level = models.CharField("命名称号", max_length=16, choices=HomeLevel.choices)
    deadline = models.DateField("申报截止")
    places = models.PositiveIntegerField("命名名额")
    named = models.PositiveIntegerField("已命名", default=0)
    valid_years = models.PositiveSmallIntegerField("称号有效期（年）", default=3)
    notes = models.TextField("评选说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = verbose_name_plural = "建家评选"
        constraints = [
            models.CheckConstraint(
                condition=Q(places__gte=1, places__lte=10000), name="homeround_places_range"
            ),
            models.CheckConstraint(
                condition=Q(named__gte=0) & Q(named__lte=F("places")), name="homeround_named_within_places"
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="homeround_year_range"),
            models.CheckConstraint(
                condition=Q(valid_years__gte=1, valid_years__lte=10), name="homeround_valid_years_range"
            ),
            models.CheckConstraint(
                condition=Q(level__in=["district_home", "district_small", "street_home"]),
                name="homeround_level_valid",
            ),
        ]

    def __str__(self):
        return self.title


class HomeQuota(models.Model):
    """A street's share of a round's places (optional): the street's named homes never exceed it."""

    round = models.ForeignKey(HomeRound, on_delete=models.CASCADE, related_name="quotas")
    street = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="街道"
    )
    places = models.PositiveIntegerField("名额")
    named = models.PositiveIntegerField("已命名", default=0)

    SCOPE_PATHS = ("street__path", "round__org__path")

    class Meta:
        ordering = ["street__path"]
        verbose_name = verbose_name_plural = "街道名额"
        constraints = [
            models.UniqueConstraint(fields=["round", "street"], name="homequota_once_per_street"),
            models.CheckConstraint(
                condition=Q(named__gte=0) & Q(named__lte=F("places")), name="homequota_named_within_places"
            ),
        ]


class HomeApplication(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待街道审核"
        RETURNED = "returned", "退回修改"
        PASSED = "passed", "街道已推荐，待审定"
        REJECTED = "rejected", "街道审核未通过"
        NAMED = "named", "已命名"
        DECLINED = "declined", "未予命名"

    round = models.ForeignKey(
        HomeRound, on_delete=models.PROTECT, related_name="applications", verbose_name="评选"
    )
    union = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="home_applications",
        verbose_name="申报工会",
    )
    # The street that reviews (the union's street; the organiser when the union lies under no street).
    street = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="审核街道"
    )
    summary = models.TextField("创建工作简介")
    self_total = models.PositiveSmallIntegerField("自评总分", default=0)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    street_score = models.PositiveSmallIntegerField("街道评分", null=True, blank=True)
    street_comment = models.CharField("街道审核意见", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审定意见", max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    resubmissions = models.PositiveSmallIntegerField("退回后重报次数", default=0)

    # The applying union's staff see their own; the street and the organiser see the applications in their subtree.
    SCOPE_PATHS = ("union__path", "round__org__path")

    class Meta:
        ordering = ["street__path", "union__path", "id"]
        verbose_name = verbose_name_plural = "建家申报"
        indexes = [models.Index(fields=["round", "status"], name="homeapp_round_status")]
        constraints = [
            models.UniqueConstraint(fields=["round", "union"], name="homeapp_one_per_union_round"),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "returned", "passed", "rejected", "named", "declined"]),
                name="homeapp_status_valid",
            ),
            models.CheckConstraint(condition=Q(self_total__lte=100), name="homeapp_self_total_range"),
            models.CheckConstraint(
                condition=Q(street_score__isnull=True) | Q(street_score__lte=100),
                name="homeapp_street_score_range",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["passed", "named", "declined"])
                | Q(street_score__isnull=False, reviewed_at__isnull=False),
                name="homeapp_passed_has_review",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["named", "declined"]) | Q(decided_at__isnull=False),
                name="homeapp_decided_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.union.name}（{self.round}）"

    @property
    def decided(self) -> bool:
        return self.status in (self.Status.NAMED, self.Status.DECLINED, self.Status.REJECTED)


class HomeScore(models.Model):
    """One checklist item of an application: the applicant's self score and note, the street's score."""

    application = models.ForeignKey(HomeApplication, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField("评分项", max_length=16, choices=[(k, label) for k, label, _, _ in CRITERIA])
    max_points = models.PositiveSmallIntegerField("满分")
    self_score = models.PositiveSmallIntegerField("自评分")
    note = models.CharField("自评说明", max_length=300, blank=True)

    SCOPE_PATHS = ("application__union__path", "application__round__org__path")

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "自评分"
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="homescore_once_per_item"),
            models.CheckConstraint(
                condition=Q(self_score__gte=0) & Q(self_score__lte=F("max_points")),
                name="homescore_within_max",
            ),
        ]


class NamedHome(models.Model):
    """The register of named homes (称号). ``valid_until`` is when the title must be re-checked (复核)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        REVOKED = "revoked", "已撤销"

    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="named_homes", verbose_name="工会"
    )
    application = models.OneToOneField(
        HomeApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="home"
    )
    level = models.CharField("称号", max_length=16, choices=HomeLevel.choices)
    year = models.PositiveSmallIntegerField("命名年度")
    named_on = models.DateField("命名日期")
    valid_until = models.DateField("有效期至")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    rechecked_on = models.DateField("最近复核", null=True, blank=True)
    recheck_note = models.CharField("复核意见", max_length=300, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["valid_until", "id"]
        verbose_name = verbose_name_plural = "职工之家称号"
        constraints = [
            models.UniqueConstraint(
                fields=["union", "level"], condition=Q(status="active"), name="namedhome_one_active_per_level"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("named_on")), name="namedhome_valid_after_named"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "revoked"]), name="namedhome_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.union.name} · {self.year}年{self.get_level_display()}"


class CommitteeTerm(models.Model):
    """One 届 of a union's committee, opened by its election (换届选举) and closed by the next one."""

    class Status(models.TextChoices):
        CURRENT = "current", "本届"
        ENDED = "ended", "已届满换届"

    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="committee_terms", verbose_name="工会"
    )
    number = models.PositiveSmallIntegerField("届次")
    elected_on = models.DateField("选举日期")
    term_years = models.PositiveSmallIntegerField("任期（年）")
    ends_on = models.DateField("任期届满")
    chair_name = models.CharField("主席", max_length=30)
    vice_chair_names = models.CharField("副主席", max_length=200, blank=True)
    members_count = models.PositiveSmallIntegerField("委员人数")
    expected = models.PositiveIntegerField("应到人数")
    present = models.PositiveIntegerField("实到人数")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.CURRENT)
    ended_on = models.DateField("换届日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["union__path", "-number"]
        verbose_name = verbose_name_plural = "工会届次"
        indexes = [models.Index(fields=["status", "ends_on"], name="term_status_ends")]
        constraints = [
            models.UniqueConstraint(fields=["union", "number"], name="term_number_unique_per_union"),
            models.UniqueConstraint(fields=["union"], condition=Q(status="current"), name="term_one_current"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=200), name="term_number_range"),
            models.CheckConstraint(condition=Q(term_years__in=[3, 5]), name="term_years_3_or_5"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("elected_on")), name="term_ends_after_elected"),
            models.CheckConstraint(condition=Q(members_count__gte=1), name="term_members_positive"),
            models.CheckConstraint(
                condition=Q(present__lte=F("expected")), name="term_present_within_expected"
            ),
            models.CheckConstraint(
                condition=Q(present__gt=F("expected") / 2.0), name="term_quorum_more_than_half"
            ),
            models.CheckConstraint(
                condition=Q(status="current") | Q(ended_on__isnull=False), name="term_ended_has_date"
            ),
            models.CheckConstraint(condition=Q(status__in=["current", "ended"]), name="term_status_valid"),
        ]

    def __str__(self):
        return f"{self.union.name}第{self.number}届委员会"


class ElectedPerson(models.Model):
    class Post(models.TextChoices):
        CHAIR = "chair", "主席"
        VICE = "vice", "副主席"
        MEMBER = "member", "委员"

    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="elected")
    name = models.CharField("姓名", max_length=30)
    post = models.CharField("职务", max_length=8, choices=Post.choices, default=Post.MEMBER)
    votes = models.PositiveIntegerField("得票")
    present = models.PositiveIntegerField("实到人数")  # the election's figure, so the CHECK below can hold

    SCOPE_PATHS = ("term__union__path",)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "当选人员"
        constraints = [
            models.CheckConstraint(
                condition=Q(votes__gt=F("present") / 2.0) & Q(votes__lte=F("present")),
                name="elected_votes_more_than_half",
            ),
            models.CheckConstraint(
                condition=Q(post__in=["chair", "vice", "member"]), name="elected_post_valid"
            ),
        ]


# ------------------------------------------------------------------------------------- 社会化工会工作者

# 岗位等级 and their monthly salary bands (yuan, before tax), as set by the federation's 社会化工会工作者管理办法.
# A worker's grade is one of these; the band is shown beside it and is information only (pay runs elsewhere).
WORKER_GRADES = (
    (1, "一级", 6800, 8200),
    (2, "二级", 5800, 6800),
    (3, "三级", 4800, 5800),
)
WORKER_GRADE_LABEL = {g: label for g, label, _, _ in WORKER_GRADES}
WORKER_GRADE_BAND = {g: (lo, hi) for g, _, lo, hi in WORKER_GRADES}
CONTRACT_DUE_DAYS = 60  # contracts ending within this many days are listed as 合同即将到期
EXCELLENT_PERCENT = 20  # 优秀 at most 20 % of the workers assessed in a round, rounded down, at least 1


def excellent_quota(assessed: int) -> int:
    return max(1, assessed * EXCELLENT_PERCENT // 100)


class SocialWorker(models.Model):
    """A 社会化工会工作者's engagement: a Person recruited by the federation and posted (``WorkerPosting``) to a
    street or a union. ``post`` mirrors the open posting (the last one once the worker has left), so scoping is one
    path prefix on it: a street's staff see the workers posted in their subtree. Someone who left and is engaged
    again (重新聘用) gets a new row — its own contract, grade, postings, work logs and assessments — and the old one
    stays as it was; a person is in post at most once (partial UNIQUE on the active rows)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "在岗"
        LEFT = "left", "离职"

    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="social_workers", verbose_name="人员"
    )
    post = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="social_workers", verbose_name="派驻单位"
    )
    grade = models.PositiveSmallIntegerField(
        "岗位等级", choices=[(g, label) for g, label, _, _ in WORKER_GRADES]
    )
    contract_start = models.DateField("合同开始")
    contract_end = models.DateField("合同到期")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.ACTIVE)
    left_on = models.DateField("离职日期", null=True, blank=True)
    left_reason = models.CharField("离职原因", max_length=300, blank=True)
    recruited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("post__path",)

    class Meta:
        ordering = ["post__path", "id"]
        verbose_name = verbose_name_plural = "社会化工会工作者"
        indexes = [models.Index(fields=["status", "contract_end"], name="worker_status_contract")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="worker_one_active_per_person"
            ),
            # a range, not grade IN (1, 2, 3): Django's SQLite introspection splits a table's SQL on ", " and
            # fails on the one-character pieces of a list of small numbers
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=3), name="worker_grade_valid"),
            models.CheckConstraint(condition=Q(status__in=["active", "left"]), name="worker_status_valid"),
            models.CheckConstraint(
                condition=Q(contract_end__gt=F("contract_start")), name="worker_contract_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status="active", left_on__isnull=True) | Q(status="left", left_on__isnull=False),
                name="worker_left_has_date",
            ),
        ]

    def __str__(self):
        return self.person.name

    @property
    def band(self) -> str:
        lo, hi = WORKER_GRADE_BAND.get(self.grade, (0, 0))
        return f"{lo}–{hi} 元/月"


class WorkerPosting(models.Model):
    """One posting of a worker to an organisation: opened by recruitment or a transfer (调岗), closed by the next
    transfer or by leaving. At most one open posting per worker (partial UNIQUE) — so per person, since a
    person is in post in at most one engagement."""

    worker = models.ForeignKey(SocialWorker, on_delete=models.PROTECT, related_name="postings")
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="派驻单位"
    )
    started_on = models.DateField("派驻日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("调岗原因", max_length=300, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path", "worker__post__path")

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = verbose_name_plural = "派驻记录"
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(ended_on__isnull=True), name="posting_one_open_per_worker"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="posting_ends_after_start",
            ),
        ]


class WorkLog(models.Model):
    """A worker's month (工作记录): one per worker per month, entered by the post's staff, locked once the post's
    organisation confirms it (``status`` moves draft → confirmed only by a conditional UPDATE)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待确认"
        CONFIRMED = "confirmed", "已确认"

    worker = models.ForeignKey(SocialWorker, on_delete=models.PROTECT, related_name="logs")
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="派驻单位"
    )
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    visits = models.PositiveIntegerField("走访企业（家次）", default=0)
    unions_founded = models.PositiveIntegerField("新建工会（个）", default=0)
    members_recruited = models.PositiveIntegerField("发展会员（人）", default=0)
    disputes_mediated = models.PositiveIntegerField("调解劳动争议（件）", default=0)
    summary = models.TextField("工作小结")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-year", "-month", "worker_id"]
        verbose_name = verbose_name_plural = "工作记录"
        constraints = [
            models.UniqueConstraint(fields=["worker", "year", "month"], name="worklog_one_per_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="worklog_month_range"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="worklog_year_range"),
            models.CheckConstraint(
                condition=Q(visits__lte=10000)
                & Q(unions_founded__lte=10000)
                & Q(members_recruited__lte=100000)
                & Q(disputes_mediated__lte=10000),
                name="worklog_counts_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "confirmed"]), name="worklog_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(confirmed_at__isnull=False), name="worklog_confirmed_has_time"
            ),
        ]

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


class AssessmentRound(models.Model):
    """年度考核: the federation opens a year's round, which fixes who is assessed (the workers on post at that
    moment, one ``Assessment`` each) and the 优秀 quota (20 % of them, rounded down, at least 1). ``excellent``
    counts the 优秀 grades given, under ``CHECK excellent <= excellent_quota``, raised only by a conditional
    UPDATE; the federation's confirmation freezes the round."""

    class Status(models.TextChoices):
        OPEN = "open", "考核中"
        CONFIRMED = "confirmed", "已确认"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="组织单位"
    )
    year = models.PositiveSmallIntegerField("考核年度")
    assessed = models.PositiveIntegerField("参加考核人数")
    excellent_quota = models.PositiveIntegerField("优秀名额")
    excellent = models.PositiveIntegerField("已评优秀", default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-year"]
        verbose_name = verbose_name_plural = "年度考核"
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="assessround_one_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="assessround_year_range"
            ),
            models.CheckConstraint(
                condition=Q(excellent__gte=0) & Q(excellent__lte=F("excellent_quota")),
                name="assessround_excellent_within_quota",
            ),
            models.CheckConstraint(
                condition=Q(excellent_quota__gte=1) & Q(excellent_quota__lte=F("assessed")),
                name="assessround_quota_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "confirmed"]), name="assessround_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(confirmed_at__isnull=False),
                name="assessround_confirmed_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.year}年度社会化工会工作者考核"


class Assessment(models.Model):
    class Grade(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        QUALIFIED = "qualified", "合格"
        BASIC = "basic", "基本合格"
        UNQUALIFIED = "unqualified", "不合格"

    round = models.ForeignKey(AssessmentRound, on_delete=models.PROTECT, related_name="items")
    worker = models.ForeignKey(SocialWorker, on_delete=models.PROTECT, related_name="assessments")
    # who grades: the worker's post (at opening; a transfer during the round moves it with the worker)
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="派驻单位"
    )
    grade = models.CharField("考核等次", max_length=12, choices=Grade.choices, blank=True)
    comment = models.CharField("评语", max_length=500, blank=True)
    reason = models.CharField("不合格原因", max_length=500, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["org__path", "worker_id"]
        verbose_name = verbose_name_plural = "考核结果"
        constraints = [
            models.UniqueConstraint(fields=["round", "worker"], name="assessment_once_per_round"),
            models.CheckConstraint(
                condition=Q(grade__in=["", "excellent", "qualified", "basic", "unqualified"]),
                name="assessment_grade_valid",
            ),
            models.CheckConstraint(
                condition=~Q(grade="unqualified") | ~Q(reason=""), name="assessment_unqualified_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(grade="") | Q(graded_at__isnull=False), name="assessment_graded_has_time"
            ),
        ]
