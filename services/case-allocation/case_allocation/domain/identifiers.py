"""Case reference numbers: one capital letter and six digits, e.g. X123456."""

from __future__ import annotations

import re
import secrets
import string

CRN_PATTERN = re.compile(r"^[A-Z][0-9]{6}$")
NOMS_PATTERN = re.compile(r"^[A-Z][0-9]{4}[A-Z]{2}$")


def random_crn() -> str:
    return secrets.choice(string.ascii_uppercase) + f"{secrets.randbelow(1_000_000):06d}"


def is_crn(value: str) -> bool:
    return bool(CRN_PATTERN.match(value))
