"""Microcredit (扶贫小额信贷): loans to registered households and their repayments.

The national terms of 2014-2020 were small (5万元以下), short (3年期以内), without guarantee
or collateral (免担保免抵押), at the benchmark rate (基准利率) with the interest subsidised
by the treasury (财政贴息), and with a county risk compensation fund (县建风险补偿金) that
covers what a defaulting household cannot pay. The caps and the days after which an
overdue loan counts as defaulted are policy parameters (`policy.Parameter.CREDIT_*`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from fupin.core.choices import Role
from fupin.core.rules import READERS, AccessRule, paired
from fupin.registry.models import Household
from fupin.support.choices import LoanPurpose, LoanStatus

# The county office (扶贫办 with the lending bank's data) and the township record loans.
CREDIT_KEEPERS = frozenset({Role.COUNTY, Role.TOWNSHIP})
CLOSED = (LoanStatus.REPAID, LoanStatus.WRITTEN_OFF)


def _recorded_by() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip


def _money(**options: object) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2, **options)  # type: ignore[arg-type]


class Loan(models.Model):
    """A poverty-alleviation microcredit loan (扶贫小额信贷) to a registered household.

    `principal_repaid`, `interest_paid` and `status` are cached from the repayments and the
    write-off; the status moves with the calendar too (`credit.services.loans_refresh`).
    """

    ACCESS = AccessRule("household__village_id", view=READERS, change=CREDIT_KEEPERS, own=paired())

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="loans", db_index=False
    )
    amount = _money(help_text="the principal lent, in yuan")
    term_months = models.PositiveSmallIntegerField()
    annual_rate = models.DecimalField(
        max_digits=6, decimal_places=4, help_text="the yearly interest rate, e.g. 0.0435"
    )
    subsidy_share = models.DecimalField(
        max_digits=5, decimal_places=4, help_text="the share of interest the treasury pays"
    )
    lender = models.CharField(max_length=100)
    purpose = models.CharField(max_length=12, choices=LoanPurpose.choices)
    purpose_note = models.CharField(max_length=200, blank=True)
    issued_on = models.DateField()
    due_on = models.DateField()
    principal_repaid = _money(default=0)
    interest_paid = _money(default=0)
    repaid_on = models.DateField(null=True, blank=True)
    written_off_on = models.DateField(null=True, blank=True)
    written_off_amount = _money(null=True, blank=True, help_text="covered by 风险补偿金")
    status = models.CharField(
        max_length=12, choices=LoanStatus.choices, default=LoanStatus.CURRENT,
        help_text="cached: as of the last refresh",
    )  # fmt: skip
    policy_values = models.JSONField(
        default=dict, help_text="parameter name -> PolicyValue id the loan was checked against"
    )
    recorded_by = _recorded_by()
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["household", "issued_on"], name="loan_household_issued"),
            models.Index(fields=["status", "due_on"], name="loan_status_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="loan_term_positive"),
            models.CheckConstraint(
                condition=Q(annual_rate__gte=0) & Q(subsidy_share__gte=0, subsidy_share__lte=1),
                name="loan_rates_in_range",
            ),
            models.CheckConstraint(condition=Q(due_on__gt=F("issued_on")), name="loan_due_after"),
            models.CheckConstraint(
                condition=Q(principal_repaid__gte=0, principal_repaid__lte=F("amount"))
                & Q(interest_paid__gte=0),
                name="loan_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=LoanStatus.values), name="loan_status_known"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=LoanPurpose.values), name="loan_purpose_known"
            ),
            # Repaid exactly when nothing is owed and it was not written off.
            models.CheckConstraint(
                condition=(
                    Q(
                        status=LoanStatus.REPAID,
                        principal_repaid=F("amount"),
                        repaid_on__isnull=False,
                        written_off_on=None,
                    )
                    | Q(
                        status=LoanStatus.WRITTEN_OFF,
                        written_off_on__isnull=False,
                        written_off_amount=F("amount") - F("principal_repaid"),
                        repaid_on=None,
                    )
                    | (
                        Q(status__in=[LoanStatus.CURRENT, LoanStatus.OVERDUE, LoanStatus.DEFAULTED])
                        & Q(principal_repaid__lt=F("amount"), repaid_on=None, written_off_on=None)
                    )
                ),
                name="loan_status_follows_balance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.amount} from {self.issued_on} ({self.status})"

    @property
    def balance(self) -> Decimal:
        """The principal still owed (zero once repaid or written off)."""
        if self.status == LoanStatus.WRITTEN_OFF:
            return Decimal(0)
        return Decimal(self.amount) - Decimal(self.principal_repaid)


class LoanRepayment(models.Model):
    """One repayment of a loan (还款): principal and interest, with the treasury's share of
    the interest (财政贴息)."""

    ACCESS = AccessRule(
        "loan__household__village_id", view=READERS, change=CREDIT_KEEPERS,
        own=paired("loan__household_id"),
    )  # fmt: skip

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField()
    principal = _money()
    interest = _money(help_text="all the interest of the period")
    subsidy = _money(help_text="the part of `interest` the treasury paid")
    recorded_by = _recorded_by()
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["loan", "paid_on"], name="repayment_loan_paid")]
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gte=0, interest__gte=0, subsidy__gte=0)
                & Q(subsidy__lte=F("interest")),
                name="repayment_amounts_in_range",
            ),
            models.CheckConstraint(
                condition=Q(principal__gt=0) | Q(interest__gt=0), name="repayment_pays_something"
            ),
        ]

    def __str__(self) -> str:
        return f"loan {self.loan_id} {self.paid_on}: {self.principal} + {self.interest}"
