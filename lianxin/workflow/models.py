"""The applications engine (DESIGN rule 6): one Application per request a worker or union makes, a Step per
review at a level of the organisation tree, attachments kept outside the web root, and the certificates that
the legal-person registration issues.

What the programmes *mean* lives in :mod:`lianxin.workflow.programmes`; every write goes through
:mod:`lianxin.workflow.services`. The limits that must hold under concurrent requests are database
constraints here: one undecided step per application, one open application per person and programme, one valid
certificate per union.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    IN_REVIEW = "in_review", "审核中"
    RETURNED = "returned", "退回补正"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.IN_REVIEW, State.RETURNED)
PENDING_STATES = (State.SUBMITTED, State.IN_REVIEW)  # waiting for a reviewer
FINISHED_STATES = (State.APPROVED, State.REJECTED)


class Decision(models.TextChoices):
    APPROVED = "approved", "通过"
    REJECTED = "rejected", "不予通过"
    RETURNED = "returned", "退回补正"


class PrivateStorage(FileSystemStorage):
    """Uploads sit under MEDIA_ROOT, which is outside the static/web root and has no URL: the only way to read
    a file is the attachment view, which checks the applicant or a reviewer in scope."""

    def url(self, name):
        raise ValueError("申请材料没有公开地址，只能通过受权限控制的下载页面读取")


def _private_storage():
    return PrivateStorage(location=settings.MEDIA_ROOT)


class Application(models.Model):
    number = models.CharField("申请编号", max_length=24, unique=True)
    programme = models.CharField("事项", max_length=32, db_index=True)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="applications", verbose_name="申请人账号")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="代办人（工会工作人员）")
    person = models.ForeignKey("members.Person", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="applications", verbose_name="当事人")
    subject_key = models.CharField(max_length=64, blank=True,
                                   help_text="当事人的去重键（身份证盲索引或组织），同一事项只能有一件在办")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="applications",
                            verbose_name="受理组织")
    target_org = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="incoming_applications", verbose_name="转入/目标组织")
    title = models.CharField("标题", max_length=200)
    form = models.JSONField("表单", default=dict, blank=True)
    sealed = models.JSONField(default=dict, blank=True, help_text="敏感字段的密文（身份证号、手机号）")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    trips = models.PositiveSmallIntegerField("到场次数", default=0)
    returned_fields = models.JSONField("需补正项目", default=list, blank=True)
    result = models.JSONField("办理结果", default=dict, blank=True)
    submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Filed at ``org``; a transfer also reaches the receiving union. Every step's organisation is one of these
    # or an ancestor of one, so a reviewer in scope of a step is in scope of its application.
    SCOPE_PATHS = ("org__path", "target_org__path")

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "申请"
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="wf_app_state_valid"),
            models.UniqueConstraint(fields=["programme", "subject_key"],
                                    condition=Q(state__in=["draft", "submitted", "in_review", "returned"])
                                    & ~Q(subject_key=""),
                                    name="wf_app_one_open_per_subject"),
        ]
        indexes = [models.Index(fields=["programme", "org", "state"], name="wf_app_prog_org_state"),
                   models.Index(fields=["applicant", "-id"], name="wf_app_applicant")]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def editable(self) -> bool:
        return self.state in (State.DRAFT, State.RETURNED)

    @property
    def programme_def(self):
        from .programmes import get_programme

        return get_programme(self.programme)


class Step(models.Model):
    """One review at one organisation. A return for correction closes the step; the resubmission opens a new
    step at the same level (``seq``), so the history keeps every round."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField("环节序号")
    level = models.CharField("环节", max_length=40)
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="workflow_steps",
                            verbose_name="审核组织")
    decision = models.CharField("结论", max_length=16, choices=Decision.choices, null=True, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="审核人")
    comment = models.CharField("意见", max_length=500, blank=True)
    returned_fields = models.JSONField("需补正项目", default=list, blank=True)
    asked_in_person = models.BooleanField("要求本人到场/交原件", default=False)
    due_at = models.DateTimeField("办理时限")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The nearest organisation at or above ``org`` with reviewers when the step opened: a small union without
    # console accounts has its level handled by the joint union or street above it.
    assigned_to = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="办理组织")
    escalated_to = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="已上报至")
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["application_id", "id"]
        verbose_name = verbose_name_plural = "审核环节"
        constraints = [
            # At most one step awaits a decision per application: the engine can never fork.
            models.UniqueConstraint(fields=["application"], condition=Q(decision__isnull=True),
                                    name="wf_step_one_open"),
            models.CheckConstraint(condition=Q(decision__isnull=True) | Q(decided_at__isnull=False),
                                   name="wf_step_decided_has_time"),
        ]
        indexes = [models.Index(fields=["decision", "due_at"], name="wf_step_open_due")]

    def __str__(self):
        return f"{self.application.number} · {self.level}"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    slot = models.CharField("材料", max_length=32)
    file = models.FileField(storage=_private_storage, upload_to="workflow/%Y/%m/", max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    SCOPE_PATHS = ("application__org__path", "application__target_org__path")

    class Meta:
        ordering = ["slot", "id"]
        verbose_name = verbose_name_plural = "申请材料"


class CertStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUPERSEDED = "superseded", "已换发"
    REVOKED = "revoked", "已作废（补领）"
    CANCELLED = "cancelled", "已注销"


class Certificate(models.Model):
    """工会法人资格证书. ``token`` is the unguessable key of the public verification page; the page shows the
    union, the code, the validity and the status, never a person's data."""

    union = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="legal_certificates",
                              verbose_name="工会")
    application = models.OneToOneField(Application, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="certificate")
    number = models.CharField("证书编号", max_length=32, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    union_name = models.CharField("工会名称", max_length=100)
    address = models.CharField("住所", max_length=200)
    chairman = models.CharField("法定代表人", max_length=50)
    funding = models.CharField("经费来源", max_length=100)
    valid_from = models.DateField("有效期自")
    valid_until = models.DateField("有效期至")
    status = models.CharField("状态", max_length=16, choices=CertStatus.choices, default=CertStatus.VALID)
    token = models.CharField(max_length=43, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATHS = ("union__path",)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "工会法人资格证书"
        constraints = [
            models.UniqueConstraint(fields=["union"], condition=Q(status="valid"), name="wf_cert_one_valid"),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("valid_from")), name="wf_cert_period"),
        ]

    def __str__(self):
        return f"{self.number} {self.union_name}"
