"""Roster import jobs. A job is the audited unit of one uploaded file: checked first (preview, nothing written),
then imported in one transaction. Its counts are the user's receipt; its problems list feeds the preview and
the error report. The uploaded file is kept privately (MEDIA_ROOT, never served directly) for the report."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队检查中"
    CHECKING = "checking", "正在检查"
    READY = "ready", "检查完成，待确认"
    REFUSED = "refused", "文件被拒收"
    IMPORTING = "importing", "正在导入"
    DONE = "done", "已导入"
    FAILED = "failed", "导入未完成"


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", "全部正确才导入（有错误则一行都不导入）"
    VALID_ROWS = "valid", "只导入正确的行（错误行留在错误报告中）"


RUNNING_STATUSES = (JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.IMPORTING)


class ImportJob(models.Model):
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="roster_imports",
                            verbose_name="导入到组织")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="操作人")
    original_name = models.CharField("文件名", max_length=200)
    stored_name = models.CharField(max_length=100)
    kind = models.CharField("格式", max_length=8, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    mode = models.CharField("导入方式", max_length=8, choices=ImportMode.choices, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    phase = models.CharField("当前步骤", max_length=60, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    header_row = models.PositiveIntegerField("表头所在行", default=0)
    header = models.JSONField("原表头", default=list, blank=True)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    preview = models.JSONField("检查结果（预计新增/更新/不变/错误）", default=dict, blank=True)
    problems = models.JSONField("错误行 [[行号, 说明], …]", default=list, blank=True)
    added = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("无变化", default=0)
    rejected = models.PositiveIntegerField("错误", default=0)
    members_added = models.PositiveIntegerField("新入会", default=0)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    SCOPE_PATHS = ("org__path",)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "花名册导入"
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="rosters_job_progress_pct"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(mode=""), name="rosters_job_done_has_mode"),
        ]

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES
