from django.apps import AppConfig


class PolicyConfig(AppConfig):
    """Policy as data: poverty lines, thresholds and periods keyed by year and province."""

    name = "fupin.policy"
    label = "policy"
    verbose_name = "政策参数"
