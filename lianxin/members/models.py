"""People and their union memberships.

Personal data follows DESIGN rule 2: the ID number and mobile are stored only as AES-GCM ciphertext plus an
HMAC blind index (exact lookup, dedupe) and a masked copy for lists; birth date, gender and region code
derived from the ID are plain for statistics. Writes go through lianxin.members.services.
"""

from django.db import models
from django.db.models import Q


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学及以下"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专/技校"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士"
    DOCTOR = "doctor", "博士"


class Political(models.TextChoices):
    CPC = "cpc", "中共党员"
    PROBATIONARY = "probationary", "中共预备党员"
    LEAGUE = "league", "共青团员"
    DEMOCRATIC = "democratic", "民主党派"
    MASSES = "masses", "群众"


class Person(models.Model):
    name = models.CharField("姓名", max_length=50)
    id_cipher = models.TextField("身份证号（密文）")
    id_key = models.CharField(max_length=16)
    id_bidx = models.CharField(max_length=64)
    id_masked = models.CharField("身份证号", max_length=18)
    birth_date = models.DateField("出生日期")
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    region_code = models.CharField("发证地区码", max_length=6)
    mobile_cipher = models.TextField("手机号（密文）", blank=True)
    mobile_bidx = models.CharField(max_length=64, blank=True)
    mobile_masked = models.CharField("手机号码", max_length=11, blank=True)
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="people",
                            verbose_name="所属组织")
    employer = models.ForeignKey("orgs.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="employees", verbose_name="工作单位")
    employer_name = models.CharField("工作单位名称", max_length=150, blank=True)
    job = models.CharField("岗位/职务", max_length=60, blank=True)
    education = models.CharField("学历", max_length=16, choices=Education.choices, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True, default="汉族")
    political_status = models.CharField("政治面貌", max_length=16, choices=Political.choices, blank=True)
    is_migrant = models.BooleanField("农民工", default=False)
    is_frontline = models.BooleanField("一线职工", default=False)
    is_model_worker = models.BooleanField("劳模", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "人员"
        # Blind indexes are only ever matched exactly, so they are declared here rather than with unique=True /
        # db_index=True, which on PostgreSQL also builds a second varchar_pattern_ops ("_like") index that no
        # query uses and every insert pays for (the roster import writes 100,000 rows at a time). On PostgreSQL
        # both blind-index columns use the "C" collation (migration 0003): hex digests compared byte by byte, not
        # by the database's locale rules (a zh_CN or C.UTF-8 comparison costs several times more; measured
        # ~11% of a 100,000-row insert here). An AlterField on them must keep COLLATE "C".
        constraints = [
            models.CheckConstraint(condition=Q(gender__in=["M", "F"]), name="person_gender_valid"),
            models.UniqueConstraint(fields=["id_bidx"], name="person_id_bidx_unique"),
        ]
        indexes = [models.Index(fields=["mobile_bidx"], name="person_mobile_bidx")]

    def __str__(self):
        return self.name

    @property
    def is_party_member(self) -> bool:
        return self.political_status in (Political.CPC, Political.PROBATIONARY)

    @property
    def is_woman(self) -> bool:
        return self.gender == Gender.FEMALE

    @property
    def is_youth(self) -> bool:
        import datetime as dt

        from lianxin.core.idnumbers import age_on

        return age_on(self.birth_date, dt.date.today()) <= 35


class MembershipStatus(models.TextChoices):
    APPLYING = "applying", "申请中"
    MEMBER = "member", "会员"
    TRANSFERRED = "transferred", "已转出"
    LEFT = "left", "已退会"


ACTIVE_STATUSES = (MembershipStatus.APPLYING, MembershipStatus.MEMBER)


class Membership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships",
                               verbose_name="人员")
    # no index of its own: the (union, status) index below serves every lookup by union
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="memberships",
                              verbose_name="基层工会", db_index=False)
    status = models.CharField("状态", max_length=16, choices=MembershipStatus.choices)
    # looked up only among live memberships: the partial unique constraint below is its index
    member_no = models.CharField("会员编号", max_length=20, null=True, blank=True)
    joined_on = models.DateField("入会日期", null=True, blank=True)
    left_on = models.DateField("转出/退会日期", null=True, blank=True)
    transferred_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="transferred_to", verbose_name="转自")
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "会籍"
        constraints = [
            # A person belongs to at most one base union at a time (applying counts).
            models.UniqueConstraint(fields=["person"], condition=Q(status__in=["applying", "member"]),
                                    name="membership_one_active_per_person"),
            # A member number belongs to one live membership; a transfer carries it over, history keeps it.
            models.UniqueConstraint(fields=["member_no"], condition=Q(status__in=["applying", "member"]),
                                    name="membership_member_no_live_unique"),
            models.CheckConstraint(condition=~Q(status="member") | Q(member_no__isnull=False, joined_on__isnull=False),
                                   name="membership_member_has_number"),
        ]
        indexes = [models.Index(fields=["union", "status"], name="membership_union_status")]

    def __str__(self):
        return f"{self.person} @ {self.union} ({self.get_status_display()})"
