from django.apps import AppConfig


class RegionsConfig(AppConfig):
    """The five-level statistical division tree (统计用区划代码)."""

    name = "fupin.regions"
    label = "regions"
    verbose_name = "行政区划"
