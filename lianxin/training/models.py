"""职工教育培训: 班组长培训 (training classes with places, per-union quotas, attendance, exam and certificates) and
the 教育补助 grants paid through the applications engine (programme ``education`` in workflow/programmes.py).

The limits live in the database (DESIGN rule 4):
- a class's places: ``TrainingClass.remaining`` under ``CHECK 0 <= remaining <= places``, taken only by a
  conditional UPDATE (``WHERE remaining > 0 AND signup_deadline >= today``) and given back on withdrawal;
- a union's quota in a class: ``ClassQuota.remaining`` under ``CHECK 0 <= remaining <= quota``, taken by the same
  kind of conditional UPDATE for every quota that covers the enrolling union (its own or an ancestor's);
- one live enrolment per person per class: a partial UNIQUE (class, person) over enrolments not withdrawn;
- one attendance mark per trainee per 课次: UNIQUE (session, enrolment);
- a score is 0–100 (CHECK); a certificate number is unique and only on a live enrolment (CHECK), numbers come
  from the gap-free ``core.counters`` counter of the year; a certificate has exactly one unique verification token
  (CHECK: number and token are set together);
- a revoked certificate (撤销) leaves the enrolment and is kept in ``RevokedCertificate`` with its number and token
  (both UNIQUE, never given again: the counter never goes back), its issue time, the time, the administrator and
  the reason of the revocation (CHECKs: a reason, revoked after issued);
- a cancelled class has its time and reason (CHECK), an open one neither, and a certified class is never cancelled
  (CHECK); enrolling into it is refused by the same conditional UPDATE (``WHERE status = 'open'``);
- 教育补助: one grant per person per level (UNIQUE (person, level)), the amount never above the level's cap nor
  the tuition paid (CHECKs).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .rules import EDUCATION_CAPS_FEN, EducationLevel  # noqa: F401 - re-exported


class TrainingClass(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "已发布"
        CANCELLED = "cancelled", "已取消"

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="training_classes",
        verbose_name="主办单位",
    )
    title = models.CharField("班次名称", max_length=100)
    place = models.CharField("培训地点", max_length=100)
    description = models.TextField("培训内容", max_length=2000, blank=True)
    starts_on = models.DateField("开班日期")
    ends_on = models.DateField("结业日期")
    hours = models.PositiveSmallIntegerField("学时")
    sessions = models.PositiveSmallIntegerField("课次")
    places = models.PositiveIntegerField("名额")
    remaining = models.PositiveIntegerField("剩余名额")
    signup_deadline = models.DateField("报名截止日期")
    pass_mark = models.PositiveSmallIntegerField("考核合格分")
    certified_at = models.DateTimeField("最近发证时间", null=True, blank=True)
    # 取消培训班: the enrolments stay as they were (history); nothing can be written into the class afterwards
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = verbose_name_plural = "班组长培训班"
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1, places__lte=10000), name="tclass_places_range"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("places")), name="tclass_remaining_within"
            ),
            models.CheckConstraint(condition=Q(hours__gte=1, hours__lte=1000), name="tclass_hours_range"),
            models.CheckConstraint(
                condition=Q(sessions__gte=1, sessions__lte=100), name="tclass_sessions_range"
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100), name="tclass_pass_mark_range"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="tclass_ends_after_start"),
            models.CheckConstraint(
                condition=Q(signup_deadline__lte=F("starts_on")), name="tclass_deadline_before_start"
            ),
            models.CheckConstraint(condition=Q(status__in=["open", "cancelled"]), name="tclass_status_valid"),
            # cancelled exactly when it has a time and a reason; an open class has neither
            models.CheckConstraint(
                condition=(Q(status="open") & Q(cancelled_at__isnull=True) & Q(cancel_reason=""))
                | (Q(status="cancelled") & Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="tclass_cancel_time_and_reason",
            ),
            # a class that issued certificates has been held: it can no longer be cancelled
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(certified_at__isnull=True), name="tclass_cancelled_uncertified"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def taken(self) -> int:
        return self.places - self.remaining

    @property
    def cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class ClassQuota(models.Model):
    """A union's share of a class's places: enrolments by that union and the unions under it count against it."""

    klass = models.ForeignKey(
        TrainingClass, on_delete=models.PROTECT, related_name="quotas", verbose_name="班次"
    )
    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="工会"
    )
    quota = models.PositiveIntegerField("分配名额")
    remaining = models.PositiveIntegerField("剩余")

    SCOPE_PATHS = ("klass__org__path",)

    class Meta:
        ordering = ["union__path"]
        verbose_name = verbose_name_plural = "培训名额分配"
        constraints = [
            models.UniqueConstraint(fields=["klass", "union"], name="tquota_one_per_union"),
            models.CheckConstraint(condition=Q(quota__gte=1, quota__lte=10000), name="tquota_quota_range"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=F("quota")), name="tquota_remaining_within"
            ),
        ]

    @property
    def taken(self) -> int:
        return self.quota - self.remaining


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", "已报名"
        WITHDRAWN = "withdrawn", "已退出"

    klass = models.ForeignKey(
        TrainingClass, on_delete=models.PROTECT, related_name="enrolments", verbose_name="班次"
    )
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="training_enrolments", verbose_name="学员"
    )
    # the member's union when enrolled: its staff enrolled them, its quota (and its ancestors') was used
    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所在工会"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ENROLLED)
    score = models.PositiveSmallIntegerField("考核成绩", null=True, blank=True)
    certificate_no = models.CharField("结业证书编号", max_length=20, null=True, blank=True, unique=True)
    certified_at = models.DateTimeField("发证时间", null=True, blank=True)
    # the unguessable key of the certificate's public verification page /verify/training/<token>/ (the QR code
    # on the PDF), made with the number (``secrets.token_urlsafe(24)``, as the workflow's 工会法人资格证书)
    certificate_token = models.CharField(max_length=43, null=True, blank=True, unique=True, editable=False)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled_at = models.DateTimeField("报名时间", auto_now_add=True)
    withdrawn_at = models.DateTimeField("退出时间", null=True, blank=True)

    SCOPE_PATHS = ("klass__org__path", "union__path")

    class Meta:
        ordering = ["enrolled_at", "id"]
        verbose_name = verbose_name_plural = "培训学员"
        constraints = [
            models.UniqueConstraint(
                fields=["klass", "person"], condition=~Q(status="withdrawn"), name="tenrol_one_live_per_class"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["enrolled", "withdrawn"]), name="tenrol_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="tenrol_withdrawn_has_time",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="tenrol_score_range"
            ),
            models.CheckConstraint(
                condition=Q(certificate_no__isnull=True)
                | (Q(status="enrolled") & Q(score__isnull=False) & Q(certified_at__isnull=False)),
                name="tenrol_certificate_on_live_scored",
            ),
            # a certificate has its verification token, and only a certificate has one
            models.CheckConstraint(
                condition=Q(certificate_no__isnull=True, certificate_token__isnull=True)
                | Q(certificate_no__isnull=False, certificate_token__isnull=False),
                name="tenrol_certificate_has_token",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="tenrol_person_status")]

    def __str__(self):
        return f"{self.person.name}（{self.klass.title}）"


class RevokedCertificate(models.Model):
    """A 结业证书 withdrawn by the organiser (issued in error: a wrong score, cheating found). The certificate
    moves here from its enrolment, whose certificate fields then describe only a valid certificate again (empty,
    until a new one is issued with a new number after the score is corrected). Number and token stay used: the
    public page of the old QR code says 已撤销 with the date, the console's 证书查验 finds the number as revoked."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="revocations", verbose_name="学员"
    )
    certificate_no = models.CharField("结业证书编号", max_length=20, unique=True)
    certificate_token = models.CharField(max_length=43, unique=True, editable=False)
    certified_at = models.DateTimeField("发证时间")
    score = models.PositiveSmallIntegerField("发证时的考核成绩")
    revoked_at = models.DateTimeField("撤销时间")
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField("撤销原因", max_length=200)

    SCOPE_PATHS = ("enrolment__klass__org__path", "enrolment__union__path")

    class Meta:
        ordering = ["-revoked_at", "-id"]
        verbose_name = verbose_name_plural = "已撤销的结业证书"
        constraints = [
            # a revoked certificate was a certificate: its number and token, and a stated reason
            models.CheckConstraint(
                condition=~Q(certificate_no="") & ~Q(certificate_token="") & ~Q(revoke_reason=""),
                name="trevoked_number_token_reason",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__gte=F("certified_at")), name="trevoked_after_issued"
            ),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="trevoked_score_range"),
        ]

    def __str__(self):
        return f"{self.certificate_no}（已撤销）"


class Session(models.Model):
    """One 课次 of a class (1..sessions, made when the class is published); attendance is recorded per session."""

    klass = models.ForeignKey(
        TrainingClass, on_delete=models.PROTECT, related_name="session_rows", verbose_name="班次"
    )
    n = models.PositiveSmallIntegerField("课次")
    recorded_at = models.DateTimeField("点名时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SCOPE_PATHS = ("klass__org__path",)

    class Meta:
        ordering = ["klass", "n"]
        verbose_name = verbose_name_plural = "培训课次"
        constraints = [
            models.UniqueConstraint(fields=["klass", "n"], name="tsession_one_per_number"),
            models.CheckConstraint(condition=Q(n__gte=1, n__lte=100), name="tsession_n_range"),
        ]


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="marks", verbose_name="课次")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="marks", verbose_name="学员"
    )
    present = models.BooleanField("出勤")

    class Meta:
        verbose_name = verbose_name_plural = "培训考勤"
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="tattend_one_per_session")
        ]


class EducationGrant(models.Model):
    """One approved 教育补助 (职工学历提升补助): once per person per level, whatever union they are in."""

    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="education_grant", verbose_name="申请"
    )
    person = models.ForeignKey(
        "members.Person", on_delete=models.PROTECT, related_name="education_grants", verbose_name="申请职工"
    )
    union = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所在工会"
    )
    level = models.CharField("层次", max_length=16, choices=EducationLevel.choices)
    school = models.CharField("学校或发证机构", max_length=100)
    graduated_on = models.DateField("毕业（取证）日期")
    tuition_fen = models.BigIntegerField("已缴学费（分）")
    amount_fen = models.BigIntegerField("补助金额（分）")
    created_at = models.DateTimeField("批准时间", auto_now_add=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "教育补助"
        constraints = [
            models.UniqueConstraint(fields=["person", "level"], name="edugrant_one_per_person_level"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="edugrant_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_fen__lte=F("tuition_fen")), name="edugrant_not_above_tuition"
            ),
            models.CheckConstraint(
                condition=(
                    Q(level="college", amount_fen__lte=EDUCATION_CAPS_FEN["college"])
                    | Q(level="bachelor", amount_fen__lte=EDUCATION_CAPS_FEN["bachelor"])
                    | Q(level="master", amount_fen__lte=EDUCATION_CAPS_FEN["master"])
                    | Q(level="vocational", amount_fen__lte=EDUCATION_CAPS_FEN["vocational"])
                ),
                name="edugrant_within_level_cap",
            ),
        ]

    def __str__(self):
        return f"{self.person.name} {self.get_level_display()}"

    @property
    def amount_yuan(self) -> str:
        from lianxin.assistance.services import yuan

        return yuan(self.amount_fen)

    @property
    def tuition_yuan(self) -> str:
        from lianxin.assistance.services import yuan

        return yuan(self.tuition_fen)
