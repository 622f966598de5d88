"""The support app's tables: the assistance ledger (帮扶台账), the funds and projects
(扶贫资金和项目)."""

from fupin.support.models.funds import (
    Allocation,
    Disbursement,
    Project,
    ProjectBeneficiary,
    ProjectTransition,
)
from fupin.support.models.ledger import MEASURE_KEEPERS, Measure

__all__ = [
    "MEASURE_KEEPERS",
    "Allocation",
    "Disbursement",
    "Measure",
    "Project",
    "ProjectBeneficiary",
    "ProjectTransition",
]
