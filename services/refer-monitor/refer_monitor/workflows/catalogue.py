"""Providers, dynamic framework contracts and the interventions offered under them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.auth import Principal

from ..db import queries as q
from ..db.models import Contract, ContractChange, Intervention, Provider, Subcontractor
from ..domain import rules
from ..domain.codes import CONTRACT_TYPES, NOT_COUNTED_AGAINST_CAP, PCC_AREAS, REGIONS
from ..domain.errors import DomainError, field_error, not_found


def today() -> date:
    return clock.now().date()  # the UTC date, as before (not clock.today()'s London date)


async def create_provider(session: AsyncSession, provider_id: str, name: str) -> Provider:
    if await q.get_provider(session, provider_id) is not None:
        raise DomainError("provider-exists", f"Provider {provider_id} already exists.", status=409)
    provider = Provider(id=provider_id, name=name)
    q.add(session, provider)
    return provider


async def create_contract(session: AsyncSession, data: dict[str, Any]) -> tuple[Contract, list[str]]:
    errors = []
    if data["contract_type"] not in CONTRACT_TYPES:
        errors.append({"field": "contract_type", "message": f"one of {', '.join(CONTRACT_TYPES)}"})
    if (data.get("region") is None) == (data.get("pcc_area") is None):
        errors.append({"field": "region", "message": "give exactly one of region or pcc_area"})
    if data.get("region") is not None and data["region"] not in REGIONS:
        errors.append({"field": "region", "message": "unknown region"})
    if data.get("pcc_area") is not None and data["pcc_area"] not in PCC_AREAS:
        errors.append({"field": "pcc_area", "message": "unknown PCC area"})
    if data["referral_end_date"] < data["referral_start_date"]:
        errors.append({"field": "referral_end_date", "message": "before the start date"})
    if data.get("min_age") is not None and data.get("max_age") is not None and data["max_age"] < data["min_age"]:
        errors.append({"field": "max_age", "message": "below min_age"})
    subs = list(dict.fromkeys(data.get("subcontractor_ids") or []))
    for pid in [data["prime_provider_id"], *subs]:
        if await q.get_provider(session, pid) is None:
            errors.append(
                {
                    "field": "prime_provider_id" if pid == data["prime_provider_id"] else "subcontractor_ids",
                    "message": f"unknown provider {pid}",
                }
            )
    if data["prime_provider_id"] in subs:
        errors.append({"field": "subcontractor_ids", "message": "the prime provider is not its own subcontractor"})
    if errors:
        raise DomainError(
            "invalid-contract",
            "The contract is not valid.",
            [field_error(e["field"], e["message"]) for e in errors],
            status=422,
        )
    if await q.get_contract(session, data["reference"]) is not None:
        raise DomainError("contract-exists", f"Contract {data['reference']} already exists.", status=409)
    contract = Contract(**{k: v for k, v in data.items() if k != "subcontractor_ids"})
    q.add(session, contract, *[Subcontractor(contract_reference=contract.reference, provider_id=p) for p in subs])
    return contract, subs


async def list_contracts(session: AsyncSession) -> list[tuple[Contract, list[str]]]:
    """Every contract, expired ones included (commissioners manage them)."""
    return [(c, await q.subcontractors(session, c.reference)) for c in await q.list_contracts(session)]


CHANGEABLE = ("volume_cap", "referral_start_date", "referral_end_date", "subcontractor_ids")


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def change_contract(
    session: AsyncSession, principal: Principal, reference: str, changes: dict[str, Any], reason: str
) -> tuple[Contract, list[str]]:
    """Change a contract's cap, referral dates or subcontractors; each changed field is recorded (old, new,
    reason, who, when). The result must still be a valid contract (422 naming each broken field)."""
    contract = await q.get_contract(session, reference)
    if contract is None:
        raise not_found("contract")
    subs = await q.subcontractors(session, reference)
    current = {f: getattr(contract, f) for f in CHANGEABLE if f != "subcontractor_ids"} | {"subcontractor_ids": subs}
    if "subcontractor_ids" in changes:
        changes["subcontractor_ids"] = list(dict.fromkeys(changes["subcontractor_ids"]))
    changed = {k: v for k, v in changes.items() if k in CHANGEABLE and v is not None and current[k] != v}
    if not changed:
        raise DomainError("nothing-to-change", "Name at least one term that changes.", status=422)
    after = current | changed
    errors = []
    if after["referral_end_date"] < after["referral_start_date"]:
        errors.append(field_error("referral_end_date", "before the start date"))
    counted = await q.count_sent_on_contract(session, reference, NOT_COUNTED_AGAINST_CAP)
    if "volume_cap" in changed and after["volume_cap"] < counted:
        errors.append(field_error("volume_cap", f"below the {counted} referrals already counted against it"))
    for pid in changed.get("subcontractor_ids", []):
        if pid == contract.prime_provider_id:
            errors.append(field_error("subcontractor_ids", "the prime provider is not its own subcontractor"))
        elif await q.get_provider(session, pid) is None:
            errors.append(field_error("subcontractor_ids", f"unknown provider {pid}"))
    if errors:
        raise DomainError("invalid-contract", "The changed contract is not valid.", errors, status=422)
    now = clock.now()
    for name, value in changed.items():
        q.add(
            session,
            ContractChange(
                contract_reference=reference,
                field=name,
                old_value=_json(current[name]),
                new_value=_json(value),
                reason=reason,
                changed_by=principal.subject,
                changed_at=now,
            ),
        )
        if name == "subcontractor_ids":
            await q.set_subcontractors(session, reference, value)
        else:
            setattr(contract, name, value)
    return contract, after["subcontractor_ids"]


async def contract_changes(session: AsyncSession, reference: str) -> list[ContractChange]:
    if await q.get_contract(session, reference) is None:
        raise not_found("contract")
    return await q.contract_changes(session, reference)


async def read_contract(session: AsyncSession, reference: str) -> tuple[Contract, list[str]]:
    contract = await q.get_contract(session, reference)
    if contract is None:
        raise not_found("contract")
    if contract.referral_end_date < today():
        raise DomainError(
            "contract-expired", f"Contract {reference} ended on {contract.referral_end_date.isoformat()}.", status=410
        )
    return contract, await q.subcontractors(session, reference)


async def create_intervention(
    session: AsyncSession, contract_reference: str, title: str, description: str
) -> Intervention:
    contract = await q.get_contract(session, contract_reference)
    if contract is None:
        raise DomainError(
            "unknown-contract", "No such contract.", [field_error("contract_reference", "unknown")], status=422
        )
    intervention = Intervention(
        id=str(uuid.uuid4()), contract_reference=contract_reference, title=title, description=description
    )
    q.add(session, intervention)
    return intervention


async def read_intervention(session: AsyncSession, intervention_id: str) -> tuple[Intervention, Contract]:
    intervention = await q.get_intervention(session, intervention_id)
    if intervention is None:
        raise not_found("intervention")
    contract = await q.contract_of(session, intervention.contract_reference)
    if contract.referral_end_date < today():
        raise DomainError(
            "contract-expired",
            f"The intervention's contract ended on {contract.referral_end_date.isoformat()}.",
            status=410,
        )
    return intervention, contract


async def search(
    session: AsyncSession,
    *,
    region: str | None,
    pcc_area: str | None,
    sex: str | None,
    age: int | None,
    on: date | None,
    contract_type: str | None = None,
) -> list[tuple[Intervention, Contract]]:
    if region is not None and region not in REGIONS:
        raise DomainError(
            "unknown-region",
            f"{region!r} is not a probation region.",
            [field_error("region", "unknown region")],
            status=400,
        )
    area = rules.area_search(region, pcc_area)
    take_on, open_until = rules.search_dates(on, today())
    found = await q.search_interventions(
        session,
        regions=area.regions if area else None,
        pcc_areas=area.pcc_areas if area else None,
        on=take_on,
        open_until=open_until,
        contract_type=contract_type,
    )
    return [(i, c) for i, c in found if rules.eligible(c.eligible_sex, c.min_age, c.max_age, sex, age)]
