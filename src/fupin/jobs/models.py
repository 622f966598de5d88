"""Background jobs: a long import, annual run or export, its progress and its result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fupin.core.choices import Role
from fupin.core.fields import CodeField
from fupin.core.rules import OFFICES, VILLAGE_POSTS, AccessRule
from fupin.jobs.choices import JobKind, JobStatus

# Who sees (and may ask to cancel) the jobs acting on a region: every post that may start
# one there, and the offices above it. A job belongs to the region it acts on, not to the
# person who started it: colleagues at the same post see the import already running, and
# an office above sees the work done under it. Cancelling is further limited by
# `jobs.services.job_cancel` to the starter and the posts that may start that kind there.
JOB_VIEWERS = OFFICES | VILLAGE_POSTS | frozenset({Role.INSPECTOR})


class Job(models.Model):
    """A long job (后台任务) run by a detached worker process, with its progress and result."""

    ACCESS = AccessRule("region_code", view=JOB_VIEWERS, change=JOB_VIEWERS)

    kind = models.CharField(max_length=32, choices=JobKind.choices)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(null=True, blank=True)
    result_file = models.CharField(
        max_length=255, blank=True, help_text="file name under VAR_DIR/jobs/<id>/"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
    )
    region_code = CodeField(max_length=12, blank=True, help_text="'' is the nation")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pid = models.IntegerField(null=True, blank=True, help_text="the worker's OS process id")
    host = models.CharField(max_length=255, blank=True, help_text="the host the worker runs on")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region_code", "created_at"], name="job_region_created"),
            models.Index(fields=["status"], name="job_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(done__gte=0) & Q(total__gte=0), name="job_progress"),
            models.CheckConstraint(condition=Q(kind__in=JobKind.values), name="job_kind_known"),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} {self.kind} {self.region_code or 'nation'} {self.status}"

    @property
    def is_open(self) -> bool:
        """Whether the job may still change (queued or running)."""
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def percent(self) -> int | None:
        """Progress in whole percent, or None while the total is unknown."""
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
