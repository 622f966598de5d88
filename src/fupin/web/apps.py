from django.apps import AppConfig


class WebConfig(AppConfig):
    """The pages: Django templates and htmx over the services and queries."""

    name = "fupin.web"
    label = "web"
