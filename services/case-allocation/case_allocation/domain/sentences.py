"""Sentence rules: types, case types, mandate for change (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SENTENCE_TYPES = ("COMMUNITY_ORDER", "SUSPENDED_SENTENCE_ORDER", "CUSTODY")
REQUIREMENT_TYPES = ("RAR", "UPW", "DRR", "ATR", "MHTR", "CURFEW", "AAMR")
REQUIREMENT_UNITS = {
    "RAR": "DAYS",
    "UPW": "HOURS",
    "DRR": "MONTHS",
    "ATR": "MONTHS",
    "MHTR": "MONTHS",
    "CURFEW": "MONTHS",
    "AAMR": "DAYS",
}


def is_custodial(sentence_type: str) -> bool:
    return sentence_type == "CUSTODY"


def case_type(sentence_type: str, released: bool) -> str:
    if is_custodial(sentence_type):
        return "LICENCE" if released else "CUSTODY"
    return "COMMUNITY"


@dataclass(frozen=True)
class SentenceFacts:
    sentence_type: str
    active: bool
    active_requirement_types: tuple[str, ...] = ()


def mandate_for_change(sentences: Iterable[SentenceFacts]) -> bool:
    """A current custodial sentence, or a current community sentence with a requirement other than UPW."""
    for s in sentences:
        if not s.active:
            continue
        if is_custodial(s.sentence_type):
            return True
        if any(t != "UPW" for t in s.active_requirement_types):
            return True
    return False


def upw_only(sentence_type: str, active_requirement_types: Iterable[str]) -> bool:
    """Unpaid-work-only cases are exempt from the 50 active-risk-case limit."""
    types = set(active_requirement_types)
    return not is_custodial(sentence_type) and types == {"UPW"}
