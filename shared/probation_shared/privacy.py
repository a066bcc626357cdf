"""One declarative policy, applied by allow-list to everything that leaves a service (pure: pydantic only,
so domain code may use it; `redaction` adds what the HTTP edge needs).

Every field of a model that leaves a service (a response, a detail document, an event contract, a partner
notification) carries a data class: `Annotated[str, Classified(DataClass.CONTACT_DETAILS)]`. A field whose
type is itself an `Outbound` model is classified by that model's own fields. A field with neither is an
error when the model is checked (at start-up and in the tests), never a pass-through.

`Outbound` models cannot be serialised without an audience: `render(model, audience)` is the only way out,
and it applies the policy on the way. `explain(model, audience)` gives the same verdicts with the reason
each withheld field is withheld (for previews). Where an audience holds several roles the most permissive
verdict wins. Plain dicts (stored provider views, legacy payloads) go through `redact_data` with a spec:
keys the spec does not name are dropped.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Union

from pydantic import BaseModel, SerializationInfo, SerializerFunctionWrapHandler, model_serializer

from .roles import Role

_CONTEXT_KEY = "probation_audience"


class DataClass(str, enum.Enum):
    REFERENCE = "reference"  # identifiers, codes, statuses, timestamps: what a caller needs to refer to a record
    IDENTITY = "identity"
    CONTACT_DETAILS = "contact_details"
    OFFENCE = "offence"
    SENTENCE = "sentence"
    RISK_LEVELS = "risk_levels"
    RISK_NARRATIVE = "risk_narrative"
    VICTIM_DETAILS = "victim_details"
    HEALTH = "health"  # special category data: risk to self, mental and physical health, medication, substance use
    PROVIDER_UPDATES = "provider_updates"
    SAFEGUARDING = "safeguarding"
    STAFF = "staff"  # practitioners' names and work contact details


class Visibility(enum.IntEnum):
    # Ordered so that max() is the most permissive verdict.
    REMOVED = 0
    MASKED = 1
    WITH_CONSENT = 2  # visible only where the person has consented to this audience seeing it
    VISIBLE = 3


V, M, R, C = Visibility.VISIBLE, Visibility.MASKED, Visibility.REMOVED, Visibility.WITH_CONSENT
D = DataClass

_ALL_VISIBLE = {dc: V for dc in DataClass}

POLICY: Mapping[Role, Mapping[DataClass, Visibility]] = {
    Role.PRACTITIONER: _ALL_VISIBLE,
    Role.SENIOR_PROBATION_OFFICER: _ALL_VISIBLE,
    Role.PRISON_OFFENDER_MANAGER: _ALL_VISIBLE,
    Role.SERVICE: _ALL_VISIBLE,
    # Providers deliver services: they need to reach the person and understand the risk, never the victims;
    # health only with the person's consent for that provider.
    Role.PROVIDER_CASEWORKER: {
        D.REFERENCE: V,
        D.IDENTITY: V,
        D.CONTACT_DETAILS: V,
        D.OFFENCE: R,
        D.SENTENCE: V,
        D.RISK_LEVELS: V,
        D.RISK_NARRATIVE: V,
        D.VICTIM_DETAILS: R,
        D.HEALTH: C,
        D.PROVIDER_UPDATES: V,
        D.SAFEGUARDING: R,
        D.STAFF: V,
    },
    # IOM / MAPPA partners: who the person is and how risky, not the assessment behind it.
    Role.POLICE_PARTNER: {
        D.REFERENCE: V,
        D.IDENTITY: V,
        D.CONTACT_DETAILS: V,
        D.OFFENCE: V,
        D.SENTENCE: V,
        D.RISK_LEVELS: V,
        D.RISK_NARRATIVE: R,
        D.VICTIM_DETAILS: R,
        D.HEALTH: R,
        D.PROVIDER_UPDATES: R,
        D.SAFEGUARDING: R,
        D.STAFF: V,
    },
    # Commissioners see aggregates only.
    Role.COMMISSIONER: {dc: (V if dc is D.REFERENCE else R) for dc in DataClass},
    # Auditors can tell what was recorded, and about whom, without reading the sensitive content.
    Role.AUDITOR: {dc: (V if dc in (D.REFERENCE, D.IDENTITY, D.STAFF) else M) for dc in DataClass},
    Role.OPERATOR: {dc: (V if dc is D.REFERENCE else R) for dc in DataClass},
    # Manages limited-access lists: who the person is and which staff are named, nothing of the case.
    Role.LIMITED_ACCESS_ADMIN: {dc: (V if dc in (D.REFERENCE, D.IDENTITY, D.STAFF) else R) for dc in DataClass},
    # The person on probation, reading what is about them (their own record only: scope checked by the service).
    Role.PERSON_ON_PROBATION: {
        dc: (V if dc in (D.REFERENCE, D.IDENTITY, D.CONTACT_DETAILS, D.SENTENCE, D.STAFF, D.HEALTH) else R)
        for dc in DataClass
    },
}

MASK = "***"


class UnclassifiedField(TypeError):
    """A field of an outbound model carries no data class, so it could not be allowed out."""


class UnrenderedOutput(RuntimeError):
    """An outbound model was serialised without an audience: only `render` may let it out."""


@dataclass(frozen=True)
class Classified:
    """Field marker: `name: Annotated[str, Classified(DataClass.CONTACT_DETAILS)]`."""

    data_class: DataClass


@dataclass(frozen=True)
class Audience:
    """Who will read the output: their roles, and the data classes the person has consented to them seeing."""

    roles: frozenset[Role]
    consents: frozenset[DataClass] = frozenset()

    @classmethod
    def of(cls, roles: Audience | Iterable[Role], consents: Iterable[DataClass] = ()) -> Audience:
        if isinstance(roles, Audience):
            return roles if not consents else cls(roles.roles, roles.consents | frozenset(consents))
        return cls(frozenset(roles), frozenset(consents))


SERVICE_AUDIENCE = Audience(frozenset({Role.SERVICE}))


def visibility(roles: Audience | Iterable[Role], data_class: DataClass) -> Visibility:
    """The verdict for one data class; WITH_CONSENT resolves to VISIBLE or REMOVED by the audience's consents."""
    return decide(Audience.of(roles), data_class)[0]


@cache  # a pure function of a frozen audience and a data class; asked for every field of every response
def decide(audience: Audience, data_class: DataClass) -> tuple[Visibility, str]:
    """(verdict, reason): VISIBLE / MASKED / REMOVED, and why — `policy`, `consent-missing` or `visible`."""
    best, reason = R, "policy"
    for role in audience.roles:
        rule = POLICY.get(role, {}).get(data_class, R)
        if rule is C:
            rule, why = (V, "consented") if data_class in audience.consents else (R, "consent-missing")
        else:
            why = "policy"
        if rule > best or (rule == best and why == "consent-missing"):
            best, reason = rule, why
    return best, ("visible" if best is V else reason)


def mask(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [MASK for _ in value]
    if isinstance(value, dict):
        return {k: MASK for k in value}
    return MASK


# --- outbound models ------------------------------------------------------------------------------


class Outbound(BaseModel):
    """Base of every model that leaves a service. Serialising one needs an audience (`render`)."""

    @model_serializer(mode="wrap")
    def _render_for_audience(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        context = info.context or {}
        audience = context.get(_CONTEXT_KEY)
        if audience is None:
            raise UnrenderedOutput(f"{type(self).__name__} can leave only through render(model, audience)")
        data = handler(self)
        removed, masked = _withheld(type(self), audience)
        if not removed and not masked:  # the common case: everything this model holds is for this audience
            return data
        return {k: (mask(v) if k in masked else v) for k, v in data.items() if k not in removed}


@lru_cache(maxsize=4096)  # per model and audience: a few dozen of each; asked for every model rendered
def _withheld(model: type[BaseModel], audience: Audience) -> tuple[frozenset[str], frozenset[str]]:
    """The serialised names of `model`'s fields that `audience` may not see (removed) and sees masked.
    Nested outbound models are neither: each is rendered by its own serializer."""
    verdicts = {key: decide(audience, rule)[0] for key, rule in classes_of(model).items() if rule is not None}
    return (
        frozenset(k for k, v in verdicts.items() if v is R),
        frozenset(k for k, v in verdicts.items() if v is M),
    )


def render(model: BaseModel | Sequence[BaseModel], audience: Audience | Iterable[Role]) -> Any:
    """JSON-ready data of an outbound model (or list of them) with the policy applied for `audience`."""
    context = {_CONTEXT_KEY: Audience.of(audience)}
    for item in [model] if isinstance(model, BaseModel) else model:
        classes_of(type(item))  # a model that is not outbound, or not fully classified, never leaves
    if isinstance(model, BaseModel):
        return model.model_dump(mode="json", by_alias=True, context=context)
    return [m.model_dump(mode="json", by_alias=True, context=context) for m in model]


def render_json(model: BaseModel | Sequence[BaseModel], audience: Audience | Iterable[Role]) -> bytes:
    """`render` straight to JSON bytes: pydantic serialises once, with no dict in between to encode again."""
    context = {_CONTEXT_KEY: Audience.of(audience)}
    if not isinstance(model, BaseModel):
        for item in model:
            classes_of(type(item))
        return b"[" + b",".join(m.model_dump_json(by_alias=True, context=context).encode() for m in model) + b"]"
    classes_of(type(model))
    return model.model_dump_json(by_alias=True, context=context).encode()


def render_rows_json(
    model: type[BaseModel], rows: Sequence[Mapping[str, Any]], audience: Audience | Iterable[Role]
) -> bytes:
    """`render_json([model.model_validate(row) for row in rows], audience)`, the same bytes, for a list page.

    Each row holds every field of `model`, by its serialised name. For a flat outbound model (every
    field classified, no nested model, no validators or serializers of its own) the rows are validated
    against the model's fields and the page is serialised in one call into pydantic's core, with the
    policy's verdicts applied per field rather than per row; any other model takes the general path.
    """
    classes_of(model)  # a model that is not outbound, or not fully classified, never leaves
    plan = _flat_plan(model)
    if plan is None:
        return render_json([model.model_validate(row) for row in rows], audience)
    audience = Audience.of(audience)
    validated = plan.validator.validate_python(rows)
    verdicts = tuple(decide(audience, rule)[0] for rule in plan.classes)
    masked = [(key, adapter) for key, adapter, v in zip(plan.keys, plan.adapters, verdicts, strict=True) if v is M]
    for row in validated if masked else ():
        for key, adapter in masked:  # masked as render masks it: the value as it would be serialised
            row[key] = mask(adapter.dump_python(row[key], mode="json"))
    return _shown_serializer(model, verdicts).dump_json(validated, by_alias=True)


@dataclass(frozen=True)
class _FlatPlan:
    keys: tuple[str, ...]  # serialised names, in the model's order
    classes: tuple[DataClass, ...]
    fields: tuple[Any, ...]  # each field's annotation with its constraints
    adapters: tuple[Any, ...]  # per field, for masking a value as it is serialised
    validator: Any  # list of rows -> validated rows (dicts in the model's field order)


@cache
def _flat_plan(model: type[BaseModel]) -> _FlatPlan | None:
    from pydantic import TypeAdapter
    from typing_extensions import TypedDict

    classes = classes_of(model)
    decorators = model.__pydantic_decorators__
    own_serializers = set(decorators.model_serializers) - {"_render_for_audience"}
    if (
        None in classes.values()
        or own_serializers
        or decorators.validators
        or decorators.field_validators
        or decorators.root_validators
        or decorators.field_serializers
        or decorators.model_validators
    ):
        return None
    keys: list[str] = []
    rules: list[DataClass] = []
    fields: list[Any] = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        rule = classes[key]
        assert rule is not None  # no nested models here (checked above)
        keys.append(key)
        rules.append(rule)
        fields.append(typing.Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation)
    row = TypedDict(f"{model.__name__}Row", dict(zip(keys, fields, strict=True)))  # type: ignore[misc]  # noqa: UP013
    row.__pydantic_config__ = _row_config(model)  # type: ignore[attr-defined]
    return _FlatPlan(
        keys=tuple(keys),
        classes=tuple(rules),
        fields=tuple(fields),
        adapters=tuple(TypeAdapter(f) for f in fields),
        validator=TypeAdapter(list[row]),
    )


@cache  # per model and tuple of verdicts: a handful of audiences per model
def _shown_serializer(model: type[BaseModel], verdicts: tuple[Visibility, ...]) -> Any:
    """Serialises validated rows with only the fields the verdicts let out (a masked one as the mask)."""
    from pydantic import TypeAdapter
    from typing_extensions import TypedDict

    plan = _flat_plan(model)
    assert plan is not None
    shown = {
        key: (field if verdict is V else Any)
        for key, field, verdict in zip(plan.keys, plan.fields, verdicts, strict=True)
        if verdict in (V, M)
    }
    row = TypedDict(f"{model.__name__}Shown", shown)  # type: ignore[misc]
    row.__pydantic_config__ = _row_config(model)  # type: ignore[attr-defined]
    return TypeAdapter(list[row])


def _row_config(model: type[BaseModel]) -> dict[str, Any]:
    # The model's own settings (how values validate and serialise), less those only a model class has.
    return {k: v for k, v in model.model_config.items() if k not in ("from_attributes", "title")}


redact = render  # the older name, kept for call sites that read better with it


@cache
def classes_of(model: type[BaseModel]) -> Mapping[str, DataClass | None]:
    """Each field's data class by its serialised name; None for a nested outbound model. Raises
    UnclassifiedField for a field with neither, or a model that is not `Outbound`."""
    if not issubclass(model, Outbound):
        raise UnclassifiedField(f"{model.__name__} leaves a service but is not an Outbound model")
    found: dict[str, DataClass | None] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        marker = next((m for m in info.metadata if isinstance(m, Classified)), None)
        if marker is not None:
            found[key] = marker.data_class
            continue
        nested = _nested_models(info.annotation)
        if not nested:
            raise UnclassifiedField(f"{model.__name__}.{name} has no data class: mark it Classified(DataClass.X)")
        for sub in nested:
            classes_of(sub)
        found[key] = None
    for name in model.model_computed_fields:
        raise UnclassifiedField(f"{model.__name__}.{name} is a computed field: declare it as a classified field")
    return found


def check_outbound(annotation: Any) -> list[type[BaseModel]]:
    """Check every outbound model an annotation (a response model, `list[X]`, `X | None`) refers to;
    returns them. Raises UnclassifiedField for a model, or any model nested in it, that is not fully classified."""
    models = _nested_models(annotation)
    for model in models:
        classes_of(model)
    return models


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _nested_models(typing.get_args(annotation)[0])
    if origin in (list, tuple, set, frozenset, Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _nested_models(arg)]
    return []


# --- previews ------------------------------------------------------------------------------------


@dataclass
class Withheld:
    field: str  # dotted path, with [] for list items
    data_class: DataClass
    reason: str  # policy | masked | consent-missing, or a reason the caller adds (not-released, limited-access)


@dataclass
class Preview:
    shown: Any
    withheld: list[Withheld] = field(default_factory=list)


def explain(model: BaseModel, audience: Audience | Iterable[Role]) -> Preview:
    """What `audience` would be shown of `model`, and each field it would not see in full, with why."""
    audience = Audience.of(audience)
    withheld: list[Withheld] = []
    _walk(model, audience, "", withheld)
    unique = {(w.field, w.reason): w for w in withheld}
    return Preview(shown=render(model, audience), withheld=list(unique.values()))


def _walk(model: BaseModel, audience: Audience, prefix: str, withheld: list[Withheld]) -> None:
    classes = classes_of(type(model))
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        path = f"{prefix}{key}"
        value = getattr(model, name)
        rule = classes[key]
        if rule is not None:
            verdict, reason = decide(audience, rule)
            if value is not None and verdict is not V:
                withheld.append(Withheld(path, rule, "masked" if verdict is M else reason))
            continue
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                _walk(item, audience, f"{path}[]." if isinstance(value, list | tuple) else f"{path}.", withheld)


# --- plain data ----------------------------------------------------------------------------------

# A spec maps a field name to a DataClass (the whole value), or to a nested spec (for a nested object or a
# list of objects). Keys a spec does not name are dropped: nothing leaves without a class.
Spec = Mapping[str, "DataClass | Spec"]


def redact_data(data: Any, spec: Spec, roles: Audience | Iterable[Role]) -> Any:
    """Apply the policy to plain data (dicts and lists of dicts) described by `spec`."""
    return _apply(data, spec, Audience.of(roles))


def _apply(data: Any, spec: Spec, audience: Audience) -> Any:
    if isinstance(data, list):
        return [_apply(item, spec, audience) for item in data]
    if not isinstance(data, dict):
        return None
    out: dict[str, Any] = {}
    for key, value in data.items():
        rule = spec.get(key)
        if rule is None:
            continue
        if isinstance(rule, DataClass):
            verdict, _ = decide(audience, rule)
            if verdict is V:
                out[key] = value
            elif verdict is M:
                out[key] = mask(value)
        elif value is not None:
            out[key] = _apply(value, rule, audience)
        else:
            out[key] = None
    return out


@cache
def spec_for(model: type[BaseModel]) -> Spec:
    """The nested spec of an outbound model, for plain data stored or sent in its shape."""
    spec: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        rule = classes_of(model)[key]
        if rule is not None:
            spec[key] = rule
        else:
            nested = _nested_models(info.annotation)
            merged: dict[str, Any] = {}
            for sub in nested:
                merged.update(spec_for(sub))
            spec[key] = merged
    return spec
