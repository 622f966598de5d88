"""`fupin credit rates|issue|repay|write-off|refresh`: microcredit (扶贫小额信贷) from the
shell.

With `--as USERNAME` a command acts and reads as that user, through the same services and
access choke point as the pages; without it, the operator of this machine acts and reads
every region. A refusal prints its stable code (exit status 2).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from fupin.core.audit import Actor
from fupin.core.cli import (
    BAD_INPUT,
    day_argument,
    decimal_argument,
    operator_actor,
    share_text,
    user_actor,
)
from fupin.registry.models import Household
from fupin.support.choices import LoanPurpose
from fupin.support.credit import services
from fupin.support.credit.queries import access_loan, credit_rates, year_end
from fupin.support.readers import OPERATOR, Reader, readable_one


class Command(BaseCommand):
    help = "Microcredit: overdue and default rates, loans, repayments, write-offs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rates = sub.add_parser("rates", help="overdue and default rates by region")
        rates.add_argument("--region", default="", help="region code; omit for the nation")
        rates.add_argument("--year", type=int, help="at the end of this year (default: today)")
        rates.add_argument("--on", type=day_argument, help="on this day")
        issue = sub.add_parser("issue", help="record a loan")
        issue.add_argument("--household", required=True, help="household number (户编号)")
        issue.add_argument("--amount", type=decimal_argument, required=True)
        issue.add_argument("--term", type=int, required=True, help="months")
        issue.add_argument(
            "--rate", type=decimal_argument, required=True, help="yearly, e.g. 0.0475"
        )
        issue.add_argument("--subsidy-share", type=decimal_argument, default=Decimal(1))
        issue.add_argument("--lender", required=True)
        issue.add_argument("--purpose", choices=LoanPurpose.values, required=True)
        issue.add_argument("--on", type=day_argument, required=True)
        repay = sub.add_parser("repay", help="record a repayment")
        repay.add_argument("loan", type=int)
        repay.add_argument("--on", type=day_argument, required=True)
        repay.add_argument("--principal", type=decimal_argument, default=Decimal(0))
        repay.add_argument("--interest", type=decimal_argument, default=Decimal(0))
        write_off = sub.add_parser("write-off", help="cover a defaulted loan (风险补偿金)")
        write_off.add_argument("loan", type=int)
        write_off.add_argument("--on", type=day_argument, required=True)
        write_off.add_argument("--reason", default="")
        refresh = sub.add_parser("refresh", help="move the loans' cached status on to a day")
        refresh.add_argument("--region", default="")
        refresh.add_argument("--on", type=day_argument)
        for verb in sub.choices.values():
            verb.add_argument("--as", dest="as_user", metavar="USERNAME",
                              help="act as this user; omit to act as the operator")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        actor = user_actor(options["as_user"]) if options["as_user"] else operator_actor()
        reader: Reader = actor.user if actor.user is not None else OPERATOR
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(reader, actor, options)
        except services.CreditError as exc:
            raise CommandError(f"{exc.code}: {exc}", returncode=BAD_INPUT) from None
        except Http404:
            raise CommandError("not found within your posts", returncode=BAD_INPUT) from None

    def _rates(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        on = options["on"] or (year_end(options["year"]) if options["year"] else date.today())
        found = credit_rates(user=reader, region=options["region"], on=on)
        self.stdout.write(f"loans on {on}; defaulted after {found.default_days} days overdue")
        self.stdout.write(f"{'region':<14}{'loans':>7}{'owing':>7}{'balance':>14}"
                          f"{'overdue%h':>10}{'overdue%¥':>10}{'default%h':>10}"
                          f"{'default%¥':>10}{'written off':>14}")  # fmt: skip
        for row in [*found.parts, found.total]:
            self.stdout.write(
                f"{row['region_code'] or '全国':<14}{row['loans']:>7}"
                f"{row['households_outstanding']:>7}{row['balance']:>14,.2f}"
                f"{share_text(row['overdue_household_rate']):>10}"
                f"{share_text(row['overdue_amount_rate']):>10}"
                f"{share_text(row['default_household_rate']):>10}"
                f"{share_text(row['default_amount_rate']):>10}{row['written_off']:>14,.2f}"
            )

    def _issue(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        household = readable_one(Household.objects.all(), reader, what="household",
                                 household_no=options["household"])  # fmt: skip
        loan = services.loan_issue(
            household=household, amount=options["amount"], term_months=options["term"],
            annual_rate=options["rate"], subsidy_share=options["subsidy_share"],
            lender=options["lender"], purpose=options["purpose"], issued_on=options["on"],
            actor=actor,
        )  # fmt: skip
        self.stdout.write(f"loan {loan.pk}: {loan.amount} to {household.household_no}, "
                          f"due {loan.due_on} ({loan.status})")  # fmt: skip

    def _repay(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        repayment = services.loan_repay(
            loan=access_loan(reader, options["loan"]), paid_on=options["on"],
            principal=options["principal"], interest=options["interest"], actor=actor,
        )  # fmt: skip
        loan = repayment.loan
        self.stdout.write(f"loan {loan.pk}: repaid {repayment.principal} + {repayment.interest}; "
                          f"owes {loan.balance} ({loan.status})")  # fmt: skip

    def _write_off(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        loan = services.loan_write_off(
            loan=access_loan(reader, options["loan"]),
            on=options["on"],
            reason=options["reason"],
            actor=actor,
        )
        self.stdout.write(f"loan {loan.pk}: {loan.written_off_amount} covered on "
                          f"{loan.written_off_on}")  # fmt: skip

    def _refresh(self, reader: Reader, actor: Actor, options: dict[str, Any]) -> None:
        changed = services.loans_refresh(on=options["on"], region=options["region"], actor=actor)
        self.stdout.write(f"{changed} loan(s) changed status")
