"""The forms of microcredit's pages (扶贫小额信贷), and what a refusal of the services says on
a page and which status answers it (the API answers alike).

The forms check only the shape of what is typed; every rule of the campaign (the policy's
amount and term caps among them) is the services' (`support.credit.services`), whose
refusal the page shows with nothing written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.support.choices import LoanPurpose
from fupin.support.credit.api import BAD_REQUEST_CODES, FORBIDDEN_CODES
from fupin.support.pages import PlainForm, Refusals

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    Label = str | StrPromise

# A refusal's code -> what the page says before the service's own (English) reason.
REFUSALS = {
    "role_not_allowed": _("只有县、乡两级扶贫部门可以登记贷款。"),
    "not_on_register": _("扶贫小额信贷只贷给在册的贫困户（含脱贫户）。"),
    "amount_invalid": _("金额以元为单位，最多两位小数。"),
    "rate_invalid": _("利率或贴息比例不对（小数，最多四位，年利率不超过 0.2）。"),
    "subsidy_invalid": _("财政贴息比例不能超过 1。"),
    "purpose_unknown": _("贷款用途不对。"),
    "lender_invalid": _("请填写贷款机构，最多 100 字。"),
    "purpose_note_invalid": _("用途说明最多 200 字。"),
    "date_invalid": _("日期不对：不能晚于今天，也不能早于发放日或上一次还款。"),
    "term_over_cap": _("贷款期限超过政策上限。"),
    "amount_over_cap": _("贷款余额将超过每户上限。"),
    "policy_missing": _("这一年度、这个省份没有适用的信贷政策。"),
    "loan_closed": _("这笔贷款已经结清或代偿。"),
    "overpayment": _("还款本金超过未还本金。"),
    "not_defaulted": _("贷款违约后才能由风险补偿金代偿。"),
}


REFUSED = Refusals(REFUSALS, FORBIDDEN_CODES, BAD_REQUEST_CODES)
refusal_text = REFUSED.text
refusal_status = REFUSED.status


class CreditForm(PlainForm):
    """A form of these pages."""


def _day(label: Label) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _yuan(label: Label, *, least: str = "0") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=2, min_value=Decimal(least),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )  # fmt: skip


def _fraction(label: Label, help_text: Label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=5, decimal_places=4, min_value=0, max_value=1,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.0001"}),
    )  # fmt: skip


class LoanForm(CreditForm):
    """A microcredit loan issued to a household (扶贫小额信贷发放)."""

    amount = _yuan(_("贷款金额（元）"), least="0.01")
    term_months = forms.IntegerField(
        label=_("期限（月）"), min_value=1, max_value=600,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    annual_rate = _fraction(_("年利率"), _("小数，如 0.0435"))
    subsidy_share = _fraction(_("财政贴息比例"), _("1 为全额贴息"))
    lender = forms.CharField(label=_("贷款机构"), max_length=100)
    purpose = forms.ChoiceField(label=_("用途"), choices=LoanPurpose.choices)
    purpose_note = forms.CharField(label=_("用途说明（可选）"), max_length=200, required=False)
    issued_on = _day(_("发放日期"))


class RepaymentForm(CreditForm):
    """A repayment of principal and interest (还款)."""

    paid_on = _day(_("还款日期"))
    principal = _yuan(_("本金（元）"))
    interest = _yuan(_("利息（元）"))


class WriteOffForm(CreditForm):
    """A defaulted loan covered by the risk compensation fund (风险补偿金代偿)."""

    on = _day(_("代偿日期"))
    reason = forms.CharField(label=_("说明（可选）"), max_length=200, required=False)
