from django.apps import AppConfig


class StatsConfig(AppConfig):
    """Rollups by region and year, read by `fupin stats` and the dashboards."""

    name = "fupin.stats"
    label = "stats"
    verbose_name = "统计汇总"
