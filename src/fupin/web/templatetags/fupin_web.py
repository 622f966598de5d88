"""Template filters of the pages: counts and rates as the dashboard shows them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from fupin.core.access import user_prefixes
from fupin.core.choices import Role
from fupin.core.rules import AUDITORS
from fupin.web.charts import integer_text, percent_text

register = template.Library()


@register.filter
def may_audit(user: Any) -> bool:
    """Whether the user holds a post that reads the audit log."""
    return bool(user_prefixes(user if user.is_authenticated else None, AUDITORS))


@register.filter
def may_read_funds(user: Any) -> bool:
    """Whether the user holds a post that reads the funds of a county or a wider region
    (the funds pages' own rule, `support.funds.queries`)."""
    from fupin.support.funds.queries import FUND_LEVELS
    from fupin.support.models import Allocation

    prefixes = user_prefixes(user if user.is_authenticated else None, Allocation.ACCESS.view)
    return any(len(prefix) in FUND_LEVELS for prefix in prefixes)


@register.filter
def is_paired_cadre(user: Any) -> bool:
    """Whether the user answers for households as a paired cadre (帮扶责任人)."""
    return bool(user_prefixes(user if user.is_authenticated else None, {Role.PAIRED_CADRE}))


@register.filter
def count(value: int | float | Decimal | None) -> str:
    """A count with thousands separators; a dash for none."""
    return "—" if value is None else integer_text(float(value))


@register.filter
def rate(value: float | Decimal | None) -> str:
    """A ratio as a percentage to one place (0.0123 -> 1.2%); a dash for none."""
    return "—" if value is None else percent_text(float(value))


@register.filter
def rate2(value: float | Decimal | None) -> str:
    """A ratio as a percentage to two places (0.0123 -> 1.23%); a dash for none."""
    return "—" if value is None else f"{float(value) * 100:.2f}%"
