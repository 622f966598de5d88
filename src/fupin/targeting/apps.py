from django.apps import AppConfig


class TargetingConfig(AppConfig):
    """Identification, exit, return, removal, village and county exit, risk monitoring."""

    name = "fupin.targeting"
    label = "targeting"
    verbose_name = "精准识别与退出"
