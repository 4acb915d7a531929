"""女职工与留守关爱: 女职工关爱行动 (free screenings, health check-ups) that women members sign up for, and 暑期爱心
托管班 (summer care classes) that members enrol their children in.

The limits live in the database (DESIGN rule 4):
- a campaign's places: ``Campaign.remaining`` under ``CHECK 0 <= remaining <= places``, taken only by a
  conditional UPDATE (``WHERE remaining > 0 AND status = 'open' AND signup_deadline > now``) and given back on
  withdrawal;
- a union's share of a campaign: ``CampaignShare.taken`` under ``CHECK 0 <= taken <= places``, taken by a
  conditional UPDATE ``WHERE taken < places`` in the same transaction as the campaign's counter (one share per
  union and campaign: UNIQUE);
- one live sign-up per person per campaign: partial ``UNIQUE(campaign, person) WHERE status <> 'withdrawn'``;
- a class's places: ``CareClass.remaining`` under the same CHECK and the same conditional UPDATE;
- one enrolment per child per class: partial ``UNIQUE(care_class, child_id_bidx) WHERE status = 'enrolled'`` on
  the child's ID blind index (whoever enrols: two parents cannot both take a place for one child);
- one attendance mark per child per day: ``UNIQUE(enrolment, day)``.

The child's ID number and the guardian's mobile are stored as AES-GCM ciphertext with a blind index and a masked
copy (as ``members.Person``); birth date and gender derived from the ID are plain.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class CampaignKind(models.TextChoices):
    SCREENING = "screening", "“两癌”免费筛查"
    CHECKUP = "checkup", "健康体检"
    LECTURE = "lecture", "健康讲座"
    OTHER = "other", "其他关爱"


class Campaign(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "报名中"
        CANCELLED = "cancelled", "已取消"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="care_campaigns", verbose_name="组织单位"
    )
    kind = models.CharField(
        "类别", max_length=16, choices=CampaignKind.choices, default=CampaignKind.SCREENING
    )
    title = models.CharField("活动名称", max_length=100)
    description = models.TextField("活动说明", max_length=2000, blank=True)
    place = models.CharField("地点", max_length=100)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    signup_deadline = models.DateTimeField("报名截止")
    places = models.PositiveIntegerField("名额")
    remaining = models.PositiveIntegerField("剩余名额")
    min_age = models.PositiveSmallIntegerField("最低年龄", default=18)
    max_age = models.PositiveSmallIntegerField("最高年龄", default=65)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = verbose_name_plural = "女职工关爱行动"
        indexes = [models.Index(fields=["status", "signup_deadline"], name="care_campaign_status_dl")]
        constraints = [
            models.CheckConstraint(
                condition=Q(places__gte=1, places__lte=100000), name="care_campaign_places"
            ),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("places")), name="care_campaign_remaining"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="care_campaign_ends_after"),
            models.CheckConstraint(
                condition=Q(signup_deadline__lte=F("starts_at")), name="care_campaign_deadline_before"
            ),
            models.CheckConstraint(
                condition=Q(min_age__gte=16) & Q(max_age__lte=100) & Q(min_age__lte=F("max_age")),
                name="care_campaign_ages",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "cancelled"]), name="care_campaign_status"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["screening", "checkup", "lecture", "other"]), name="care_campaign_kind"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def taken(self) -> int:
        return self.places - self.remaining


class CampaignShare(models.Model):
    """The places of a campaign set aside for one union of the organiser's subtree (and everyone below it)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="shares", verbose_name="活动"
    )
    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="工会"
    )
    places = models.PositiveIntegerField("分配名额")
    taken = models.PositiveIntegerField("已报名", default=0)

    SCOPE_PATHS = ("campaign__org__path",)

    class Meta:
        ordering = ["union__path"]
        verbose_name = verbose_name_plural = "关爱行动名额分配"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "union"], name="care_share_one_per_union"),
            models.CheckConstraint(condition=Q(places__gte=1), name="care_share_places_positive"),
            models.CheckConstraint(
                condition=Q(taken__gte=0) & Q(taken__lte=F("places")), name="care_share_taken_within"
            ),
        ]

    def __str__(self):
        return f"{self.union} {self.taken}/{self.places}"


class CampaignSignup(models.Model):
    class Status(models.TextChoices):
        SIGNED = "signed", "已报名"
        WITHDRAWN = "withdrawn", "已退出"
        ATTENDED = "attended", "已参加"
        ABSENT = "absent", "未到"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="signups", verbose_name="活动"
    )
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="+", verbose_name="会员"
    )
    # the member's union when she signed up, and the share her place came out of (None: no shares set)
    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所在工会"
    )
    share = models.ForeignKey(
        CampaignShare,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signups",
        verbose_name="名额来源",
    )
    age = models.PositiveSmallIntegerField("活动当日年龄")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SIGNED)
    signed_at = models.DateTimeField("报名时间", auto_now_add=True)
    withdrawn_at = models.DateTimeField("退出时间", null=True, blank=True)
    marked_at = models.DateTimeField("登记时间", null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SCOPE_PATHS = ("campaign__org__path",)

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = verbose_name_plural = "关爱行动报名"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], condition=~Q(status="withdrawn"), name="care_signup_one_live"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["signed", "withdrawn", "attended", "absent"]),
                name="care_signup_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="care_signup_withdrawn_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["attended", "absent"]) | Q(marked_at__isnull=False),
                name="care_signup_marked_time",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="care_signup_person_status")]


class CareClass(models.Model):
    """暑期爱心托管班: a union looks after members' children on working days of the summer holiday."""

    class Status(models.TextChoices):
        OPEN = "open", "报名中"
        CANCELLED = "cancelled", "已取消"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="care_classes", verbose_name="组织单位"
    )
    title = models.CharField("托管班名称", max_length=100)
    place = models.CharField("托管地点", max_length=100)
    description = models.TextField("托管内容", max_length=2000, blank=True)
    starts_on = models.DateField("开班日期")
    ends_on = models.DateField("结班日期")
    daily_hours = models.CharField("每日托管时间", max_length=40, default="08:30-17:00")
    signup_deadline = models.DateTimeField("报名截止")
    places = models.PositiveIntegerField("名额")
    remaining = models.PositiveIntegerField("剩余名额")
    min_age = models.PositiveSmallIntegerField("最小年龄", default=6)
    max_age = models.PositiveSmallIntegerField("最大年龄", default=12)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = verbose_name_plural = "暑期爱心托管班"
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1, places__lte=2000), name="care_class_places"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("places")), name="care_class_remaining"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="care_class_ends_after"),
            models.CheckConstraint(
                condition=Q(min_age__gte=3) & Q(max_age__lte=16) & Q(min_age__lte=F("max_age")),
                name="care_class_ages",
            ),
            models.CheckConstraint(condition=Q(status__in=["open", "cancelled"]), name="care_class_status"),
        ]

    def __str__(self):
        return self.title

    @property
    def taken(self) -> int:
        return self.places - self.remaining


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", "已报名"
        CANCELLED = "cancelled", "已取消"

    care_class = models.ForeignKey(
        CareClass, on_delete=models.PROTECT, related_name="enrolments", verbose_name="托管班"
    )
    guardian = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="+", verbose_name="监护人"
    )
    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所在工会"
    )
    child_name = models.CharField("孩子姓名", max_length=50)
    child_id_cipher = models.TextField("子女身份证号（密文）")
    child_id_bidx = models.CharField(max_length=64)
    child_id_masked = models.CharField("子女身份证号", max_length=18)
    child_birth_date = models.DateField("孩子出生日期")
    child_gender = models.CharField("孩子性别", max_length=1, choices=[("M", "男"), ("F", "女")])
    guardian_mobile_cipher = models.TextField("监护人手机（密文）")
    guardian_mobile_masked = models.CharField("监护人手机", max_length=11)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ENROLLED)
    enrolled_at = models.DateTimeField("报名时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    SCOPE_PATHS = ("care_class__org__path",)

    class Meta:
        ordering = ["enrolled_at", "id"]
        verbose_name = verbose_name_plural = "托管班报名"
        constraints = [
            models.UniqueConstraint(
                fields=["care_class", "child_id_bidx"],
                condition=Q(status="enrolled"),
                name="care_enrolment_one_per_child",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["enrolled", "cancelled"]), name="care_enrolment_status"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="care_enrolment_cancel_time",
            ),
            models.CheckConstraint(condition=Q(child_gender__in=["M", "F"]), name="care_enrolment_gender"),
        ]
        indexes = [models.Index(fields=["guardian", "status"], name="care_enrolment_guardian")]

    def __str__(self):
        return f"{self.child_name}（{self.care_class}）"


class Attendance(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="attendance", verbose_name="报名"
    )
    day = models.DateField("日期")
    present = models.BooleanField("到班")
    marked_at = models.DateTimeField("登记时间", auto_now=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SCOPE_PATHS = ("enrolment__care_class__org__path",)

    class Meta:
        ordering = ["day", "id"]
        verbose_name = verbose_name_plural = "托管班考勤"
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="care_attendance_one_per_day")
        ]


class Facility(models.TextChoices):
    FRIDGE = "fridge", "冰箱"
    SEAT = "seat", "沙发/座椅"
    SINK = "sink", "洗手池"
    SCREEN = "screen", "私密隔断"
    AIRCON = "aircon", "空调"
    DISINFECT = "disinfect", "消毒用品"
    TABLE = "table", "尿布台/护理台"
    OUTLET = "outlet", "电源插座（吸奶器）"
    BIN = "bin", "垃圾桶"
    CALL = "call", "呼叫/求助装置"


class Room(models.Model):
    """爱心妈咪小屋: a base union registers its lactation room; the street reviews it; the federation rates it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待街道审核"
        RETURNED = "returned", "退回修改"
        APPROVED = "approved", "街道已审核"

    union = models.OneToOneField(
        "orgs.Organization", on_delete=models.PROTECT, related_name="care_room", verbose_name="基层工会"
    )
    enterprise_name = models.CharField("所在单位", max_length=150)
    location = models.CharField("具体位置", max_length=100)
    area_m2 = models.DecimalField("面积（平方米）", max_digits=5, decimal_places=1)
    facilities = models.JSONField("设施", default=list)
    opening_hours = models.CharField("开放时间", max_length=60)
    contact = models.CharField("联系人", max_length=30, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    stars = models.PositiveSmallIntegerField("星级", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = verbose_name_plural = "爱心妈咪小屋"
        constraints = [
            models.CheckConstraint(condition=Q(area_m2__gte=5) & Q(area_m2__lte=500), name="care_room_area"),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "returned", "approved"]), name="care_room_status"
            ),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | (Q(stars__gte=1, stars__lte=3) & Q(status="approved")),
                name="care_room_stars_when_approved",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_note=""), name="care_room_returned_has_note"
            ),
        ]
        indexes = [models.Index(fields=["status", "stars"], name="care_room_status_stars")]

    def __str__(self):
        return f"{self.enterprise_name}爱心妈咪小屋"

    @property
    def facility_labels(self) -> list[str]:
        d = dict(Facility.choices)
        return [str(d[v]) for v in self.facilities or () if v in d]

    @property
    def stars_text(self) -> str:
        return "★" * (self.stars or 0) + "☆" * (3 - (self.stars or 0)) if self.stars else "未评星"


class RoomRating(models.Model):
    """The federation's ratings of a room, append-only: a new rating is a new row with its reason (the room's
    ``stars`` is the latest, set in the same transaction under the room's lock); a row is never edited or
    deleted."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="ratings", verbose_name="小屋")
    stars = models.PositiveSmallIntegerField("星级")
    previous = models.PositiveSmallIntegerField("原星级", null=True, blank=True)
    reason = models.CharField("评定理由", max_length=200)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rated_at = models.DateTimeField("评定时间", auto_now_add=True)

    SCOPE_PATHS = ("room__union__path",)

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = verbose_name_plural = "爱心妈咪小屋星级评定"
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=3), name="care_rating_stars"),
            models.CheckConstraint(condition=~Q(reason=""), name="care_rating_has_reason"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("星级评定记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("星级评定记录只能追加，不能删除")
