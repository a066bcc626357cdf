"""The one error model: a typed error with a stable code, an HTTP status and the fields it is about.

Domain rules and workflows raise `DomainError` (this module imports no framework, so `domain/` may use it);
the edge renders it as RFC 9457 problem+json (`errors.install_error_handlers`). `errors.Problem` is the
same error with the extras only an HTTP layer has (headers, a title).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One broken rule on one field. `code=None`: a field error whose body names no code (`{field, message}`,
    the shape refer-monitor's clients read)."""

    field: str
    message: str
    code: str | None = "invalid"

    def as_dict(self) -> dict[str, Any]:
        body = {"field": self.field, "message": self.message}
        return body if self.code is None else body | {"code": self.code}


class DomainError(Exception):
    """One or more inputs break a rule. `status` is the HTTP status the edge answers with (422 unless the
    rule says otherwise: 404 not found, 409 conflict with the current state, 403 not allowed)."""

    def __init__(
        self, code: str, detail: str | None = None, errors: list[FieldError] | None = None, *, status: int = 422
    ) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.status = status
        self.field_errors = list(errors or [])

    @property
    def errors(self) -> list[dict[str, Any]] | None:
        return [e.as_dict() for e in self.field_errors] or None

    @classmethod
    def on(cls, field_name: str, code: str, message: str, *, status: int = 422) -> DomainError:
        return cls(code, message, [FieldError(field_name, message, code)], status=status)


@dataclass
class ErrorCollector:
    """Gathers every broken rule of one input before raising, so the caller sees them all at once."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(field_name, message, code))

    def raise_if_any(self, code: str, detail: str, *, status: int = 422) -> None:
        if self.errors:
            raise DomainError(code, detail + ": " + ", ".join(e.field for e in self.errors), self.errors, status=status)
