"""工会志愿者服务: members register as union volunteers, unions publish 志愿服务项目, approved volunteers sign up,
the organiser confirms attendance and the service hours go to an append-only ledger.

The limits live in the database (DESIGN rule 4):
- one registration per person: ``Volunteer.person`` is unique (a declined registration is resubmitted, not
  duplicated);
- a project's places: ``Project.remaining`` under ``CHECK 0 <= remaining <= places``, taken only by a conditional
  UPDATE (``WHERE remaining > 0 AND status = 'open' AND signup_deadline > now``) and given back on withdrawal;
- one live sign-up per volunteer per project: a partial unique constraint on (project, volunteer) over the
  sign-ups that are not withdrawn (a withdrawn one stays as history, and the volunteer may sign up again);
- the hours ledger is append-only, in integer minutes, ``CHECK minutes > 0``; the sign is the entry's kind
  (``credit`` adds, ``reversal`` takes back). One credit per sign-up (partial unique on ``signup`` where
  ``kind = 'credit'``), one reversal per credit (``reverses`` is unique); a correction is a reversal entry,
  never an edit. A volunteer's hours are the sum of the ledger, never a stored figure.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Skill(models.TextChoices):
    MEDIC = "medic", "医疗救护"
    LAW = "law", "法律咨询"
    TUTOR = "tutor", "教育辅导"
    REPAIR = "repair", "家电维修"
    COUNSEL = "counsel", "心理疏导"
    PERFORM = "perform", "文艺演出"
    MEDIA = "media", "摄影宣传"
    DRIVER = "driver", "驾驶运输"
    COMPUTER = "computer", "电脑网络"
    ERRAND = "errand", "综合服务"


class Availability(models.TextChoices):
    WEEKDAY_DAY = "weekday_day", "工作日白天"
    WEEKDAY_EVENING = "weekday_evening", "工作日晚上"
    WEEKEND = "weekend", "周末"
    HOLIDAY = "holiday_time", "节假日"


def labels(choices, values) -> list[str]:
    d = dict(choices.choices)
    return [str(d[v]) for v in values or () if v in d]


class Volunteer(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        DECLINED = "declined", "未通过"

    person = models.OneToOneField(
        "members.Person", on_delete=models.PROTECT, related_name="volunteer", verbose_name="人员"
    )
    # the member's union when they registered: its staff decide the registration
    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所在工会"
    )
    skills = models.JSONField("特长", default=list)
    times = models.JSONField("可服务时间", default=list)
    note = models.CharField("个人说明", max_length=200, blank=True)
    status = models.CharField("审核状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decline_reason = models.CharField("未通过原因", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "工会志愿者"
        indexes = [models.Index(fields=["status", "created_at"], name="volunteer_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "declined"]), name="volunteer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False), name="volunteer_decided_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="volunteer_declined_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.person.name}（{self.get_status_display()}）"

    @property
    def skill_labels(self) -> list[str]:
        return labels(Skill, self.skills)

    @property
    def time_labels(self) -> list[str]:
        return labels(Availability, self.times)


class Project(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "招募中"
        CANCELLED = "cancelled", "已取消"

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="volunteer_projects",
        verbose_name="组织单位",
    )
    title = models.CharField("项目名称", max_length=100)
    place = models.CharField("服务地点", max_length=100)
    description = models.TextField("服务内容", max_length=2000, blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    signup_deadline = models.DateTimeField("报名截止")
    places = models.PositiveIntegerField("招募人数")
    remaining = models.PositiveIntegerField("剩余名额")
    minutes = models.PositiveIntegerField("每次计入时长（分钟）")
    skills = models.JSONField("需要的特长", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = verbose_name_plural = "志愿服务项目"
        indexes = [models.Index(fields=["status", "starts_at"], name="vproject_status_starts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(places__gte=1, places__lte=10000), name="vproject_places_range"
            ),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("places")),
                name="vproject_remaining_within",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=24 * 60), name="vproject_minutes_range"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="vproject_ends_after_start"),
            models.CheckConstraint(
                condition=Q(signup_deadline__lte=F("starts_at")), name="vproject_deadline_before_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "cancelled"]), name="vproject_status_valid"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def taken(self) -> int:
        return self.places - self.remaining

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)

    @property
    def skill_labels(self) -> list[str]:
        return labels(Skill, self.skills)


def hours_text(minutes: int) -> str:
    """Minutes as hours for people: 150 -> "2.5", 100 -> "1.67", 120 -> "2"."""
    h = round((minutes or 0) / 60, 2)
    return f"{h:.2f}".rstrip("0").rstrip(".") if h != int(h) else str(int(h))


class Signup(models.Model):
    class Status(models.TextChoices):
        SIGNED = "signed", "已报名"
        WITHDRAWN = "withdrawn", "已退出"
        ATTENDED = "attended", "已参加"
        ABSENT = "absent", "未参加"

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="signups", verbose_name="项目"
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="signups", verbose_name="志愿者"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SIGNED)
    signed_at = models.DateTimeField("报名时间", auto_now_add=True)
    withdrawn_at = models.DateTimeField("退出时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SCOPE_PATHS = ("project__org__path",)

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = verbose_name_plural = "志愿服务报名"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "volunteer"],
                condition=~Q(status="withdrawn"),
                name="vsignup_one_live_per_project",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["signed", "withdrawn", "attended", "absent"]),
                name="vsignup_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="vsignup_withdrawn_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["attended", "absent"]) | Q(confirmed_at__isnull=False),
                name="vsignup_confirmed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "status"], name="vsignup_volunteer_status")]


class AppendOnly(models.Model):
    """A ledger row is written once: saving an existing row or deleting one is refused (corrections are new
    entries). Bulk ``QuerySet.update`` bypasses this, so no service uses it on the ledger."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("服务时长台账只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("服务时长台账只能追加，不能删除")


class HoursEntry(AppendOnly):
    class Kind(models.TextChoices):
        CREDIT = "credit", "计入"
        REVERSAL = "reversal", "冲正"

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="hours", verbose_name="志愿者"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    minutes = models.PositiveIntegerField("时长（分钟）")
    signup = models.ForeignKey(Signup, on_delete=models.PROTECT, related_name="hours", verbose_name="报名")
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
        verbose_name="冲正的记录",
    )
    reason = models.CharField("冲正原因", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="经办人",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    SCOPE_PATHS = ("volunteer__union__path",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "志愿服务时长台账"
        indexes = [models.Index(fields=["volunteer", "created_at"], name="vhours_volunteer_time")]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="vhours_minutes_positive"),
            models.CheckConstraint(condition=Q(kind__in=["credit", "reversal"]), name="vhours_kind_valid"),
            # a credit stands on its own, a reversal names the credit it takes back and why
            models.CheckConstraint(
                condition=(Q(kind="credit") & Q(reverses__isnull=True))
                | (Q(kind="reversal") & Q(reverses__isnull=False) & ~Q(reason="")),
                name="vhours_reversal_names_credit",
            ),
            models.UniqueConstraint(
                fields=["signup"], condition=Q(kind="credit"), name="vhours_one_credit_per_signup"
            ),
        ]

    @property
    def signed_minutes(self) -> int:
        return self.minutes if self.kind == self.Kind.CREDIT else -self.minutes

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)
