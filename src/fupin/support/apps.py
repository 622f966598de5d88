from django.apps import AppConfig


class SupportConfig(AppConfig):
    """What each household received: the assistance ledger (帮扶台账) and its coverage."""

    name = "fupin.support"
    label = "support"
    verbose_name = "帮扶台账"
