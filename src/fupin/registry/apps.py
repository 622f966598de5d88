from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """Rural households, members and yearly assessments (建档立卡)."""

    name = "fupin.registry"
    label = "registry"
    verbose_name = "建档立卡"
