"""The forms of the funds and projects pages (扶贫资金和项目), and what a refusal of the
services says on a page and which status answers it (the API answers alike).

The forms check only the shape of what is typed; every rule of the campaign is the
services' (`support.funds.services`), whose refusal the page shows with nothing written.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.support.choices import FundSource, ProjectKind
from fupin.support.funds.services import FIRST_YEAR
from fupin.support.pages import PlainForm, Refusals

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    Label = str | StrPromise

LAST_YEAR = 2100
MONEY_DIGITS = 14
# Household numbers typed one a line, or separated by commas, 顿号 or spaces.
NUMBER_SEPARATORS = re.compile(r"[\s,，、;；]+")
NUMBERS_MAX = 5000

# How a refusal is answered: the user's post (403), the state of things (409), anything
# else names what the request says (400).
FORBIDDEN_CODES = frozenset({"role_not_allowed"})
STATE_CODES = frozenset(
    {"project_not_approved", "measure_paid_already", "step_invalid", "not_on_register"}
)
# A refusal's code -> what the page says before the service's own (English) reason.
REFUSALS = {
    "role_not_allowed": _("您的岗位不能办理这项操作。"),
    "region_invalid": _("区划代码不对。"),
    "region_unknown": _("没有这个区划代码。"),
    "direction_invalid": _("资金只能下达到下级区划，或作为本级安排。"),
    "source_unknown": _("资金来源不对。"),
    "source_not_here": _("这类资金只能从安排它的层级起下达。"),
    "department_invalid": _("行业部门涉农资金须填写部门，其他资金不填。"),
    "integrated_outside_county": _("只有县级才能统筹整合资金。"),
    "amount_invalid": _("金额以元为单位，最多两位小数。"),
    "document_missing": _("请填写下达文号。"),
    "date_invalid": _("日期不对。"),
    "year_out_of_range": _("年度超出范围。"),
    "payee_invalid": _("支出对象应为一个项目或一户。"),
    "project_not_approved": _("项目批复后才能支出。"),
    "measure_paid_already": _("这项帮扶措施已经登记过支出。"),
    "kind_unknown": _("项目类型不对。"),
    "name_invalid": _("项目名称不能为空，最多 200 字。"),
    "status_unknown": _("项目状态不对。"),
    "step_invalid": _("项目只能按顺序推进到下一个状态。"),
    "households_missing": _("请填写受益户的户编号。"),
    "household_unknown": _("有户编号找不到。"),
    "outside_project": _("有农户不在项目所在的区域。"),
    "not_on_register": _("只能支出给在册的贫困户（含脱贫户）。"),
    "measure_unknown": _("没有这项台账措施。"),
    "measure_for_household": _("帮扶措施的支出只能付给该户。"),
    "measure_other_household": _("这项帮扶措施属于另一户。"),
    "measure_in_kind": _("实物帮扶措施不以资金支出。"),
}


REFUSED = Refusals(REFUSALS, FORBIDDEN_CODES, state=STATE_CODES)
refusal_text = REFUSED.text
refusal_status = REFUSED.status


class FundsForm(PlainForm):
    """A form of these pages."""


def _day(label: Label) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _year() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("资金年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip


def _amount(label: Label, *, zero: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=MONEY_DIGITS, decimal_places=2,
        min_value=Decimal(0) if zero else Decimal("0.01"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )  # fmt: skip


def _code(label: Label, pattern: str, help_text: Label, datalist: str) -> forms.RegexField:
    return forms.RegexField(
        label=label, regex=rf"^(?:{pattern})$", max_length=12, help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": pattern,
                                      "list": datalist}),
    )  # fmt: skip


class AllocationForm(FundsForm):
    """Funds an office allocates (资金下达) from a region its posts give from."""

    from_region_code = forms.ChoiceField(label=_("下达单位"))
    to_region_code = _code(
        _("接收区划代码"),
        r"(\d{2}){1,3}",
        _("下级的省、市或县代码；与下达单位相同即为本级安排"),
        "receivers",
    )
    year = _year()
    source = forms.ChoiceField(label=_("资金来源"), choices=FundSource.choices)
    amount = _amount(_("金额（元）"))
    document_no = forms.CharField(label=_("下达文号"), max_length=100)
    allocated_on = _day(_("下达日期"))
    department = forms.CharField(
        label=_("行业部门"), max_length=50, required=False, help_text=_("仅行业部门涉农资金填写")
    )
    integrated = forms.BooleanField(label=_("纳入县级统筹整合"), required=False)

    def __init__(self, *args: Any, givers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_region_code"].choices = givers  # type: ignore[attr-defined]


class ProjectForm(FundsForm):
    """A project put into the county's project bank (项目库)."""

    region_code = _code(
        _("项目所在地代码"), r"\d{6}|\d{12}", _("村代码（12 位），全县性项目填县代码"), "places"
    )
    year = forms.IntegerField(label=_("项目年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    kind = forms.ChoiceField(label=_("项目类型"), choices=ProjectKind.choices)
    name = forms.CharField(label=_("项目名称"), max_length=200)
    budget = _amount(_("预算（元）"), zero=True)


class ProjectStepForm(FundsForm):
    """The next step of a project (批复, 开工, 完工, 验收), on the day it was taken."""

    to_status = forms.ChoiceField(label=_("推进到"))
    on = _day(_("日期"))
    reason = forms.CharField(label=_("说明（可选）"), max_length=200, required=False)

    def __init__(self, *args: Any, steps: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = steps  # type: ignore[attr-defined]


class BeneficiariesForm(FundsForm):
    """The households a project benefits, by their household numbers (户编号)."""

    household_nos = forms.CharField(
        label=_("受益户户编号"), help_text=_("每行一个，或用逗号、空格分隔"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def clean_household_nos(self) -> list[str]:
        numbers = sorted(
            {n for n in NUMBER_SEPARATORS.split(self.cleaned_data["household_nos"]) if n}
        )
        if not numbers:
            raise forms.ValidationError(_("请填写受益户的户编号。"))
        if len(numbers) > NUMBERS_MAX:
            raise forms.ValidationError(_("一次最多添加 %(n)s 户。") % {"n": NUMBERS_MAX})
        if any(len(number) > 32 for number in numbers):
            raise forms.ValidationError(_("户编号最多 32 位。"))
        return numbers


class PaymentForm(FundsForm):
    """A county's payment (资金支出): the funds' year and source, the amount, the day."""

    year = _year()
    source = forms.ChoiceField(label=_("资金来源"), choices=FundSource.choices)
    amount = _amount(_("金额（元）"))
    paid_on = _day(_("支付日期"))
    voucher_no = forms.CharField(label=_("凭证号（可选）"), max_length=50, required=False)


class HouseholdPaymentForm(PaymentForm):
    """A payment to a household, with the ledger measure it paid when there is one."""

    household_no = forms.CharField(label=_("户编号"), max_length=32)
    measure_id = forms.IntegerField(
        label=_("台账措施编号（可选）"), required=False, min_value=1, max_value=2**63 - 1,
        help_text=_("这笔支出兑现的帮扶措施"),
    )  # fmt: skip

    field_order = ["household_no", "measure_id", "year", "source", "amount", "paid_on",
                   "voucher_no"]  # fmt: skip
