"""职工医疗互助 (workers' medical mutual aid): the year's plan, who takes part, each person's yearly account and
the hospital-stay payments made from it.

* :class:`MedicalPlan` — one organiser's (normally the federation's) plan for a year: the contribution per head,
  the deductible (起付线, per hospital stay), the ratio paid above it and the yearly cap per person.
* :class:`Enrolment` — a person taking part in a plan, entered by their union (unique per person and plan).
* :class:`MedicalAccount` — what a person has been paid under a plan this year. The yearly cap is held by the
  database: ``CHECK 0 <= paid_fen <= cap_fen``, and the approval raises ``paid_fen`` with a conditional UPDATE
  under the account's row lock, so two approvals racing for the last of a person's cap never pay more than it.
* :class:`MedicalPayment` — one approved claim: its application, its ledger entry in the 职工医疗互助 fund and
  the stay it pays for (one payment per stay, by a unique constraint).

Writes go through :mod:`lianxin.mutualaid.services` only; money is integer fen (DESIGN rule 5).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class MedicalPlan(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="medical_plans",
                            verbose_name="组织单位")
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("计划名称", max_length=100)
    contribution_fen = models.BigIntegerField("互助金（分/人/年）")
    deductible_fen = models.BigIntegerField("起付线（分/次）")
    ratio = models.PositiveSmallIntegerField("补助比例（%）")
    cap_fen = models.BigIntegerField("年度最高补助（分/人）")
    enrol_opens = models.DateField("参加登记开始")
    enrol_closes = models.DateField("参加登记截止")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("设立时间", auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-year", "org__path"]
        verbose_name = verbose_name_plural = "医疗互助计划"
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="medplan_one_per_org_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="medplan_year_range"),
            models.CheckConstraint(condition=Q(ratio__gte=1, ratio__lte=100), name="medplan_ratio_percent"),
            models.CheckConstraint(condition=Q(contribution_fen__gte=0, contribution_fen__lte=10**8),
                                   name="medplan_contribution_range"),
            models.CheckConstraint(condition=Q(deductible_fen__gte=0, deductible_fen__lte=10**9),
                                   name="medplan_deductible_range"),
            models.CheckConstraint(condition=Q(cap_fen__gt=0, cap_fen__lte=10**9), name="medplan_cap_range"),
            models.CheckConstraint(condition=Q(enrol_closes__gte=F("enrol_opens")), name="medplan_window_order"),
        ]

    def __str__(self):
        return self.name


class Enrolment(models.Model):
    plan = models.ForeignKey(MedicalPlan, on_delete=models.PROTECT, related_name="enrolments",
                             verbose_name="互助计划")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="medical_enrolments",
                               verbose_name="参加人")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="medical_enrolments",
                              verbose_name="参加工会")
    enrolled_at = models.DateTimeField("参加时间", auto_now_add=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["plan", "union__path", "id"]
        verbose_name = verbose_name_plural = "医疗互助参加名单"
        constraints = [models.UniqueConstraint(fields=["person", "plan"], name="enrolment_once_per_plan")]
        indexes = [models.Index(fields=["plan", "union"], name="enrolment_plan_union")]

    def __str__(self):
        return f"{self.plan} {self.person}"


class MedicalAccount(models.Model):
    """A person's year under a plan: the cap and what has been paid. Opened with the enrolment."""

    plan = models.ForeignKey(MedicalPlan, on_delete=models.PROTECT, related_name="accounts",
                             verbose_name="互助计划")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="medical_accounts",
                               verbose_name="参加人")
    cap_fen = models.BigIntegerField("年度最高补助（分）")
    paid_fen = models.BigIntegerField("已补助（分）", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    SCOPE_PATHS = ("person__org__path",)

    class Meta:
        verbose_name = verbose_name_plural = "医疗互助年度账户"
        constraints = [
            models.UniqueConstraint(fields=["person", "plan"], name="medaccount_once_per_plan"),
            # the yearly cap: never more paid than the cap, never negative
            models.CheckConstraint(condition=Q(paid_fen__gte=0) & Q(paid_fen__lte=F("cap_fen")),
                                   name="medaccount_paid_within_cap"),
        ]

    def __str__(self):
        return f"{self.plan} {self.person}"

    @property
    def remaining_fen(self) -> int:
        return self.cap_fen - self.paid_fen


class MedicalPayment(models.Model):
    account = models.ForeignKey(MedicalAccount, on_delete=models.PROTECT, related_name="payments",
                                verbose_name="年度账户")
    application = models.OneToOneField("workflow.Application", on_delete=models.PROTECT,
                                       related_name="medical_payment", verbose_name="申请")
    entry = models.OneToOneField("assistance.LedgerEntry", on_delete=models.PROTECT, related_name="medical_payment",
                                 verbose_name="台账记录")
    hospital = models.CharField("住院医院", max_length=100)
    admitted_on = models.DateField("入院日期")
    discharged_on = models.DateField("出院日期")
    self_pay_fen = models.BigIntegerField("政策范围内个人自付（分）")
    amount_fen = models.BigIntegerField("补助金额（分）")
    created_at = models.DateTimeField("发放时间", auto_now_add=True)

    SCOPE_PATHS = ("application__org__path",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "住院补助发放记录"
        constraints = [
            models.UniqueConstraint(fields=["account", "admitted_on", "discharged_on"],
                                    name="medpayment_once_per_stay"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="medpayment_amount_positive"),
            models.CheckConstraint(condition=Q(discharged_on__gte=F("admitted_on")), name="medpayment_dates_order"),
        ]

    def __str__(self):
        return f"{self.account} {self.amount_fen}"


class Contribution(models.Model):
    """互助金到账: money a union paid in for its enrolled people, received by the plan's organiser into its
    职工医疗互助 fund (one ``allocate`` entry of the fund's ledger each). A union never pays in more than its
    enrolment comes to (enrolled × contribution): checked under the plan's row lock, which enrolment and
    withdrawal take too, so the figure it is checked against cannot move meanwhile."""

    plan = models.ForeignKey(MedicalPlan, on_delete=models.PROTECT, related_name="contributions",
                             verbose_name="互助计划")
    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="medical_contributions",
                              verbose_name="缴费工会")
    amount_fen = models.BigIntegerField("到账金额（分）")
    received_on = models.DateField("到账日期")
    memo = models.CharField("说明", max_length=100, blank=True)
    entry = models.OneToOneField("assistance.LedgerEntry", on_delete=models.PROTECT,
                                 related_name="medical_contribution", verbose_name="台账记录")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = verbose_name_plural = "医疗互助金到账"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="medcontribution_positive")]
        indexes = [models.Index(fields=["plan", "union"], name="medcontribution_plan_union")]

    def __str__(self):
        return f"{self.union} {self.amount_fen}"
