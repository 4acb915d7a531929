"""评选表彰 (public selections with voting) and the 劳模工匠库 (the register of honoured workers).

A selection is a state machine (``Selection.Status``): draft → nominating → voting → closed → announced, each
step one service in :mod:`lianxin.talent.services`. As in Helios, who may vote is fixed when voting opens: the
live members of the audience's subtree at that instant are written to the roll (``Voter``), and the rules
(votes per member, daily or once) cannot be edited after that.

The voting rules live in the database (DESIGN rule 4):
- one vote per candidate per member: ``UNIQUE(selection, candidate, voter, day)``; ``day`` is the counting
  period — for a once-only selection always the voting-open date (so the rule is exactly one vote per
  candidate per member), for a daily selection the Asia/Shanghai date of the vote;
- at most N votes per member: the roll row ``Voter`` is the per-(selection, voter) counter with
  ``CHECK used <= allowed``, raised only by a conditional UPDATE (``WHERE used < allowed``);
- a candidate's ``votes`` counter is raised in the same transaction as its vote row (``F("votes") + 1``), so it
  always equals ``COUNT(*)`` of its votes; the announcement checks that before it publishes anything;
- an announced winner gets exactly one honour: ``Honour.candidate`` is unique.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class HonourLevel(models.TextChoices):
    DISTRICT = "district", "区级"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    NATIONAL = "national", "全国"


class HonourCategory(models.TextChoices):
    MODEL_WORKER = "model_worker", "劳动模范/先进工作者"
    CRAFTSMAN = "craftsman", "工匠/技能人才"
    EXEMPLARY = "exemplary", "先进典型"


class Selection(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        NOMINATING = "nominating", "推荐中"
        VOTING = "voting", "投票中"
        CLOSED = "closed", "投票结束"
        ANNOUNCED = "announced", "已公示"

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="selections",
                            verbose_name="主办组织")
    # Whose members vote and may be nominated: the organiser, or for a side body (团工委, 妇工委) its parent union.
    audience = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="评选范围")
    title = models.CharField("评选名称", max_length=100)
    description = models.TextField("评选说明", blank=True)
    honour_title = models.CharField("荣誉称号", max_length=50)
    honour_level = models.CharField("荣誉级别", max_length=16, choices=HonourLevel.choices,
                                    default=HonourLevel.DISTRICT)
    honour_category = models.CharField("荣誉类别", max_length=16, choices=HonourCategory.choices,
                                       default=HonourCategory.EXEMPLARY)
    nomination_deadline = models.DateTimeField("推荐截止")
    voting_opens_at = models.DateTimeField("投票开始")
    voting_closes_at = models.DateTimeField("投票截止")
    votes_per_member = models.PositiveSmallIntegerField("每人票数")
    daily = models.BooleanField("每天可投", default=False)
    winners_count = models.PositiveSmallIntegerField("评选名额")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    electorate = models.PositiveIntegerField("投票人数（名单）", default=0)
    frozen_at = models.DateTimeField("投票名单确定时间", null=True, blank=True)
    closed_at = models.DateTimeField("投票结束时间", null=True, blank=True)
    announced_at = models.DateTimeField("公示时间", null=True, blank=True)
    adjust_reason = models.TextField("调整当选名单的说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-voting_opens_at", "-id"]
        verbose_name = verbose_name_plural = "评选"
        indexes = [models.Index(fields=["status", "voting_opens_at"], name="selection_status_opens")]
        constraints = [
            models.CheckConstraint(condition=Q(votes_per_member__gte=1, votes_per_member__lte=100),
                                   name="selection_votes_per_member_range"),
            models.CheckConstraint(condition=Q(winners_count__gte=1), name="selection_winners_positive"),
            models.CheckConstraint(condition=Q(voting_closes_at__gt=F("voting_opens_at")),
                                   name="selection_voting_window_valid"),
            models.CheckConstraint(condition=Q(nomination_deadline__lte=F("voting_opens_at")),
                                   name="selection_nomination_before_voting"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "nominating", "voting", "closed", "announced"]),
                name="selection_status_valid"),
            models.CheckConstraint(condition=Q(status__in=["draft", "nominating"]) | Q(frozen_at__isnull=False),
                                   name="selection_roll_frozen_when_voting"),
            models.CheckConstraint(condition=~Q(status="announced") | Q(announced_at__isnull=False),
                                   name="selection_announced_has_time"),
        ]

    def __str__(self):
        return self.title

    @property
    def past_nomination(self) -> bool:
        return self.status in (self.Status.VOTING, self.Status.CLOSED, self.Status.ANNOUNCED)


class Candidate(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="candidates",
                                  verbose_name="评选")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="candidacies",
                               verbose_name="候选人")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                              verbose_name="推荐工会")
    deeds = models.TextField("主要事迹")
    photo = models.FileField("照片", upload_to="talent/photos/%Y/%m/", blank=True)
    status = models.CharField("审核状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    number = models.PositiveSmallIntegerField("候选人编号", null=True, blank=True)
    votes = models.PositiveIntegerField("得票", default=0)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    is_winner = models.BooleanField("当选", default=False)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # The nominating union's staff see their own nominees; the organiser's staff see every one.
    SCOPE_PATHS = ("union__path", "selection__org__path")

    class Meta:
        ordering = ["number", "id"]
        verbose_name = verbose_name_plural = "候选人"
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="candidate_once_per_selection"),
            models.UniqueConstraint(fields=["selection", "number"], name="candidate_number_unique"),
            models.CheckConstraint(condition=Q(status__in=["pending", "approved", "rejected"]),
                                   name="candidate_status_valid"),
            models.CheckConstraint(condition=Q(status="approved") | Q(votes=0, is_winner=False),
                                   name="candidate_only_approved_get_votes"),
        ]

    def __str__(self):
        return f"{self.person.name}（{self.selection}）"


class Voter(models.Model):
    """One member on a selection's roll, written when voting opens, and the member's vote counter: ``used`` of
    ``allowed`` in the counting period ``day`` (see the module docstring). ``CHECK used <= allowed`` holds it."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="roll")
    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="+")
    union = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    allowed = models.PositiveSmallIntegerField()
    used = models.PositiveSmallIntegerField(default=0)
    day = models.DateField()

    SCOPE_PATHS = ("union__path",)

    class Meta:
        verbose_name = verbose_name_plural = "投票名单"
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="voter_once_per_selection"),
            models.CheckConstraint(condition=Q(used__lte=F("allowed")), name="voter_used_within_allowed"),
        ]


class Vote(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="votes")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("selection__org__path",)

    class Meta:
        verbose_name = verbose_name_plural = "投票记录"
        constraints = [
            models.UniqueConstraint(fields=["selection", "candidate", "voter", "day"],
                                    name="vote_one_per_candidate"),
        ]
        indexes = [models.Index(fields=["selection", "voter", "day"], name="vote_selection_voter")]


class Honour(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        ENDED = "ended", "已撤销"

    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="honours",
                               verbose_name="人员")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                              verbose_name="所在工会")
    title = models.CharField("荣誉称号", max_length=50)
    category = models.CharField("类别", max_length=16, choices=HonourCategory.choices)
    level = models.CharField("级别", max_length=16, choices=HonourLevel.choices)
    year = models.PositiveSmallIntegerField("年度")
    awarded_by = models.CharField("授予单位", max_length=100)
    selection = models.ForeignKey(Selection, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="honours", verbose_name="来源评选")
    candidate = models.OneToOneField(Candidate, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="honour")
    # A 劳动竞赛 title (技术能手 …) confirmed by the organiser: at most one honour per contestant.
    contestant = models.OneToOneField("Contestant", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="honour", verbose_name="来源竞赛选手")
    note = models.CharField("备注", max_length=200, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField("撤销原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("union__path", "selection__org__path")

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = verbose_name_plural = "劳模工匠库"
        indexes = [models.Index(fields=["year", "level"], name="honour_year_level")]
        constraints = [
            models.UniqueConstraint(fields=["person", "title", "level", "year"], condition=Q(status="active"),
                                    name="honour_once_per_title_year"),
            models.CheckConstraint(condition=Q(year__gte=1950, year__lte=2100), name="honour_year_range"),
            models.CheckConstraint(condition=Q(status="active") | Q(ended_at__isnull=False),
                                   name="honour_ended_has_time"),
            models.CheckConstraint(condition=Q(candidate__isnull=True) | Q(selection__isnull=False),
                                   name="honour_candidate_has_selection"),
        ]

    def __str__(self):
        return f"{self.person.name} · {self.year}年{self.get_level_display()}{self.title}"


# ================================================================ 劳动竞赛 / 职工技能竞赛
#
# A competition's limits live in the database: ``Competition.entrants`` (CHECK ≤ max_entrants) and each union's
# ``CompetitionUnion.entrants`` (CHECK ≤ cap) are raised only by conditional UPDATEs in the entry's transaction;
# one entry per person per competition is a UniqueConstraint; scores are integers of tenths under CHECKs; an
# awarded contestant enters the 劳模工匠库 once (``Honour.contestant`` is unique).


class Competition(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "报名中"
        SCORING = "scoring", "评分中"
        PUBLISHED = "published", "已公布"

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="competitions",
                            verbose_name="主办组织")
    # Whose members may be entered: the organiser, or for a side body (团工委, 妇工委) its parent union.
    audience = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="参赛范围")
    title = models.CharField("竞赛名称", max_length=100)
    trade = models.CharField("工种/项目", max_length=50)
    level = models.CharField("竞赛级别", max_length=16, choices=HonourLevel.choices, default=HonourLevel.DISTRICT)
    description = models.TextField("竞赛说明", blank=True)
    signup_opens_at = models.DateTimeField("报名开始")
    signup_closes_at = models.DateTimeField("报名截止")
    max_entrants = models.PositiveIntegerField("参赛名额")
    union_cap = models.PositiveIntegerField("每个工会限报", null=True, blank=True)
    entrants = models.PositiveIntegerField("已报名", default=0)
    theory_weight = models.PositiveSmallIntegerField("理论成绩权重（%）", default=30)
    award_title = models.CharField("授予称号", max_length=50, blank=True)
    award_places = models.PositiveSmallIntegerField("授予名额", default=0)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    scoring_at = models.DateTimeField("报名结束时间", null=True, blank=True)
    published_at = models.DateTimeField("成绩公布时间", null=True, blank=True)
    awarded_at = models.DateTimeField("称号授予时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-signup_opens_at", "-id"]
        verbose_name = verbose_name_plural = "劳动竞赛"
        constraints = [
            models.CheckConstraint(condition=Q(max_entrants__gte=1, max_entrants__lte=100000),
                                   name="competition_max_range"),
            models.CheckConstraint(condition=Q(union_cap__isnull=True) | Q(union_cap__gte=1),
                                   name="competition_union_cap_positive"),
            models.CheckConstraint(condition=Q(entrants__lte=F("max_entrants")), name="competition_entrants_within"),
            models.CheckConstraint(condition=Q(signup_closes_at__gt=F("signup_opens_at")),
                                   name="competition_signup_window_valid"),
            models.CheckConstraint(condition=Q(theory_weight__lte=100), name="competition_theory_weight_range"),
            models.CheckConstraint(condition=Q(award_places=0) | ~Q(award_title=""),
                                   name="competition_award_has_title"),
            models.CheckConstraint(condition=Q(status__in=["open", "scoring", "published"]),
                                   name="competition_status_valid"),
            models.CheckConstraint(condition=~Q(status="published") | Q(published_at__isnull=False),
                                   name="competition_published_has_time"),
            models.CheckConstraint(condition=Q(awarded_at__isnull=True) | Q(status="published"),
                                   name="competition_awarded_after_publish"),
        ]

    def __str__(self):
        return self.title

    @property
    def practice_weight(self) -> int:
        return 100 - self.theory_weight


class CompetitionUnion(models.Model):
    """One union's entries in a competition: the per-union counter under ``CHECK entrants <= cap`` (a row exists
    only when the competition sets a cap)."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="union_counts")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    cap = models.PositiveIntegerField()
    entrants = models.PositiveIntegerField(default=0)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        verbose_name = verbose_name_plural = "竞赛工会报名数"
        constraints = [
            models.UniqueConstraint(fields=["competition", "union"], name="competition_union_once"),
            models.CheckConstraint(condition=Q(entrants__lte=F("cap")), name="competition_union_within_cap"),
        ]


SCORE_MAX = 1000  # 100.0 points in tenths


class Contestant(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="contestants",
                                    verbose_name="竞赛")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="contests",
                               verbose_name="选手")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                              verbose_name="报名工会")
    # Scores in tenths of a point (0–1000 = 0.0–100.0); ``total`` is the weighted sum in thousandths of a point
    # (theory × weight + practice × (100 − weight)), exact, so equal totals are really equal.
    theory = models.PositiveSmallIntegerField("理论成绩（0.1分）", null=True, blank=True)
    practice = models.PositiveSmallIntegerField("实操成绩（0.1分）", null=True, blank=True)
    total = models.PositiveIntegerField("总成绩（0.001分）", null=True, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    tied = models.BooleanField("并列", default=False)
    awarded = models.BooleanField("授予称号", default=False)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    scored_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField("报名时间", auto_now_add=True)

    # The entering union's staff see their own contestants; the organiser's staff see every one.
    SCOPE_PATHS = ("union__path", "competition__org__path")

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = verbose_name_plural = "竞赛选手"
        constraints = [
            models.UniqueConstraint(fields=["competition", "person"], name="contestant_once_per_competition"),
            models.CheckConstraint(condition=Q(theory__lte=SCORE_MAX) & Q(practice__lte=SCORE_MAX),
                                   name="contestant_scores_range"),
            models.CheckConstraint(
                condition=Q(theory__isnull=True, practice__isnull=True, total__isnull=True)
                | Q(theory__isnull=False, practice__isnull=False, total__isnull=False, total__lte=SCORE_MAX * 100),
                name="contestant_scores_complete"),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(total__isnull=False),
                                   name="contestant_ranked_has_score"),
            models.CheckConstraint(condition=Q(awarded=False) | Q(rank__isnull=False),
                                   name="contestant_awarded_is_ranked"),
        ]

    def __str__(self):
        return f"{self.person.name}（{self.competition}）"


# ================================================================ 职工创新成果评审


class InnovationCategory(models.TextChoices):
    INNOVATION = "innovation", "技术革新"
    INVENTION = "invention", "发明创造"
    SUGGESTION = "suggestion", "合理化建议"
    METHOD = "method", "先进操作法"


class Prize(models.TextChoices):
    FIRST = "first", "一等奖"
    SECOND = "second", "二等奖"
    THIRD = "third", "三等奖"


class InnovationRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "征集中"
        JUDGING = "judging", "评审中"
        CLOSED = "closed", "已结束"

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="innovation_rounds",
                            verbose_name="主办组织")
    title = models.CharField("评审名称", max_length=100)
    description = models.TextField("评审说明", blank=True)
    submit_until = models.DateTimeField("申报截止")
    first_prizes = models.PositiveSmallIntegerField("一等奖名额", default=1)
    second_prizes = models.PositiveSmallIntegerField("二等奖名额", default=2)
    third_prizes = models.PositiveSmallIntegerField("三等奖名额", default=3)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    judging_at = models.DateTimeField("评审开始时间", null=True, blank=True)
    closed_at = models.DateTimeField("评审结束时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "创新成果评审"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["open", "judging", "closed"]),
                                   name="innovation_round_status_valid"),
            models.CheckConstraint(condition=Q(first_prizes__lte=1000, second_prizes__lte=1000,
                                               third_prizes__lte=1000), name="innovation_round_prizes_range"),
            models.CheckConstraint(condition=~Q(status="closed") | Q(closed_at__isnull=False),
                                   name="innovation_round_closed_has_time"),
        ]

    def __str__(self):
        return self.title


class InnovationJudge(models.Model):
    round = models.ForeignKey(InnovationRound, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="innovation_judging",
                             verbose_name="评委")
    added_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("round__org__path",)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "评委"
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="innovation_judge_once")]


class InnovationEntry(models.Model):
    round = models.ForeignKey(InnovationRound, on_delete=models.PROTECT, related_name="entries", verbose_name="评审")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                              verbose_name="申报工会")
    title = models.CharField("成果名称", max_length=100)
    team = models.CharField("完成人", max_length=300)
    summary = models.TextField("成果简介")
    category = models.CharField("类别", max_length=16, choices=InnovationCategory.choices)
    benefit_fen = models.BigIntegerField("经济效益（分）", default=0)
    # Set when the round closes: the mean in hundredths of a point (rounded half up), the number of scores it is
    # taken over (after dropping the highest and lowest with five judges or more), the place and the prize.
    average = models.PositiveIntegerField("平均分（0.01分）", null=True, blank=True)
    counted = models.PositiveSmallIntegerField("计入评分数", null=True, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    tied = models.BooleanField("并列", default=False)
    prize = models.CharField("奖项", max_length=8, choices=Prize.choices, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField("申报时间", auto_now_add=True)

    SCOPE_PATHS = ("union__path", "round__org__path")

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = verbose_name_plural = "创新成果"
        constraints = [
            models.UniqueConstraint(fields=["round", "title", "union"], name="innovation_entry_title_once"),
            models.CheckConstraint(condition=Q(benefit_fen__gte=0, benefit_fen__lte=10**14),
                                   name="innovation_entry_benefit_range"),
            models.CheckConstraint(condition=Q(category__in=["innovation", "invention", "suggestion", "method"]),
                                   name="innovation_entry_category_valid"),
            models.CheckConstraint(condition=Q(average__isnull=True) | Q(average__lte=10000),
                                   name="innovation_entry_average_range"),
            models.CheckConstraint(condition=Q(prize="") | Q(rank__isnull=False),
                                   name="innovation_entry_prize_is_ranked"),
        ]

    def __str__(self):
        return self.title


class InnovationScore(models.Model):
    """One judge's score of one entry, given once: ``UNIQUE(judge, entry)``; 0–100 by CHECK."""

    round = models.ForeignKey(InnovationRound, on_delete=models.CASCADE, related_name="scores")
    entry = models.ForeignKey(InnovationEntry, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField("评分")
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("round__org__path",)

    class Meta:
        verbose_name = verbose_name_plural = "评委评分"
        constraints = [
            models.UniqueConstraint(fields=["judge", "entry"], name="innovation_score_once_per_judge"),
            models.CheckConstraint(condition=Q(score__lte=100), name="innovation_score_range"),
        ]
