"""Domain rule violations, each naming the input field it is about (the API turns them into 422s)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    message: str
    code: str = "invalid"


class DomainError(Exception):
    """One or more inputs break a rule of the domain."""

    def __init__(self, code: str, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = errors or []

    @classmethod
    def on(cls, field_name: str, code: str, message: str) -> DomainError:
        return cls(code, message, [FieldError(field_name, message, code)])


@dataclass
class ErrorCollector:
    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(field_name, message, code))

    def raise_if_any(self, code: str, detail: str) -> None:
        if self.errors:
            raise DomainError(code, detail + ": " + ", ".join(e.field for e in self.errors), self.errors)
