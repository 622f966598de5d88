"""The support app's tables: the assistance ledger (帮扶台账), the funds and projects
(扶贫资金和项目), relocation (易地扶贫搬迁) and microcredit (扶贫小额信贷)."""

from fupin.support.models.credit import Loan, LoanRepayment
from fupin.support.models.funds import (
    Allocation,
    Disbursement,
    Project,
    ProjectBeneficiary,
    ProjectTransition,
)
from fupin.support.models.ledger import MEASURE_KEEPERS, Measure
from fupin.support.models.relocation import (
    RelocationFollowUp,
    RelocationJob,
    RelocationMove,
    RelocationTarget,
    ResettlementSite,
)

__all__ = [
    "MEASURE_KEEPERS",
    "Allocation",
    "Disbursement",
    "Loan",
    "LoanRepayment",
    "Measure",
    "Project",
    "ProjectBeneficiary",
    "ProjectTransition",
    "RelocationFollowUp",
    "RelocationJob",
    "RelocationMove",
    "RelocationTarget",
    "ResettlementSite",
]
