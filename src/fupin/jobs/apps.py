from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Long jobs (imports, annual runs, exports) run in the background with progress."""

    name = "fupin.jobs"
    label = "jobs"
