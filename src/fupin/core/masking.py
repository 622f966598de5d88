"""Masking personal data (个人信息去标识化) for anything shown to the public or printed.

Pure functions, no Django: one string in, one string out, '' for empty or None. The
kept parts follow the common display practice for Chinese identifiers: an ID number
keeps its address code and its last four characters, a mobile number its network
prefix and last four digits, a bank account and any other number only its last four.
No PyPI package fits: those found are large PII-detection engines or new one-person
projects, and these rules are a few lines each.
"""

from __future__ import annotations

import re

MASK = "*"
# A mobile number (11 digits from 1) after an optional country code 86, +86 or 0086.
_MOBILE = re.compile(r"(?:\+?86|0086)?(1\d{10})")
_SEPARATORS = re.compile(r"[\s\-()（）]")
# Kept in a masked name so that multi-part names stay readable: 阿依古丽·买买提 -> 阿***·***.
_NAME_SEPARATORS = frozenset(" ·•‧・")


def _keep_last(compact: str, *, keep: int) -> str:
    if len(compact) <= keep:
        return MASK * len(compact)
    return MASK * (len(compact) - keep) + compact[-keep:]


def mask_id_number(value: str | None) -> str:
    """Mask a resident ID, keeping the 6-digit address code and the last 4: 522727********123X."""
    number = (value or "").strip()
    if len(number) <= 10:
        return MASK * len(number)
    return number[:6] + MASK * (len(number) - 10) + number[-4:]


def mask_phone(value: str | None) -> str:
    """Mask a phone number: a mobile keeps 3 + 4 digits (138****5678), any other the last 4."""
    compact = _SEPARATORS.sub("", value or "")
    mobile = _MOBILE.fullmatch(compact)
    if mobile:
        digits = mobile.group(1)
        return digits[:3] + MASK * 4 + digits[-4:]
    return _keep_last(compact, keep=4)


def mask_bank_account(value: str | None) -> str:
    """Mask a bank account to its last 4 digits, hiding its length: **** **** 1234."""
    compact = _SEPARATORS.sub("", value or "")
    if not compact:
        return ""
    if len(compact) <= 4:
        return MASK * 4
    return f"{MASK * 4} {MASK * 4} {compact[-4:]}"


def mask_name(value: str | None) -> str:
    """Mask a name after its first character: 张三 -> 张*, 欧阳小明 -> 欧***."""
    name = (value or "").strip()
    return name[:1] + "".join(char if char in _NAME_SEPARATORS else MASK for char in name[1:])
