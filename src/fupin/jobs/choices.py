"""Choices of the jobs app: what a job does and where it stands."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    """What a background job (后台任务) does."""

    HOUSEHOLD_IMPORT = "household_import", _("农户信息导入")
    ANNUAL_RUN = "annual_run", _("年度动态调整")
    EXPORT = "export", _("农户信息导出")
    REPORT = "report", _("年度报告")


class JobStatus(models.TextChoices):
    """Where a job stands (任务状态)."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


# A job in one of these may still change; the others are final.
OPEN_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
