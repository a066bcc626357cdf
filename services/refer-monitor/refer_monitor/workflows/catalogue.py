"""Providers, dynamic framework contracts and the interventions offered under them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock

from ..db import queries as q
from ..db.models import Contract, Intervention, Provider, Subcontractor
from ..domain import rules
from ..domain.codes import CONTRACT_TYPES, PCC_AREAS, REGIONS
from ..domain.errors import DomainError, FieldError, not_found


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
            [FieldError(e["field"], e["message"]) for e in errors],
            status=422,
        )
    if await q.get_contract(session, data["reference"]) is not None:
        raise DomainError("contract-exists", f"Contract {data['reference']} already exists.", status=409)
    contract = Contract(**{k: v for k, v in data.items() if k != "subcontractor_ids"})
    q.add(session, contract, *[Subcontractor(contract_reference=contract.reference, provider_id=p) for p in subs])
    return contract, subs


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
            "unknown-contract", "No such contract.", [FieldError("contract_reference", "unknown")], status=422
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
) -> list[tuple[Intervention, Contract]]:
    if region is not None and region not in REGIONS:
        raise DomainError(
            "unknown-region",
            f"{region!r} is not a probation region.",
            [FieldError("region", "unknown region")],
            status=400,
        )
    regions = rules.regions_for_search(region, pcc_area)
    found = await q.search_interventions(session, regions=regions, pcc_area=pcc_area, on=on or today())
    return [(i, c) for i, c in found if rules.eligible(c.eligible_sex, c.min_age, c.max_age, sex, age)]
