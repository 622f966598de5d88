"""fupin (扶贫): the information system of a targeted poverty-alleviation campaign."""

__version__ = "0.1.0"
