from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Watching over the households: the paired cadres' visits and the overdue lists."""

    name = "fupin.monitoring"
    label = "monitoring"
    verbose_name = "帮扶监测"
