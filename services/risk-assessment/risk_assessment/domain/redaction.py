"""Scrubbing victim-identifying strings out of free text shown to audiences that must not see them.

Victim details live in their own classified part of the record and provider views have no victim
fields at all; this is the second line: a practitioner may still have typed a victim's name or
address into the narrative.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REPLACEMENT = "[redacted]"
_MIN_TOKEN = 3


def identifying_strings(victims: Iterable[dict]) -> list[str]:
    """Each victim's name, address and relationship, whole and in meaningful parts."""
    found: set[str] = set()
    for victim in victims:
        for key in ("name", "address", "relationship"):
            value = (victim.get(key) or "").strip()
            if not value:
                continue
            found.add(value)
            for part in re.split(r"[,\n]", value):
                part = part.strip()
                if len(part) >= _MIN_TOKEN:
                    found.add(part)
            if key == "name":
                found.update(t for t in value.split() if len(t) >= _MIN_TOKEN)
    return sorted(found, key=len, reverse=True)


def scrub(text: str | None, strings: list[str]) -> str | None:
    if not text or not strings:
        return text
    pattern = re.compile("|".join(re.escape(s) for s in strings), re.IGNORECASE)
    return pattern.sub(REPLACEMENT, text)
