"""The errors refer-monitor's rules raise: the shared `DomainError` (framework-free).

They are rendered as problem+json at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from probation_shared import domain_error
from probation_shared.domain_error import DomainError

__all__ = ["DomainError", "FieldError", "not_found"]


@dataclass(frozen=True)
class FieldError(domain_error.FieldError):
    """The shared field error, rendered as refer-monitor's clients have always read it: `{field, message}`
    (the `code` stays on the object but is not added to the response body)."""

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message}


def not_found(what: str = "resource") -> DomainError:
    """404 with the same body `probation_shared.errors.not_found` gives."""
    return DomainError("not-found", f"No such {what}.", status=404)
