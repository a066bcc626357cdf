"""One declarative policy: role x data class -> visible / masked / removed.

Response models mark their fields with `Classified(DataClass.X)` inside `Annotated`; event payloads
and plain dicts use the same nested spec. `redact` applies the policy for the caller's roles; where a
caller holds several roles the most permissive verdict wins.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Union

from pydantic import BaseModel

from .auth import Role


class DataClass(str, enum.Enum):
    IDENTITY = "identity"
    CONTACT_DETAILS = "contact_details"
    OFFENCE = "offence"
    SENTENCE = "sentence"
    RISK_LEVELS = "risk_levels"
    RISK_NARRATIVE = "risk_narrative"
    VICTIM_DETAILS = "victim_details"
    HEALTH = "health"  # special category data
    PROVIDER_UPDATES = "provider_updates"
    SAFEGUARDING = "safeguarding"


class Visibility(enum.IntEnum):
    # Ordered so that max() is the most permissive verdict.
    REMOVED = 0
    MASKED = 1
    VISIBLE = 2


V, M, R = Visibility.VISIBLE, Visibility.MASKED, Visibility.REMOVED
D = DataClass

_ALL_VISIBLE = {dc: V for dc in DataClass}

POLICY: Mapping[Role, Mapping[DataClass, Visibility]] = {
    Role.PRACTITIONER: _ALL_VISIBLE,
    Role.SENIOR_PROBATION_OFFICER: _ALL_VISIBLE,
    Role.PRISON_OFFENDER_MANAGER: _ALL_VISIBLE,
    Role.SERVICE: _ALL_VISIBLE,
    # Providers deliver services: they need to reach the person and understand the risk, never the victims.
    Role.PROVIDER_CASEWORKER: {
        D.IDENTITY: V, D.CONTACT_DETAILS: V, D.OFFENCE: R, D.SENTENCE: V, D.RISK_LEVELS: V,
        D.RISK_NARRATIVE: V, D.VICTIM_DETAILS: R, D.HEALTH: R, D.PROVIDER_UPDATES: V, D.SAFEGUARDING: R,
    },
    # IOM / MAPPA partners: who the person is and how risky, not the assessment behind it.
    Role.POLICE_PARTNER: {
        D.IDENTITY: V, D.CONTACT_DETAILS: V, D.OFFENCE: V, D.SENTENCE: V, D.RISK_LEVELS: V,
        D.RISK_NARRATIVE: R, D.VICTIM_DETAILS: R, D.HEALTH: R, D.PROVIDER_UPDATES: R, D.SAFEGUARDING: R,
    },
    # Commissioners see aggregates only.
    Role.COMMISSIONER: {dc: R for dc in DataClass},
    # Auditors can tell what was recorded without reading the sensitive content.
    Role.AUDITOR: {dc: (V if dc is D.IDENTITY else M) for dc in DataClass},
    Role.OPERATOR: {dc: R for dc in DataClass},
}

MASK = "***"


@dataclass(frozen=True)
class Classified:
    """Field marker: `name: Annotated[str, Classified(DataClass.CONTACT_DETAILS)]`."""

    data_class: DataClass


# A spec maps a field name to a DataClass (the whole value), or to a nested spec (for a nested
# object or a list of objects). Fields absent from a spec are operational metadata, always visible.
Spec = Mapping[str, "DataClass | Spec"]


def visibility(roles: Iterable[Role], data_class: DataClass) -> Visibility:
    return max((POLICY.get(role, {}).get(data_class, R) for role in roles), default=R)


def mask(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [MASK for _ in value]
    if isinstance(value, dict):
        return {k: MASK for k in value}
    return MASK


def redact_data(data: Any, spec: Spec, roles: Iterable[Role]) -> Any:
    """Apply the policy to plain data (dicts and lists of dicts) described by `spec`."""
    roles = frozenset(roles)
    return _apply(data, spec, roles)


def _apply(data: Any, spec: Spec, roles: frozenset[Role]) -> Any:
    if isinstance(data, list):
        return [_apply(item, spec, roles) for item in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        rule = spec.get(key)
        if rule is None:
            out[key] = value
        elif isinstance(rule, DataClass):
            verdict = visibility(roles, rule)
            if verdict is Visibility.VISIBLE:
                out[key] = value
            elif verdict is Visibility.MASKED:
                out[key] = mask(value)
        else:
            out[key] = _apply(value, rule, roles)
    return out


def redact(model: BaseModel, roles: Iterable[Role]) -> dict[str, Any]:
    """Dump a response model to JSON-ready data with the policy applied for `roles`."""
    return redact_data(model.model_dump(mode="json", by_alias=True), spec_for(type(model)), roles)


@cache
def spec_for(model: type[BaseModel]) -> Spec:
    """Derive the nested spec from a model's `Classified` annotations (cached per model)."""
    spec: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        marker = next((m for m in info.metadata if isinstance(m, Classified)), None)
        if marker:
            spec[key] = marker.data_class
            continue
        nested = _nested_model(info.annotation)
        if nested is not None:
            sub = spec_for(nested)
            if sub:
                spec[key] = sub
    return spec


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset, Union, types.UnionType) or origin is not None:
        for arg in typing.get_args(annotation):
            found = _nested_model(arg)
            if found is not None:
                return found
    return None


def redacted_response(model: BaseModel, roles: Iterable[Role], status_code: int = 200, headers: dict[str, str] | None = None):
    """A JSON response of `model` with the policy applied (bypasses response-model validation,
    which would otherwise reject a body with fields removed)."""
    from fastapi.responses import JSONResponse

    return JSONResponse(redact(model, roles), status_code=status_code, headers=headers)
