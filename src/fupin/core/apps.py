from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Audit events, errors, bulk-write helpers shared by every app."""

    name = "fupin.core"
    label = "core"
    verbose_name = "核心"
