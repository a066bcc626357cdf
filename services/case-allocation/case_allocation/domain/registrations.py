"""Registration (flag) rules: the register types and their categories, MAPPA level and category, and
which existing registration a new one replaces (pure functions)."""

from __future__ import annotations

from probation_shared.domain_error import DomainError, FieldError

ROSH_CODES = ("RVHR", "RHRH", "RMRH", "RLRH")
COMPLEXITY_CODES = ("RMDO", "ALSH", "RVLN", "RCCO", "RCPR", "RCHD", "RPIR", "RVAD", "STRG", "RTAO")
CATEGORIES: dict[str, str] = {
    **{c: "ROSH" for c in ROSH_CODES},
    "MAPP": "MAPPA",
    "ADVP": "DOMESTIC_ABUSE",
    "SPO": "STALKING",
    "IIOM": "IOM",
    "INLL": "LIFER",
    "PRC": "UNSUPERVISED",
    **{c: "COMPLEXITY" for c in COMPLEXITY_CODES if c != "RCPR"},
    "RCPR": "CHILD_PROTECTION",
}
MAPPA_LEVELS = ("M1", "M2", "M3")
MAPPA_CATEGORIES = ("M1", "M2", "M3", "M4")


def validate(type_code: str, level: str | None, category: str | None) -> None:
    errors = []
    if type_code not in CATEGORIES:
        errors.append(FieldError("type_code", f"unknown register type; one of {', '.join(sorted(CATEGORIES))}"))
    if type_code == "MAPP":
        if level not in MAPPA_LEVELS:
            errors.append(FieldError("level", "MAPPA level must be M1, M2 or M3"))
        if category not in MAPPA_CATEGORIES:
            errors.append(FieldError("category", "MAPPA category must be M1, M2, M3 or M4"))
    if errors:
        raise DomainError("invalid-registration", "The registration is not valid.", errors, status=422)


def replaces(new_type_code: str, old_type_code: str) -> bool:
    """One RoSH level at a time, and one registration of a type: the new one replaces the old."""
    return old_type_code == new_type_code or (new_type_code in ROSH_CODES and old_type_code in ROSH_CODES)
