"""Limited-access offenders, honoured by every service: exclusions (403 for the named staff) and
restrictions (invisible, 404, to all but the named staff). case-allocation owns the limits; other
services ask it (`limited_access_client.enforce_for_staff`) before showing a person's data to probation staff."""

from __future__ import annotations

from collections.abc import Iterable

VISIBLE, EXCLUDED, HIDDEN = "VISIBLE", "EXCLUDED", "HIDDEN"
KINDS = ("RESTRICTION", "EXCLUSION")


def access_verdict(staff_code: str | None, is_service: bool, limits: Iterable[tuple[str, str]]) -> str:
    """`limits` are (kind, staff_code) rows for one person; kind RESTRICTION or EXCLUSION."""
    if is_service:
        return VISIBLE
    limits = list(limits)
    if staff_code and any(kind == "EXCLUSION" and code == staff_code for kind, code in limits):
        return EXCLUDED
    restricted_to = {code for kind, code in limits if kind == "RESTRICTION"}
    if restricted_to and staff_code not in restricted_to:
        return HIDDEN
    return VISIBLE
