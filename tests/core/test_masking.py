"""Masking ID numbers, phones, bank accounts and names for public display."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.core.masking import mask_bank_account, mask_id_number, mask_name, mask_phone

DIGITS = "0123456789"
ID18 = st.tuples(st.text(DIGITS, min_size=17, max_size=17), st.sampled_from(DIGITS + "X")).map(
    "".join
)
ID15 = st.text(DIGITS, min_size=15, max_size=15)
MOBILE = st.tuples(st.sampled_from("3456789"), st.text(DIGITS, min_size=9, max_size=9)).map(
    lambda parts: "1" + "".join(parts)
)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("52272719800101123X", "522727********123X"),
        ("522727800101123", "522727*****1123"),
        (" 52272719800101123X ", "522727********123X"),
        ("", ""),
        (None, ""),
        ("1234", "****"),
    ],
)
def test_mask_id_number_examples(raw: str | None, masked: str) -> None:
    assert mask_id_number(raw) == masked


@given(number=st.one_of(ID18, ID15), other_middle=st.text(DIGITS, min_size=8, max_size=8))
def test_mask_id_number_hides_the_middle_and_keeps_the_length(
    number: str, other_middle: str
) -> None:
    # given: another ID that differs from `number` only in the hidden middle
    hidden = number[6:-4]
    other = number[:6] + other_middle[: len(hidden)] + number[-4:]

    # when
    masked = mask_id_number(number)

    # then
    assert len(masked) == len(number)
    assert masked == number[:6] + "*" * len(hidden) + number[-4:]
    assert mask_id_number(other) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+8613800000000", "138****0000"),
        ("0854-7221234", "*******1234"),
        ("110", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_examples(raw: str | None, masked: str) -> None:
    assert mask_phone(raw) == masked


@given(number=MOBILE)
def test_mask_phone_hides_the_middle_four_digits_of_a_mobile(number: str) -> None:
    masked = mask_phone(number)

    assert masked == number[:3] + "****" + number[-4:]
    assert number not in masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("6228480402564890018", "**** **** 0018"),
        ("6228 4804 0256 4890 018", "**** **** 0018"),
        ("123", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_bank_account_examples(raw: str | None, masked: str) -> None:
    assert mask_bank_account(raw) == masked


@given(account=st.text(DIGITS, min_size=5, max_size=30))
def test_mask_bank_account_shows_only_the_last_four_digits(account: str) -> None:
    masked = mask_bank_account(account)

    assert masked == "**** **** " + account[-4:]
    assert sum(char.isdigit() for char in masked) == 4


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三", "张*"),
        ("王小明", "王**"),
        ("欧阳小明", "欧***"),
        ("阿依古丽·买买提", "阿***·***"),
        ("李", "李"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name_examples(raw: str | None, masked: str) -> None:
    assert mask_name(raw) == masked


@given(name=st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1))
def test_mask_name_keeps_the_first_character_only(name: str) -> None:
    masked = mask_name(name)

    assert len(masked) == len(name)
    assert masked[0] == name[0]
    assert set(masked[1:]) <= {"*"}
