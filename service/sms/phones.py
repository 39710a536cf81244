"""Mainland mobile numbers: which numbers can take an SMS, and how a log shows one."""

import re

# 11 digits from 13x to 19x: the form the complaint stores (service/complaints/form.py
# `normalised_phone` strips +86, spaces and dashes). A landline (0577-…) takes no SMS.
MOBILE = re.compile(r"1[3-9]\d{9}")
VISIBLE_TAIL = 4  # enough to match a worker's "I got nothing" to a log line
MALFORMED_VISIBLE_TAIL = 2


def is_mobile(number: str) -> bool:
    return isinstance(number, str) and MOBILE.fullmatch(number) is not None


def mask_phone(number: str) -> str:
    """`*******5678` for a mobile number; anything else keeps only its last 2 characters.
    Logs never hold a whole number: the number says who complained."""
    text = number if isinstance(number, str) else ""
    visible = VISIBLE_TAIL if is_mobile(text) else min(MALFORMED_VISIBLE_TAIL, len(text))
    return "*" * (len(text) - visible) + text[len(text) - visible :]
