"""Activities (月月有活动): what staff publish, and members' sign-ups.

The limits live in the database (DESIGN rule 4):
- ``Activity.taken <= capacity`` and ``waitlisted <= waitlist_size`` are CHECK constraints, and places are only
  ever taken by a conditional ``UPDATE ... SET taken = taken + 1 WHERE taken < capacity``;
- one live sign-up per member and activity is a partial UNIQUE constraint (a cancelled one may be redone);
- the per-member monthly limit is a counter row per (person, month) raised by a conditional UPDATE.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Activity(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        CANCELLED = "cancelled", "已取消"

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="activities",
                            verbose_name="主办组织（受众为其下属会员）")
    title = models.CharField("活动名称", max_length=100)
    summary = models.TextField("活动简介", blank=True)
    venue = models.CharField("地点", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    signup_opens_at = models.DateTimeField("报名开始")
    signup_closes_at = models.DateTimeField("报名截止")
    capacity = models.PositiveIntegerField("名额")
    taken = models.PositiveIntegerField("已报名", default=0)
    waitlist_size = models.PositiveIntegerField("候补名额", default=0)
    waitlisted = models.PositiveIntegerField("候补人数", default=0)
    monthly_limit = models.PositiveSmallIntegerField(
        "每人每月最多报名活动数", null=True, blank=True,
        help_text="留空为不限；计入该会员当月（按活动开始月份）所有报名与候补")
    # Audience narrowing: every ticked flag must hold for the member.
    for_women = models.BooleanField("仅限女职工", default=False)
    for_youth = models.BooleanField("仅限青年（35岁及以下）", default=False)
    for_migrant = models.BooleanField("仅限农民工", default=False)
    for_frontline = models.BooleanField("仅限一线职工", default=False)
    for_model_workers = models.BooleanField("仅限劳模", default=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("org__path",)
    FLAG_FIELDS = ("for_women", "for_youth", "for_migrant", "for_frontline", "for_model_workers")

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = verbose_name_plural = "活动"
        indexes = [models.Index(fields=["status", "starts_at"], name="activity_status_start")]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="activity_taken_within_capacity"),
            models.CheckConstraint(condition=Q(waitlisted__lte=F("waitlist_size")),
                                   name="activity_waitlist_within_size"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="activity_capacity_positive"),
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=Q(signup_closes_at__gt=F("signup_opens_at")),
                                   name="activity_signup_window_valid"),
        ]

    def __str__(self):
        return self.title

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)

    def audience_flags(self) -> list[str]:
        labels = {"for_women": "女职工", "for_youth": "青年", "for_migrant": "农民工", "for_frontline": "一线职工",
                  "for_model_workers": "劳模"}
        return [labels[f] for f in self.FLAG_FIELDS if getattr(self, f)]


class Signup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "报名成功"
        WAITLISTED = "waitlisted", "候补中"
        CANCELLED = "cancelled", "已取消"

    LIVE = (Status.CONFIRMED, Status.WAITLISTED)

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups", verbose_name="活动")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="activity_signups",
                               verbose_name="会员")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+",
                              verbose_name="报名时所在工会")
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    month = models.DateField("计入月份")  # first day of the activity's month (Asia/Shanghai)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField("候补转正时间", null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    # Staff of the organising union see its sign-ups; staff of the member's union see their members'.
    SCOPE_PATHS = ("activity__org__path", "union__path")

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "活动报名"
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], condition=Q(status__in=["confirmed", "waitlisted"]),
                                    name="signup_one_live_per_member"),
            models.CheckConstraint(condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                                   name="signup_cancelled_has_time"),
            models.CheckConstraint(condition=Q(checked_in_at__isnull=True) | Q(status="confirmed"),
                                   name="signup_checkin_only_confirmed"),
        ]
        indexes = [
            models.Index(fields=["activity", "status", "id"], name="signup_activity_status"),
            models.Index(fields=["person", "status"], name="signup_person_status"),
        ]

    def __str__(self):
        return f"{self.person} → {self.activity}"


class MonthlyTally(models.Model):
    """How many live sign-ups a member holds in a month; raised only by a conditional UPDATE against the
    activity's limit, so two concurrent sign-ups cannot both squeeze past it."""

    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "month"], name="tally_one_per_person_month")]
