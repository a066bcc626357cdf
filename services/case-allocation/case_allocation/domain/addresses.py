"""Where a new main address goes among the person's addresses (pure; docs/domain.md, "Addresses")."""

from __future__ import annotations

from datetime import date

from probation_shared.domain_error import DomainError, FieldError

REPLACE = "REPLACE"  # it becomes the main address; the current one ends the day it starts
PREVIOUS = "PREVIOUS"  # a back-dated address that ended before the current one began: history only


def place_main(new_start: date, new_end: date | None, current_start: date | None) -> str:
    """A main address starting on or after the current main address replaces it. One starting before it
    is back-dated: kept as a PREVIOUS address when it ended on or before the day the current one started;
    refused (422) otherwise, since it would end the current address before that address began."""
    if current_start is None or new_start >= current_start:
        return REPLACE
    if new_end is not None and new_end <= current_start:
        return PREVIOUS
    raise DomainError(
        "address-overlaps-main",
        f"This address starts before the current main address (from {current_start.isoformat()}) and does not "
        "end by then: give the end date it had, or end the current main address first.",
        [FieldError("start_date", f"before the current main address's start {current_start.isoformat()}")],
        status=422,
    )
