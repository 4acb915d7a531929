"""Assistance (帮扶救助): the funds it pays from, their ledger, and the hardship archive (困难职工档案).

Money follows DESIGN rule 5: integer fen, an append-only ledger, the balance derived. Each entry carries its
fund's running balance after it (``balance_after_fen``) and its place in the fund's sequence (``seq``), so the
database itself holds the rules — a balance below zero violates a CHECK constraint, and two writers appending
the same next entry violate the (fund, seq) unique constraint — whatever a caller does. The services append
under a row lock on the fund, so in practice writers queue rather than fail. Writes go through
:mod:`lianxin.assistance.services` only.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Purpose(models.TextChoices):
    HARDSHIP = "hardship", "困难职工帮扶"
    WARMTH = "warmth", "两节送温暖"
    MEDICAL = "medical", "职工医疗互助"
    STUDY = "study", "金秋助学"
    EDUCATION = "education", "教育补助"  # 职工学历提升补助 (lianxin.training, programme "education")


class Fund(models.Model):
    """A year's money of one organisation for one purpose (the federation's 2026 hardship fund)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="funds",
                            verbose_name="管理组织")
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices)
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("资金名称", max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-year", "org__path"]
        verbose_name = verbose_name_plural = "帮扶资金"
        constraints = [
            models.UniqueConstraint(fields=["org", "purpose", "year"], name="fund_one_per_org_purpose_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="fund_year_range"),
        ]

    def __str__(self):
        return self.name


class EntryKind(models.TextChoices):
    ALLOCATE = "allocate", "拨入"
    DISBURSE = "disburse", "支出"


class LedgerEntry(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries", verbose_name="资金")
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("类型", max_length=16, choices=EntryKind.choices)
    amount_fen = models.BigIntegerField("金额（分）")  # + money in, − money out
    balance_after_fen = models.BigIntegerField("余额（分）")
    memo = models.CharField("摘要", max_length=200)
    application = models.OneToOneField("workflow.Application", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="ledger_entry", verbose_name="申请")
    recipient = models.OneToOneField("Recipient", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="ledger_entry", verbose_name="慰问对象")
    homeward = models.OneToOneField("HomewardApplication", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="ledger_entry", verbose_name="返乡购票补贴")
    person = models.ForeignKey("members.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="aid_entries", verbose_name="受助人")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name="经办人")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    SCOPE_PATHS = ("fund__org__path",)

    class Meta:
        ordering = ["fund", "-seq"]
        verbose_name = verbose_name_plural = "资金台账"
        constraints = [
            # one entry per place in the fund's sequence: two writers cannot both append "the next" entry
            models.UniqueConstraint(fields=["fund", "seq"], name="ledger_one_entry_per_seq"),
            # a fund never goes below zero
            models.CheckConstraint(condition=Q(balance_after_fen__gte=0), name="ledger_balance_not_negative"),
            models.CheckConstraint(condition=(Q(kind="allocate") & Q(amount_fen__gt=0))
                                   | (Q(kind="disburse") & Q(amount_fen__lt=0)), name="ledger_sign_matches_kind"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="ledger_seq_from_one"),
            models.CheckConstraint(condition=Q(amount_fen__gte=-(10**12)) & Q(amount_fen__lte=10**12),
                                   name="ledger_amount_bounded"),
            # a disbursement pays someone, for exactly one reason: an approved application, a campaign's
            # recipient or a confirmed 返乡 ticket subsidy
            models.CheckConstraint(condition=~Q(kind="disburse") | (Q(person__isnull=False) & (
                Q(application__isnull=False, recipient__isnull=True, homeward__isnull=True)
                | Q(application__isnull=True, recipient__isnull=False, homeward__isnull=True)
                | Q(application__isnull=True, recipient__isnull=True, homeward__isnull=False))),
                name="ledger_disburse_has_payee"),
            models.CheckConstraint(condition=Q(kind="disburse") | Q(application__isnull=True, recipient__isnull=True,
                                                                    homeward__isnull=True, person__isnull=True),
                                   name="ledger_allocate_pays_no_one"),
        ]
        indexes = [models.Index(fields=["person", "created_at"], name="ledger_person_time")]

    def __str__(self):
        return f"{self.fund} #{self.seq}"


class Level(models.TextChoices):
    ORDINARY = "ordinary", "一般困难"
    DEEP = "deep", "深度困难"
    ACCIDENT = "accident", "意外致困"


class Cause(models.TextChoices):
    ILLNESS = "illness", "因病"
    DISASTER = "disaster", "因灾"
    EDUCATION = "education", "因学"
    DISABILITY = "disability", "因残"
    SINGLE_PARENT = "single_parent", "单亲家庭"
    ACCIDENT = "accident", "意外事故"
    OTHER = "other", "其他"


class HardshipFile(models.Model):
    """困难职工档案: one open file per person, opened by the first approved hardship application and kept up to
    date by later ones; every payment to the person is a ledger entry naming them."""

    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="hardship_files",
                               verbose_name="困难职工")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="hardship_files",
                              verbose_name="所在工会")
    level = models.CharField("困难类别", max_length=16, choices=Level.choices)
    cause = models.CharField("致困原因", max_length=16, choices=Cause.choices)
    family_size = models.PositiveSmallIntegerField("家庭人口")
    income_fen = models.BigIntegerField("家庭人均月收入（分）")
    situation = models.TextField("困难情况", max_length=1000)
    opened_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    closed_at = models.DateTimeField("脱困时间", null=True, blank=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = verbose_name_plural = "困难职工档案"
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(closed_at__isnull=True),
                                    name="hardship_one_open_file_per_person"),
            models.CheckConstraint(condition=Q(family_size__gte=1, family_size__lte=30), name="hardship_family_size"),
            models.CheckConstraint(condition=Q(income_fen__gte=0), name="hardship_income_not_negative"),
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                                   name="hardship_closed_after_opened"),
        ]

    def __str__(self):
        return f"{self.person} {self.get_level_display()}"


# --- 两节送温暖: a holiday condolence campaign. Unions put forward the people to visit, the organiser approves and
# pays them all at once from its fund, the unions record each visit. ------------------------------------------


class CampaignStatus(models.TextChoices):
    OPEN = "open", "报送中"
    CLOSED = "closed", "已结束"


class Campaign(models.Model):
    """One round of condolence visits (2027 年元旦春节送温暖), organised by the federation or a street for its
    subtree, paid from the organiser's (or an ancestor's) 两节送温暖 fund. ``paid_fen`` is the running total
    paid; the database keeps it within ``budget_fen``."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="campaigns",
                            verbose_name="组织单位")
    name = models.CharField("活动名称", max_length=100)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="campaigns", verbose_name="列支资金")
    standard_fen = models.BigIntegerField("慰问标准（分/人）")
    max_fen = models.BigIntegerField("每人最高（分）")
    budget_fen = models.BigIntegerField("预算（分）")
    paid_fen = models.BigIntegerField("已发放（分）", default=0)
    deadline = models.DateField("报送截止日期")
    status = models.CharField("状态", max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "送温暖活动"
        constraints = [
            models.CheckConstraint(condition=Q(standard_fen__gt=0) & Q(max_fen__gte=F("standard_fen")),
                                   name="campaign_standard_within_max"),
            models.CheckConstraint(condition=Q(budget_fen__gt=0, budget_fen__lte=10**12), name="campaign_budget_range"),
            # never more paid than budgeted
            models.CheckConstraint(condition=Q(paid_fen__gte=0) & Q(paid_fen__lte=F("budget_fen")),
                                   name="campaign_paid_within_budget"),
        ]

    def __str__(self):
        return self.name


class Category(models.TextChoices):
    HARDSHIP = "hardship", "困难职工"
    MODEL = "model", "劳动模范"
    FRONTLINE = "frontline", "一线职工"
    MIGRANT = "migrant", "农民工"
    WOMEN = "women", "困难女职工"
    SICK = "sick", "患病职工"
    OTHER = "other", "其他"


class RecipientStatus(models.TextChoices):
    PROPOSED = "proposed", "待审核"
    APPROVED = "approved", "已审核"
    REJECTED = "rejected", "未通过"
    PAID = "paid", "已发放"
    DELIVERED = "delivered", "已送达"


class Recipient(models.Model):
    """A person put forward for a campaign by their union. One person at most once per campaign (the database's
    unique constraint); paid ones carry their ledger entry (``ledger_entry``)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="recipients",
                                 verbose_name="活动")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="condolences",
                               verbose_name="慰问对象")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="condolences",
                              verbose_name="报送工会")
    category = models.CharField("慰问类别", max_length=16, choices=Category.choices)
    amount_fen = models.BigIntegerField("慰问金（分）")
    reason = models.CharField("慰问事由", max_length=200)
    status = models.CharField("状态", max_length=16, choices=RecipientStatus.choices,
                              default=RecipientStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    proposed_at = models.DateTimeField("报送时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["union__path", "proposed_at"]
        verbose_name = verbose_name_plural = "慰问对象"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="recipient_once_per_campaign"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0, amount_fen__lte=10**9), name="recipient_amount_range"),
            models.CheckConstraint(condition=Q(delivered_at__isnull=True) | Q(status="delivered"),
                                   name="recipient_delivered_has_status"),
        ]
        indexes = [models.Index(fields=["campaign", "status"], name="recipient_campaign_status")]

    def __str__(self):
        return f"{self.campaign} {self.person}"


# --- 疗休养: places on rest holidays. The organiser sets up a trip with its places and may share them out among
# streets; unions put their members forward; each seat taken is counted on the trip (and on the share of the
# organisation it falls under) by a conditional UPDATE, so the places hold under any number of concurrent
# nominations; one rest holiday per person per year is a partial unique constraint. A nomination made when the
# places are gone may wait on the 候补名单 (waitlisted seats hold no place and are not counted in ``taken``);
# a withdrawn (退出) seat frees its place for the first of them. ------------------------------------------------


class RetreatAudience(models.TextChoices):
    MODEL = "model", "劳动模范、先进工作者"
    FRONTLINE = "frontline", "一线职工"
    ALL = "all", "全体会员"


class Retreat(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="retreats",
                            verbose_name="组织单位")
    name = models.CharField("名称", max_length=100)
    destination = models.CharField("目的地", max_length=100)
    audience = models.CharField("对象", max_length=16, choices=RetreatAudience.choices)
    year = models.PositiveSmallIntegerField("年度")
    starts_on = models.DateField("出发日期")
    ends_on = models.DateField("返回日期")
    nominate_until = models.DateField("推荐截止日期")
    places = models.PositiveIntegerField("名额")
    taken = models.PositiveIntegerField("已推荐", default=0)
    cost_fen = models.BigIntegerField("人均费用（分）", default=0)
    notes = models.TextField("行程安排", max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = verbose_name_plural = "疗休养"
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1, places__lte=10000), name="retreat_places_range"),
            models.CheckConstraint(condition=Q(taken__gte=0) & Q(taken__lte=F("places")), name="retreat_taken_within"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="retreat_ends_after_start"),
            models.CheckConstraint(condition=Q(cost_fen__gte=0), name="retreat_cost_not_negative"),
        ]

    def __str__(self):
        return self.name


class RetreatShare(models.Model):
    """Places of a trip set aside for one organisation's subtree (a street): its unions' nominations count here
    too, and stop when it is full."""

    retreat = models.ForeignKey(Retreat, on_delete=models.CASCADE, related_name="shares", verbose_name="疗休养")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="分配给")
    places = models.PositiveIntegerField("名额")
    taken = models.PositiveIntegerField("已推荐", default=0)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["org__path"]
        verbose_name = verbose_name_plural = "疗休养名额分配"
        constraints = [
            models.UniqueConstraint(fields=["retreat", "org"], name="retreat_share_once_per_org"),
            models.CheckConstraint(condition=Q(taken__gte=0) & Q(taken__lte=F("places")), name="retreat_share_within"),
        ]


class SeatStatus(models.TextChoices):
    NOMINATED = "nominated", "已推荐"
    WAITLISTED = "waitlisted", "候补"
    CANCELLED = "cancelled", "已取消"
    WITHDRAWN = "withdrawn", "已退出"
    ATTENDED = "attended", "已参加"


# seats that free the person again (for another trip this year, or this trip anew)
SEAT_ENDED = (SeatStatus.CANCELLED, SeatStatus.WITHDRAWN)
# seats that hold a place: what ``taken`` counts on the trip and on the share
SEAT_PLACED = (SeatStatus.NOMINATED, SeatStatus.ATTENDED)


class RetreatSeat(models.Model):
    retreat = models.ForeignKey(Retreat, on_delete=models.PROTECT, related_name="seats", verbose_name="疗休养")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="retreat_seats",
                               verbose_name="职工")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                              verbose_name="推荐工会")
    share = models.ForeignKey(RetreatShare, null=True, blank=True, on_delete=models.PROTECT, related_name="seats")
    year = models.PositiveSmallIntegerField("年度")  # the trip's, kept here for the one-per-year constraint
    status = models.CharField("状态", max_length=16, choices=SeatStatus.choices, default=SeatStatus.NOMINATED)
    reason = models.CharField("推荐理由", max_length=200)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    nominated_at = models.DateTimeField("推荐时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    # 候补 → 已推荐: when a freed place went to this waitlisted seat (the waitlist's order is ``nominated_at``)
    promoted_at = models.DateTimeField("递补时间", null=True, blank=True)
    # 退出: who withdrew the person, when and why (the seat stays as history)
    withdrawn_at = models.DateTimeField("退出时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    withdraw_reason = models.CharField("退出原因", max_length=200, blank=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["union__path", "nominated_at"]
        verbose_name = verbose_name_plural = "疗休养人员"
        constraints = [
            # one rest holiday a year per person, whichever trip: a waitlisted seat counts too (the person waits
            # for this trip, so a promotion can never collide with another); cancelled and withdrawn seats free them
            models.UniqueConstraint(fields=["person", "year"], condition=~Q(status__in=SEAT_ENDED),
                                    name="retreat_one_per_person_year"),
            # one live seat (placed or waiting) per person on a trip — held on the trip itself, not on the
            # denormalised year
            models.UniqueConstraint(fields=["retreat", "person"],
                                    condition=Q(status__in=(SeatStatus.NOMINATED, SeatStatus.WAITLISTED)),
                                    name="retreat_one_live_seat_per_person"),
            models.CheckConstraint(condition=Q(status__in=SeatStatus.values), name="retreat_seat_status_valid"),
            models.CheckConstraint(condition=Q(cancelled_at__isnull=True) | Q(status="cancelled"),
                                   name="retreat_cancelled_has_status"),
            # withdrawn exactly when the time and a reason are recorded
            models.CheckConstraint(
                condition=(Q(status=SeatStatus.WITHDRAWN, withdrawn_at__isnull=False) & ~Q(withdraw_reason=""))
                | (~Q(status=SeatStatus.WITHDRAWN) & Q(withdrawn_at__isnull=True, withdraw_reason="")),
                name="retreat_withdrawn_has_reason"),
            # a waitlisted seat has not been promoted; a promotion comes after the nomination
            models.CheckConstraint(
                condition=Q(promoted_at__isnull=True)
                | (~Q(status=SeatStatus.WAITLISTED) & Q(promoted_at__gte=F("nominated_at"))),
                name="retreat_promoted_after_nominated"),
        ]
        indexes = [models.Index(fields=["retreat", "status"], name="retreat_seat_status"),
                   # the waitlist in order, per trip and share
                   models.Index(fields=["retreat", "share", "nominated_at"], condition=Q(status="waitlisted"),
                                name="retreat_seat_waitlist")]


# --- 金秋助学: a grant towards a hardship family's child's first year at university or college --------------------


class StudyLevel(models.TextChoices):
    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "本科"
    COLLEGE = "college", "专科（高职）"


class StudyGrant(models.Model):
    """One approved 金秋助学 grant. A child is helped at most once a year, whoever applies for them (a parent each
    in two unions): the unique (child, year) below, with the child found by the ID number's blind index."""

    application = models.OneToOneField("workflow.Application", on_delete=models.PROTECT, related_name="study_grant",
                                       verbose_name="申请")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="study_grants",
                               verbose_name="申请职工")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所在工会")
    child_bidx = models.CharField(max_length=64)
    child_name = models.CharField("子女姓名", max_length=50)
    school = models.CharField("学校", max_length=100)
    level = models.CharField("学历层次", max_length=16, choices=StudyLevel.choices)
    year = models.PositiveSmallIntegerField("年度")
    amount_fen = models.BigIntegerField("助学金（分）")
    created_at = models.DateTimeField("批准时间", auto_now_add=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "金秋助学"
        constraints = [
            models.UniqueConstraint(fields=["child_bidx", "year"], name="study_one_grant_per_child_year"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0, amount_fen__lte=10**8), name="study_amount_range"),
        ]

    def __str__(self):
        return f"{self.child_name} {self.school}"


# --- 平安返乡: safe trips home at Spring Festival. The organiser sets up the year's programme with charter coaches
# (专车, each with its seats) and/or a ticket subsidy paid from one of its funds. Members apply on the H5 for a
# seat or the subsidy; a seat is taken at once by a conditional UPDATE on the coach (``taken < seats`` under a
# CHECK), one application per person per year is a partial unique constraint, union staff confirm or decline,
# and the organiser pays the confirmed subsidies in one all-or-nothing batch through the fund's ledger. -------


class HomewardProgramme(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="homeward_programmes",
                            verbose_name="组织单位")
    year = models.PositiveSmallIntegerField("春节年度")
    name = models.CharField("名称", max_length=100)
    apply_until = models.DateField("报名截止日期")
    subsidy_fen = models.BigIntegerField("购票补贴标准（分/人）", default=0)  # 0: no subsidy, coaches only
    fund = models.ForeignKey(Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="补贴列支资金")
    notes = models.TextField("说明", max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-year", "org__path"]
        verbose_name = verbose_name_plural = "平安返乡"
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="homeward_one_programme_per_org_year"),
            models.CheckConstraint(condition=Q(subsidy_fen__gte=0, subsidy_fen__lte=10**7),
                                   name="homeward_subsidy_range"),
            # a subsidy is paid from a fund
            models.CheckConstraint(condition=Q(subsidy_fen=0) | Q(fund__isnull=False), name="homeward_subsidy_fund"),
        ]

    def __str__(self):
        return self.name


class HomewardCoach(models.Model):
    """One charter coach: its destination city and route, departure time (stored UTC), seats and seats taken."""

    programme = models.ForeignKey(HomewardProgramme, on_delete=models.PROTECT, related_name="coaches",
                                  verbose_name="平安返乡")
    destination = models.CharField("目的地城市", max_length=50)
    route = models.CharField("线路", max_length=200, blank=True)
    departs_at = models.DateTimeField("发车时间")
    seats = models.PositiveIntegerField("座位数")
    taken = models.PositiveIntegerField("已报名", default=0)

    SCOPE_PATHS = ("programme__org__path",)

    class Meta:
        ordering = ["departs_at", "pk"]
        verbose_name = verbose_name_plural = "返乡专车"
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1, seats__lte=100), name="homeward_coach_seats_range"),
            models.CheckConstraint(condition=Q(taken__gte=0) & Q(taken__lte=F("seats")),
                                   name="homeward_coach_taken_within"),
        ]

    def __str__(self):
        return f"{self.destination}专车"

    @property
    def left(self) -> int:
        return self.seats - self.taken


class HomewardKind(models.TextChoices):
    COACH = "coach", "返乡专车"
    SUBSIDY = "subsidy", "购票补贴"


class HomewardStatus(models.TextChoices):
    APPLIED = "applied", "待确认"
    CONFIRMED = "confirmed", "已确认"
    DECLINED = "declined", "未通过"
    PAID = "paid", "补贴已发放"
    CANCELLED = "cancelled", "已取消"


class HomewardApplication(models.Model):
    programme = models.ForeignKey(HomewardProgramme, on_delete=models.PROTECT, related_name="applications",
                                  verbose_name="平安返乡")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="homeward_applications",
                               verbose_name="职工")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                              verbose_name="所在工会")
    year = models.PositiveSmallIntegerField("年度")  # the programme's, kept here for the one-per-year constraint
    kind = models.CharField("方式", max_length=8, choices=HomewardKind.choices)
    coach = models.ForeignKey(HomewardCoach, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="applications", verbose_name="专车")
    hometown = models.CharField("返乡目的地", max_length=100)
    amount_fen = models.BigIntegerField("补贴金额（分）", default=0)
    status = models.CharField("状态", max_length=16, choices=HomewardStatus.choices, default=HomewardStatus.APPLIED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_note = models.CharField("意见", max_length=200, blank=True)
    created_at = models.DateTimeField("报名时间", auto_now_add=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["created_at"]
        verbose_name = verbose_name_plural = "平安返乡报名"
        constraints = [
            # one trip home a year per person (a cancelled or declined application frees the person again)
            models.UniqueConstraint(fields=["person", "year"], condition=~Q(status__in=["cancelled", "declined"]),
                                    name="homeward_one_per_person_year"),
            models.CheckConstraint(condition=(Q(kind="coach", coach__isnull=False, amount_fen=0))
                                   | (Q(kind="subsidy", coach__isnull=True, amount_fen__gt=0)),
                                   name="homeward_kind_matches"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(kind="subsidy"), name="homeward_paid_is_subsidy"),
        ]
        indexes = [models.Index(fields=["programme", "status"], name="homeward_app_status")]

    def __str__(self):
        return f"{self.programme} {self.person}"


# --- 就业帮扶: unions post jobs of employers in the enterprise register; members apply on the H5 (once per post, a
# unique constraint); the posting union records outcomes along allowed transitions only (a conditional UPDATE from
# the expected state), and hires are counted on the post by a conditional UPDATE under a CHECK (hired ≤ openings).
# Members who want help register as job seekers (求职登记), matched to open posts by 工种 keyword. --------------


class JobPostStatus(models.TextChoices):
    OPEN = "open", "招聘中"
    CLOSED = "closed", "已结束"


class JobPost(models.Model):
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="job_posts",
                              verbose_name="发布工会")
    employer = models.ForeignKey("orgs.Enterprise", on_delete=models.PROTECT, related_name="job_posts",
                                 verbose_name="用人单位")
    title = models.CharField("岗位名称", max_length=60)
    trade = models.CharField("工种", max_length=30)
    openings = models.PositiveIntegerField("招聘人数")
    hired = models.PositiveIntegerField("已录用", default=0)
    salary_min = models.PositiveIntegerField("月薪下限（元）")
    salary_max = models.PositiveIntegerField("月薪上限（元）")
    requirements = models.TextField("岗位要求", max_length=1000)
    contact = models.CharField("联系方式", max_length=100)
    valid_until = models.DateField("有效期至")
    status = models.CharField("状态", max_length=8, choices=JobPostStatus.choices, default=JobPostStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "招聘岗位"
        constraints = [
            models.CheckConstraint(condition=Q(openings__gte=1, openings__lte=1000), name="job_openings_range"),
            models.CheckConstraint(condition=Q(hired__gte=0) & Q(hired__lte=F("openings")),
                                   name="job_hired_within_openings"),
            models.CheckConstraint(condition=Q(salary_min__gte=0, salary_max__lte=1000000)
                                   & Q(salary_max__gte=F("salary_min")), name="job_salary_range"),
        ]
        indexes = [models.Index(fields=["status", "valid_until"], name="job_post_open")]

    def __str__(self):
        return f"{self.employer.name} {self.title}"


class JobOutcome(models.TextChoices):
    APPLIED = "applied", "已报名"
    RECOMMENDED = "recommended", "推荐"
    INTERVIEW = "interview", "面试"
    HIRED = "hired", "录用"
    REJECTED = "rejected", "未录用"


class JobApplication(models.Model):
    post = models.ForeignKey(JobPost, on_delete=models.PROTECT, related_name="applications", verbose_name="岗位")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="job_applications",
                               verbose_name="求职职工")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                              verbose_name="所在工会")
    status = models.CharField("进展", max_length=16, choices=JobOutcome.choices, default=JobOutcome.APPLIED)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("报名时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # the posting union records outcomes; the applicant's own union follows its member
    SCOPE_PATHS = ("post__union__path", "union__path")

    class Meta:
        ordering = ["created_at"]
        verbose_name = verbose_name_plural = "岗位报名"
        constraints = [
            models.UniqueConstraint(fields=["post", "person"], name="job_one_application_per_post"),
        ]

    def __str__(self):
        return f"{self.post} {self.person}"


class JobSeeker(models.Model):
    """求职登记: a member asks their union for help finding work (one registration per person, kept up to date)."""

    person = models.OneToOneField("members.Person", on_delete=models.PROTECT, related_name="job_seeker",
                                  verbose_name="职工")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                              verbose_name="所在工会")
    wanted_job = models.CharField("意向岗位", max_length=60)
    trade = models.CharField("工种", max_length=30)
    skills = models.CharField("技能特长", max_length=300, blank=True)
    active = models.BooleanField("求职中", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = verbose_name_plural = "求职登记"

    def __str__(self):
        return f"{self.person} {self.wanted_job}"
