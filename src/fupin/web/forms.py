"""Forms of the pages: the household search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from fupin.registry.choices import Category, Cause, HouseholdStatus

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _with_blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("全部")), *choices]


class HouseholdSearchForm(forms.Form):
    """Search and filters of the household list (农户查询); a field in error is ignored."""

    q = forms.CharField(
        label=_("查询"),
        required=False,
        max_length=50,
        strip=True,
        help_text=_("户主或成员姓名、身份证号（完整）或户编号"),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=_with_blank(HouseholdStatus.choices)
    )
    category = forms.ChoiceField(
        label=_("贫困户属性"), required=False, choices=_with_blank(Category.choices)
    )
    cause = forms.ChoiceField(
        label=_("主要致贫原因"), required=False, choices=_with_blank(Cause.choices)
    )
    year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=_("有该年度信息采集的农户"),
    )
    region = forms.CharField(
        label=_("地区代码"),
        required=False,
        max_length=12,
        validators=[RegexValidator(r"^[0-9]{1,12}$", _("地区代码只含数字，最多12位。"))],
        help_text=_("代码前缀，如 522727"),
    )

    def filters(self) -> dict[str, Any]:
        """The valid, non-empty filters (an invalid field is dropped, not an error page)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if value not in ("", None)}
