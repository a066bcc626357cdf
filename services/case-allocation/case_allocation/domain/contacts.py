"""Contact types and the rules on recording an outcome (pure functions)."""

from __future__ import annotations

from datetime import date

from probation_shared.domain_error import DomainError, FieldError

CONTACT_TYPES = {  # type → face to face
    "OFFICE_APPOINTMENT": True,
    "HOME_VISIT": True,
    "PROGRAMME_SESSION": True,
    "PHONE": False,
    "VIDEO": False,
    "EMAIL_OR_TEXT": False,
    # Booked by resettlement for the first weeks after release (resettlement.enhanced-support.scheduled),
    # not through POST /contacts.
    "ENHANCED_SUPPORT": True,
}


def check_outcome(contact_date: date, outcome: str | None, today: date) -> None:
    """An outcome can be recorded only for a contact that has happened (today or before)."""
    if outcome and contact_date > today:
        raise DomainError(
            "outcome-in-future",
            "An outcome cannot be recorded for a contact that has not happened yet.",
            [FieldError("outcome", "contact is in the future")],
            status=422,
        )
