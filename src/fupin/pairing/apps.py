from django.apps import AppConfig


class PairingConfig(AppConfig):
    """Paired cadres (帮扶责任人) and their households; later contact cards, first
    secretaries, work teams and village committees."""

    name = "fupin.pairing"
    label = "pairing"
    verbose_name = "结对帮扶"
