"""Helpers shared by management commands: the operator as actor, parsing, printing."""

from __future__ import annotations

import argparse
import getpass
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import CommandError

from fupin.core.audit import Actor

BAD_INPUT = 2


def operator_actor() -> Actor:
    """The OS user running a CLI command, as the audit actor."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(None, f"cli:{name}")


def user_actor(username: str) -> Actor:
    """The named user as the actor of a command that acts for a post (`--as USERNAME`)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--as: no active user {username!r}", returncode=BAD_INPUT)
    return Actor.of(user)


def parse_year_range(text: str) -> tuple[int, int]:
    """'2014-2020' → (2014, 2020); '2016' → (2016, 2016)."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", text)
    if not match:
        raise CommandError(f"years must look like 2014-2020, not {text!r}", returncode=BAD_INPUT)
    first, last = int(match[1]), int(match[2] or match[1])
    if last < first:
        raise CommandError(f"year range runs backwards: {text!r}", returncode=BAD_INPUT)
    return first, last


def day_argument(text: str) -> date:
    """An option's date as YYYY-MM-DD (an argparse `type`)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date looks like 2016-11-20, not {text!r}") from None


def decimal_argument(text: str) -> Decimal:
    """An option's exact number, such as an amount in yuan (an argparse `type`)."""
    try:
        return Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"a number, not {text!r}") from None


def share_text(value: float | None) -> str:
    """A share as a percentage with one decimal, or a dash when there is none."""
    return "—" if value is None else f"{value:.1%}"
