"""党支部工作: the party member roster of each 党支部 (an organisation node of kind ``party``), its 三会一课
records with attendance, and the monthly 党费 ledger.

The rules live in the database (DESIGN rule 4):

- a person is on at most one branch's roster at a time: a partial ``UNIQUE(person) WHERE status = 'active'`` over
  :class:`PartyMember`. A row is one *stint* in one branch; a transfer closes the stint (status 已转出, ``left_on``)
  and opens one in the new branch, so the roster's history is the rows themselves plus :class:`Transfer`;
- a stint is left once: ``Transfer.from_member`` is unique (two transfers of one member at once: one wins);
- category and dates agree: a 正式党员 has a 转正 date not before joining, a 预备党员 none (``party_member_category_dates``);
- one attendance row per member per meeting (``UNIQUE(meeting, member)``), fixed from the roster when recorded;
- 党费 in integer fen, append-only (:class:`DuesEntry` refuses ``save()`` of an existing row and ``delete()``):
  one live payment per member per month — ``UNIQUE(member, period, round) WHERE kind = 'payment'``, where
  ``round`` is the number of reversals of that month before the payment (0 for the first), so a month that was
  wrongly recorded and reversed can be recorded again, but two payments can never stand side by side; one
  reversal per payment (``reverses`` is unique), which names its payment and a reason (CHECK).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Mod
from django.db.models.lookups import Range
from django.utils import timezone


class Category(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    OUT = "out", "已转出"
    STOPPED = "stopped", "停止党籍"
    DECEASED = "deceased", "已去世"
    DISQUALIFIED = "disqualified", "取消预备党员资格"


def one_year_after(d: dt.date) -> dt.date:
    """预备期一年: the same day a year later (29 February → 28 February)."""
    try:
        return d.replace(year=d.year + 1)
    except ValueError:
        return d.replace(year=d.year + 1, day=28)


# 党费 rates on the monthly base (中组部《关于中国共产党党费收缴、使用和管理的规定》): (upper bound in fen
# inclusive, rate in basis points). Above the last bound: 2 %.
DUES_RATES = ((300_000, 50), (500_000, 100), (1_000_000, 150))
DUES_TOP_RATE = 200


def dues_rate_bp(base_fen: int) -> int:
    for bound, bp in DUES_RATES:
        if base_fen <= bound:
            return bp
    return DUES_TOP_RATE


def dues_for_base(base_fen: int) -> int:
    """The monthly amount for a base, in fen, rounded half up to the fen."""
    return (base_fen * dues_rate_bp(base_fen) + 5000) // 10000


def yuan(fen) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


class PartyMember(models.Model):
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="party_stints", verbose_name="人员"
    )
    branch = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="party_members", verbose_name="党支部"
    )
    category = models.CharField("党员类别", max_length=16, choices=Category.choices)
    joined_on = models.DateField("入党日期")
    full_on = models.DateField("转正日期", null=True, blank=True)
    probation_until = models.DateField("延长预备期至", null=True, blank=True)
    status = models.CharField(
        "党籍状态", max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    entered_on = models.DateField("转入本支部日期")
    came_from = models.CharField("来源", max_length=150, blank=True)
    left_on = models.DateField("离开本支部日期", null=True, blank=True)
    left_reason = models.CharField("离开原因", max_length=200, blank=True)
    dues_base_fen = models.PositiveBigIntegerField("月缴费基数（分）", null=True, blank=True)
    dues_fixed_fen = models.PositiveIntegerField("固定月缴额（分）", null=True, blank=True)
    dues_fixed_reason = models.CharField("固定缴纳原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("branch__path",)

    class Meta:
        ordering = ["branch", "person__name", "id"]
        verbose_name = verbose_name_plural = "党员"
        indexes = [models.Index(fields=["branch", "status"], name="party_member_branch_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="party_member_one_active_branch"
            ),
            models.CheckConstraint(
                condition=Q(category__in=["full", "probationary"]), name="party_member_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "out", "stopped", "deceased", "disqualified"]),
                name="party_member_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(probation_until__isnull=True) | Q(probation_until__gt=F("joined_on")),
                name="party_member_probation_after_join",
            ),
            models.CheckConstraint(
                condition=~Q(status="disqualified") | Q(category="probationary"),
                name="party_member_disqualified_probationary",
            ),
            models.CheckConstraint(
                condition=(Q(category="full") & Q(full_on__isnull=False) & Q(full_on__gte=F("joined_on")))
                | (Q(category="probationary") & Q(full_on__isnull=True)),
                name="party_member_category_dates",
            ),
            models.CheckConstraint(
                condition=Q(entered_on__gte=F("joined_on")), name="party_member_entered_after_join"
            ),
            models.CheckConstraint(
                condition=(Q(status="active") & Q(left_on__isnull=True))
                | (~Q(status="active") & Q(left_on__isnull=False) & Q(left_on__gte=F("entered_on"))),
                name="party_member_left_when_inactive",
            ),
            models.CheckConstraint(
                condition=Q(dues_fixed_fen__isnull=True)
                | (Q(dues_fixed_fen__gt=0) & ~Q(dues_fixed_reason="")),
                name="party_member_fixed_dues_reason",
            ),
        ]

    def __str__(self):
        return f"{self.person.name}（{self.get_category_display()}）"

    @property
    def first_due_on(self) -> dt.date:
        """The end of the first year of probation: one year after joining."""
        return one_year_after(self.joined_on)

    @property
    def due_on(self) -> dt.date | None:
        """A 预备党员's probation ends (due for 转正) one year after joining, or on the day it was extended to."""
        if self.category != Category.PROBATIONARY:
            return None
        return self.probation_until or self.first_due_on

    @property
    def monthly_fen(self) -> int | None:
        if self.dues_fixed_fen is not None:
            return self.dues_fixed_fen
        if self.dues_base_fen is not None:
            return dues_for_base(self.dues_base_fen)
        return None

    @property
    def monthly_yuan(self) -> str:
        return yuan(self.monthly_fen)

    @property
    def dues_rule(self) -> str:
        if self.dues_fixed_fen is not None:
            return f"固定 {yuan(self.dues_fixed_fen)} 元（{self.dues_fixed_reason}）"
        if self.dues_base_fen is not None:
            bp = dues_rate_bp(self.dues_base_fen)
            rate = f"{bp / 100:g}"
            return f"基数 {yuan(self.dues_base_fen)} 元 × {rate}%"
        return "未核定"


class AppendOnly(models.Model):
    """Written once: saving an existing row or deleting one is refused (corrections are new rows)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("该记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("该记录只能追加，不能删除")


class Transfer(AppendOnly):
    class Kind(models.TextChoices):
        INTERNAL = "internal", "支部间转接"
        IN = "in", "从外单位转入"
        OUT = "out", "转出到外单位"

    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="party_transfers", verbose_name="人员"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    from_member = models.OneToOneField(
        PartyMember,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer_out",
        verbose_name="转出的党员记录",
    )
    to_member = models.OneToOneField(
        PartyMember,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer_in",
        verbose_name="转入的党员记录",
    )
    from_branch = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="转出支部",
    )
    to_branch = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="转入支部",
    )
    external_org = models.CharField("外单位党组织", max_length=150, blank=True)
    on = models.DateField("转接日期")
    reason = models.CharField("说明", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="经办人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    SCOPE_PATHS = ("from_branch__path", "to_branch__path")

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = verbose_name_plural = "党员组织关系转接"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="internal") & Q(from_member__isnull=False) & Q(to_member__isnull=False))
                | (
                    Q(kind="in")
                    & Q(from_member__isnull=True)
                    & Q(to_member__isnull=False)
                    & ~Q(external_org="")
                )
                | (
                    Q(kind="out")
                    & Q(from_member__isnull=False)
                    & Q(to_member__isnull=True)
                    & ~Q(external_org="")
                ),
                name="party_transfer_kind_shape",
            ),
        ]


LETTER_OVERDUE_DAYS = 30  # an open letter older than this is flagged on the lists (the receiver should act)


class LetterStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    REJECTED = "rejected", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"


class TransferLetter(models.Model):
    """党员组织关系介绍信 between two branches of the district: the sending branch opens it, the receiving branch
    accepts it (and only then does the stint move, as a :class:`Transfer`) or sends it back with a reason; the
    sender may withdraw it while it waits. So a branch's administrator can move a member to a branch outside
    their own scope, and the receiver consents.

    One open letter per stint (partial ``UNIQUE(member) WHERE status = 'pending'``); a decided letter names who
    decided and when, a returned one why, an accepted one its transfer (CHECK ``party_letter_decided_shape``)."""

    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="letters", verbose_name="转出的党员记录"
    )
    from_branch = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="转出支部"
    )
    to_branch = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="转入支部"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=16, choices=LetterStatus.choices, default=LetterStatus.PENDING)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="开具人",
    )
    sent_at = models.DateTimeField("开具时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="办理人",
    )
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    decide_reason = models.CharField("退回或撤回原因", max_length=200, blank=True)
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="letter", verbose_name="转接记录"
    )

    SCOPE_PATHS = ("from_branch__path", "to_branch__path")

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = verbose_name_plural = "组织关系介绍信"
        indexes = [models.Index(fields=["to_branch", "status"], name="party_letter_to_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="pending"), name="party_letter_one_open"
            ),
            models.CheckConstraint(
                condition=~Q(from_branch=F("to_branch")), name="party_letter_other_branch"
            ),
            models.CheckConstraint(
                condition=(Q(status="pending") & Q(decided_at__isnull=True) & Q(transfer__isnull=True)
                           & Q(decide_reason=""))
                | (Q(status="accepted") & Q(decided_at__isnull=False) & Q(transfer__isnull=False))
                | (Q(status__in=["rejected", "withdrawn"]) & Q(decided_at__isnull=False)
                   & Q(transfer__isnull=True) & ~Q(decide_reason="")),
                name="party_letter_decided_shape",
            ),
        ]

    def __str__(self):
        return f"{self.member.person.name}：{self.from_branch.name} → {self.to_branch.name}"

    @property
    def waiting_days(self) -> int | None:
        """Days an open letter has waited (local dates)."""
        if self.status != LetterStatus.PENDING:
            return None
        return (timezone.localdate() - timezone.localtime(self.sent_at).date()).days

    @property
    def overdue(self) -> bool:
        return self.waiting_days is not None and self.waiting_days >= LETTER_OVERDUE_DAYS


class MeetingKind(models.TextChoices):
    CONGRESS = "congress", "支部党员大会"
    COMMITTEE = "committee", "支委会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"


class Meeting(models.Model):
    branch = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="party_meetings", verbose_name="党支部"
    )
    kind = models.CharField("会议类型", max_length=16, choices=MeetingKind.choices)
    held_on = models.DateField("会议日期")
    topic = models.CharField("主题", max_length=100)
    place = models.CharField("地点", max_length=100, blank=True)
    minutes = models.TextField("会议纪要", max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="记录人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    SCOPE_PATHS = ("branch__path",)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = verbose_name_plural = "三会一课记录"
        indexes = [models.Index(fields=["branch", "held_on"], name="party_meeting_branch_held")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["congress", "committee", "group", "lecture", "theme_day"]),
                name="party_meeting_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d} {self.topic}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "出席"
        LEAVE = "leave", "请假"
        ABSENT = "absent", "缺席"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name="会议"
    )
    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="attendance", verbose_name="党员"
    )
    status = models.CharField("出席情况", max_length=16, choices=Status.choices)

    SCOPE_PATHS = ("meeting__branch__path",)

    class Meta:
        ordering = ["meeting", "member__person__name", "id"]
        verbose_name = verbose_name_plural = "会议出席"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="party_attendance_once"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "leave", "absent"]), name="party_attendance_status_valid"
            ),
        ]


class DuesEntry(AppendOnly):
    class Kind(models.TextChoices):
        PAYMENT = "payment", "缴纳"
        REVERSAL = "reversal", "冲正"

    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="dues", verbose_name="党员"
    )
    period = models.PositiveIntegerField("所属月份")  # yyyymm
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    round = models.PositiveSmallIntegerField("缴纳次序", default=0)
    amount_fen = models.PositiveIntegerField("金额（分）")
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
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    SCOPE_PATHS = ("member__branch__path",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "党费收缴台账"
        indexes = [models.Index(fields=["period", "member"], name="party_dues_period_member")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="party_dues_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=["payment", "reversal"]), name="party_dues_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(period__gte=200001, period__lte=209912) & Range(Mod(F("period"), 100), (1, 12)),
                name="party_dues_period_valid",
            ),
            models.CheckConstraint(
                condition=(Q(kind="payment") & Q(reverses__isnull=True))
                | (Q(kind="reversal") & Q(reverses__isnull=False) & ~Q(reason="")),
                name="party_dues_reversal_names_payment",
            ),
            models.UniqueConstraint(
                fields=["member", "period", "round"],
                condition=Q(kind="payment"),
                name="party_dues_one_live_payment",
            ),
        ]

    @property
    def period_label(self) -> str:
        return f"{self.period // 100}年{self.period % 100}月"

    @property
    def signed_fen(self) -> int:
        return self.amount_fen if self.kind == self.Kind.PAYMENT else -self.amount_fen

    @property
    def amount_yuan(self) -> str:
        return yuan(self.signed_fen)
