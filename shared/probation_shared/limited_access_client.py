"""How a service that does not own the limits applies them: it asks case-allocation (HTTP, service token)."""

from __future__ import annotations

from .errors import Problem, not_found
from .http import service_http
from .limited_access import EXCLUDED, HIDDEN, access_verdict


async def enforce_for_staff(session, principal, limits_url: str) -> None:
    """For a service that does not own the limits: raise 404 / 403 if this member of probation staff
    may not see the person whose limits are at `limits_url` (case-allocation's list of limits)."""
    if not principal.is_probation_staff:
        return
    found = await service_http(session).get_json(limits_url)
    if found is None:
        return  # the owner has no record of the person, so nothing limits access to them
    verdict = access_verdict(
        principal.staff_code, False, [(row["kind"], row["staff_code"]) for row in found.get("limits", [])]
    )
    if verdict == HIDDEN:
        raise not_found("person")
    if verdict == EXCLUDED:
        raise Problem(403, "excluded", "You are excluded from this person's record.")
