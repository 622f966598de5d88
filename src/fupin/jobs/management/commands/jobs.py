"""`fupin jobs run ID` (the worker) and `fupin jobs list [--status S] [--limit N]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.jobs.choices import JobStatus
from fupin.jobs.models import Job
from fupin.jobs.services import jobs_check_alive
from fupin.jobs.worker import job_run


class Command(BaseCommand):
    help = "Run a queued background job in this process, or list the jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("run", help="run a queued job (what the web starts detached)")
        run.add_argument("job_id", type=int)
        listing = actions.add_parser("list", help="the latest jobs, newest first")
        listing.add_argument("--status", choices=JobStatus.values)
        listing.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "run":
            self._run(options["job_id"])
        else:
            self._list(options["status"], options["limit"])

    def _run(self, job_id: int) -> None:
        if not Job.objects.filter(pk=job_id).exists():
            raise CommandError(f"no job {job_id}", returncode=2)
        status = job_run(job_id=job_id)
        if not status:
            raise CommandError(f"job {job_id} is not queued", returncode=2)
        job = Job.objects.get(pk=job_id)
        self.stdout.write(f"job {job_id} {job.status}: {job.message}")
        if status != JobStatus.SUCCEEDED:
            raise CommandError(f"job {job_id} {status}", returncode=1)

    def _list(self, status: str | None, limit: int) -> None:
        jobs = Job.objects.select_related("user").order_by("-created_at", "-id")
        if status:
            jobs = jobs.filter(status=status)
        for job in jobs_check_alive(list(jobs[:limit])):
            who = job.user.get_username() if job.user else "-"
            self.stdout.write(
                f"{job.pk:>6} {job.kind:<16} {job.region_code or 'nation':<12} {job.status:<9} "
                f"{job.done}/{job.total} {job.created_at:%Y-%m-%d %H:%M} {who} {job.message}"
            )
