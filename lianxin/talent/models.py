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
