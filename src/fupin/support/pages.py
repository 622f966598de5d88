"""What the support app's pages share: forms without a colon after the labels, a refusal
said in Chinese with the status the API gives it, and the year a page reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import timezone

FIRST_YEAR = 2013


class PlainForm(forms.Form):
    """A form of these pages: no colon after the labels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class Refusals:
    """How a service's refusals (an error with a stable `code`) read on a page: the reason in
    Chinese by code, and the status: 403 for the post, 400 for what the form says, 409 for
    the state of things."""

    reasons: Mapping[str, Any]
    forbidden: frozenset[str]
    bad_request: frozenset[str] = frozenset()
    state: frozenset[str] | None = None  # given: these 409, any other 400

    def text(self, refused: Exception) -> str:
        """The reason in Chinese, then the service's own words."""
        lead = self.reasons.get(str(getattr(refused, "code", "")))
        return f"{lead}（{refused}）" if lead else str(refused)

    def status(self, refused: Exception) -> int:
        code = str(getattr(refused, "code", ""))
        if code in self.forbidden:
            return 403
        if self.state is not None:
            return 409 if code in self.state else 400
        return 400 if code in self.bad_request else 409


def page_year(request: HttpRequest, *, ahead: int = 0) -> int:
    """The `year` a page is asked for (from the campaign's first year to this year plus
    `ahead`), this year by default."""
    this_year = timezone.localdate().year
    text = request.GET.get("year", "")
    return (
        int(text) if text.isdigit() and FIRST_YEAR <= int(text) <= this_year + ahead else this_year
    )
