"""The forms of relocation's pages (易地扶贫搬迁), and what a refusal of the services says on
a page and which status answers it (the API answers alike).

The forms check only the shape of what is typed; every rule of the campaign is the
services' (`support.relocation.services`), whose refusal the page shows with nothing
written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.registry.choices import HousingGrade
from fupin.support.choices import RelocationJobKind
from fupin.support.pages import PlainForm, Refusals
from fupin.support.relocation.api import BAD_REQUEST_CODES, FORBIDDEN_CODES
from fupin.support.relocation.services import AREA_MAX, FIRST_YEAR

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    Label = str | StrPromise

LAST_YEAR = 2100
# A refusal's code -> what the page says before the service's own (English) reason.
REFUSALS = {
    "role_not_allowed": _("您的岗位不能办理这项操作。"),
    "region_invalid": _("任务只能下达到已有的省、市或县。"),
    "target_invalid": _("任务人数不能少于任务户数。"),
    "year_out_of_range": _("年度超出范围。"),
    "date_invalid": _("日期不对：不能晚于今天，也不能早于上一步。"),
    "not_on_register": _("只有在册的贫困户（含脱贫户）才能列入搬迁计划。"),
    "site_other_province": _("只能搬往本省的安置点。"),
    "persons_invalid": _("搬迁人数至少 1 人。"),
    "move_open": _("这户已经列入搬迁计划。"),
    "site_full": _("安置点已满。"),
    "area_invalid": _("住房面积不对。"),
    "grade_unknown": _("住房安全等级不对。"),
    "housing_not_guaranteed": _("新房未达到住房安全有保障（A 级或 B 级），不能交房。"),
    "step_invalid": _("搬迁进度不符，不能办理这一步。"),
    "kind_unknown": _("就业方式不对。"),
    "member_other_household": _("这名成员不属于这户。"),
    "employer_invalid": _("请填写就业单位，最多 100 字。"),
    "wage_invalid": _("月收入不对。"),
    "measure_invalid": _("帮扶台账不接受这项就业措施。"),
    "household_unknown": _("没有这个户编号。"),
}


REFUSED = Refusals(REFUSALS, FORBIDDEN_CODES, BAD_REQUEST_CODES | {"household_unknown"})
refusal_text = REFUSED.text
refusal_status = REFUSED.status


class RelocationForm(PlainForm):
    """A form of these pages."""


def _day(label: Label) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _count(label: Label, *, required: bool = True, least: int = 0) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=least, max_value=10**7, required=required,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip


def _year(label: Label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=FIRST_YEAR, max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip


class TargetForm(RelocationForm):
    """A region's relocation target for a year (年度搬迁任务)."""

    region_code = forms.RegexField(
        label=_("区划代码"), regex=r"^(?:\d{2}|\d{4}|\d{6})$", max_length=6,
        help_text=_("省、市或县的代码"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": r"\d{2}|\d{4}|\d{6}"}),
    )  # fmt: skip
    year = _year(_("计划年度"))
    households = _count(_("任务户数"))
    persons = _count(_("任务人数"))


class MovePlanForm(RelocationForm):
    """A household put into a year's relocation plan, bound for a site (搬迁计划)."""

    site = forms.TypedChoiceField(label=_("安置点"), coerce=int)
    plan_year = _year(_("计划年度"))
    persons = _count(_("搬迁人数（可选）"), required=False, least=1)
    planned_on = _day(_("计划日期"))

    def __init__(self, *args: Any, sites: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = sites  # type: ignore[attr-defined]
        self.fields["persons"].help_text = _("不填即按在册成员人数")


class SitePlanForm(RelocationForm):
    """A household put into the plan of this site, by its household number (户编号)."""

    household_no = forms.CharField(label=_("户编号"), max_length=32)
    plan_year = _year(_("计划年度"))
    persons = _count(_("搬迁人数（可选）"), required=False, least=1)
    planned_on = _day(_("计划日期"))


class HandOverForm(RelocationForm):
    """The new home handed over (交房): the day, its area and its housing grade."""

    handed_over_on = _day(_("交房日期"))
    home_area = forms.DecimalField(
        label=_("住房面积（㎡）"), max_digits=7, decimal_places=2, min_value=0,
        max_value=AREA_MAX, widget=forms.NumberInput(attrs={"inputmode": "decimal",
                                                            "step": "0.01"}),
    )  # fmt: skip
    home_grade = forms.ChoiceField(
        label=_("住房安全等级"), choices=HousingGrade.choices,
        help_text=_("A 级、B 级为住房安全有保障"),
    )  # fmt: skip


class MoveInForm(RelocationForm):
    """The day the household moved into its new home (搬迁入住)."""

    moved_on = _day(_("入住日期"))


class JobForm(RelocationForm):
    """A job a member of the moved household found (搬迁后就业)."""

    member = forms.TypedChoiceField(label=_("家庭成员"), coerce=int)
    kind = forms.ChoiceField(label=_("就业方式"), choices=RelocationJobKind.choices)
    employer = forms.CharField(label=_("就业单位"), max_length=100)
    started_on = _day(_("就业日期"))
    monthly_wage = forms.DecimalField(
        label=_("月收入（元，可选）"), required=False, max_digits=9, decimal_places=2,
        min_value=0, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )  # fmt: skip

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members  # type: ignore[attr-defined]
