"""Limited-access offenders, honoured by every service: exclusions (403 for the named staff) and
restrictions (invisible, 404, to all but the named staff). case-allocation owns the limits; other
services ask it (`enforce_for_staff`) before showing a person's data to probation staff."""

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


async def enforce_for_staff(session, principal, limits_url: str) -> None:
    """For a service that does not own the limits: raise 404 / 403 if this member of probation staff
    may not see the person whose limits are at `limits_url` (case-allocation's list of limits)."""
    from .errors import Problem, not_found
    from .http import service_http

    if not principal.is_probation_staff:
        return
    found = await service_http(session).get_json(limits_url)
    if found is None:
        return  # the owner has no record of the person, so nothing limits access to them
    verdict = access_verdict(principal.staff_code, False, [(row["kind"], row["staff_code"]) for row in found.get("limits", [])])
    if verdict == HIDDEN:
        raise not_found("person")
    if verdict == EXCLUDED:
        raise Problem(403, "excluded", "You are excluded from this person's record.")
