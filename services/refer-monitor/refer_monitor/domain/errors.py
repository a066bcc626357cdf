"""refer-monitor's errors are the shared error model (`probation_shared.domain_error`): framework-free,
rendered as problem+json at the edge. Field errors render as refer-monitor's clients have always read them,
`{field, message}`: `field_error` makes the shared `FieldError` without a code (the body then names none)."""

from __future__ import annotations

from probation_shared.domain_error import DomainError, FieldError

__all__ = ["DomainError", "FieldError", "field_error", "not_found"]


def field_error(field: str, message: str, code: str | None = None) -> FieldError:
    return FieldError(field, message, code)


def not_found(what: str = "resource") -> DomainError:
    """404 with the same body `probation_shared.errors.not_found` gives."""
    return DomainError("not-found", f"No such {what}.", status=404)
