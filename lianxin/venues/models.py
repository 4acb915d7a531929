"""Service sites (职工之家, 心理疏导室, 爱心妈咪小屋, 工会驿站, shared university sports facilities), their
time slots and members' bookings.

The booking limits live in the database (DESIGN rule 4):
* ``Slot.booked`` never exceeds ``capacity`` — a CHECK constraint, and the service only increments it with a
  conditional ``UPDATE ... WHERE booked < capacity``, so two processes cannot both take the last place;
* one live booking per member per slot — a partial UNIQUE constraint (cancelled rows do not count, so a
  member may re-book after cancelling).
Writes go through lianxin.venues.services.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class SiteKind(models.TextChoices):
    HOME = "home", "职工之家"
    COUNSEL = "counsel", "心理疏导室"
    MOTHER = "mother", "爱心妈咪小屋"
    STATION = "station", "工会驿站"
    SPORTS = "sports", "高校共享体育设施"


class Site(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="sites",
                            verbose_name="管理组织")
    street = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="sites_in_street",
                               verbose_name="所在街道/园区")
    kind = models.CharField("类型", max_length=16, choices=SiteKind.choices)
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200)
    opening_hours = models.CharField("开放时间", max_length=200, blank=True)
    equipment = models.TextField("设施设备", blank=True)
    description = models.TextField("简介", blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    bookable = models.BooleanField("可预约", default=False)
    is_active = models.BooleanField("开放", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["street__path", "kind", "name"]
        verbose_name = verbose_name_plural = "服务阵地"
        indexes = [models.Index(fields=["street", "kind"], name="site_street_kind")]
        constraints = [
            models.CheckConstraint(condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                                   name="site_lat_range"),
            models.CheckConstraint(condition=Q(longitude__isnull=True) | Q(longitude__gte=-180,
                                                                           longitude__lte=180),
                                   name="site_lng_range"),
        ]

    def __str__(self):
        return self.name


class SitePhoto(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="venues/photos/%Y/%m/")
    caption = models.CharField("说明", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("site__org__path",)

    class Meta:
        ordering = ["id"]


class Slot(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    capacity = models.PositiveIntegerField("名额")
    booked = models.PositiveIntegerField("已预约", default=0)

    SCOPE_PATHS = ("site__org__path",)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = verbose_name_plural = "预约时段"
        constraints = [
            models.UniqueConstraint(fields=["site", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"),
            models.CheckConstraint(condition=Q(booked__gte=0) & Q(booked__lte=F("capacity")),
                                   name="slot_never_over_capacity"),
        ]

    def __str__(self):
        return f"{self.site} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    CANCELLED = "cancelled", "已取消"
    ATTENDED = "attended", "已到场"
    NO_SHOW = "no_show", "爽约"


class Booking(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="site_bookings")
    status = models.CharField("状态", max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    SCOPE_PATHS = ("slot__site__org__path",)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "预约"
        indexes = [models.Index(fields=["user", "status"], name="booking_user_status")]
        constraints = [
            models.UniqueConstraint(fields=["slot", "user"], condition=~Q(status="cancelled"),
                                    name="booking_one_per_member_slot"),
        ]


class BookingPause(models.Model):
    """Set when a member reaches the no-show threshold; booking is refused until ``until``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_pause")
    until = models.DateTimeField("暂停至")
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now=True)
