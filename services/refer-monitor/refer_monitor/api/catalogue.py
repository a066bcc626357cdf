"""Providers, contracts and interventions; intervention search."""

from __future__ import annotations

from fastapi import APIRouter, Query

from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.limits import KeyPath, ReadDate
from probation_shared.redaction import redacted_response

from ..db.models import Contract, Intervention
from ..domain.codes import CONTRACT_TYPES, contract_type_name
from ..workflows import catalogue
from .schemas import (
    ContractChangeIn,
    ContractChangeOut,
    ContractOut,
    InterventionOut,
    NewContract,
    NewIntervention,
    NewProvider,
    ProviderOut,
)

router = APIRouter(tags=["catalogue"])

MANAGE = (Role.COMMISSIONER, Role.OPERATOR)
BROWSE = (
    Role.PRACTITIONER,
    Role.SENIOR_PROBATION_OFFICER,
    Role.PRISON_OFFENDER_MANAGER,
    Role.PROVIDER_CASEWORKER,
    Role.COMMISSIONER,
)


def contract_out(contract: Contract, subs: list[str]) -> ContractOut:
    computed = {"subcontractor_ids", "contract_type_name"}
    return ContractOut(
        subcontractor_ids=subs,
        contract_type_name=contract_type_name(contract.contract_type),
        **{f: getattr(contract, f) for f in ContractOut.model_fields if f not in computed},
    )


def intervention_out(i: Intervention, c: Contract) -> InterventionOut:
    return InterventionOut(
        id=i.id,
        title=i.title,
        description=i.description,
        contract_reference=c.reference,
        contract_type=c.contract_type,
        contract_type_name=contract_type_name(c.contract_type),
        prime_provider_id=c.prime_provider_id,
        region=c.region,
        pcc_area=c.pcc_area,
        eligible_sex=c.eligible_sex,
        min_age=c.min_age,
        max_age=c.max_age,
        referral_end_date=c.referral_end_date,
    )


@router.post("/providers", status_code=201, response_model=ProviderOut)
async def create_provider(body: NewProvider, session: Session, principal: Principal = require_roles(*MANAGE)):
    return redacted_response(
        ProviderOut.model_validate(await catalogue.create_provider(session, body.id, body.name)), principal.roles, 201
    )


@router.post("/contracts", status_code=201, response_model=ContractOut)
async def create_contract(body: NewContract, session: Session, principal: Principal = require_roles(*MANAGE)):
    contract, subs = await catalogue.create_contract(session, body.model_dump())
    return redacted_response(contract_out(contract, subs), principal.roles, 201)


@router.get("/contracts", response_model=list[ContractOut])
async def list_contracts(session: Session, principal: Principal = require_roles(Role.COMMISSIONER)):
    """Every contract, expired ones included."""
    return redacted_response(
        [contract_out(c, subs) for c, subs in await catalogue.list_contracts(session)], principal.roles
    )


@router.patch("/contracts/{reference}", response_model=ContractOut)
async def change_contract(
    reference: KeyPath,
    body: ContractChangeIn,
    session: Session,
    principal: Principal = require_roles(Role.COMMISSIONER),
):
    """Change the volume cap, the referral dates or the subcontractors (each change recorded with its reason)."""
    contract, subs = await catalogue.change_contract(
        session, principal, reference, body.model_dump(exclude={"reason"}, exclude_unset=True), body.reason
    )
    return redacted_response(contract_out(contract, subs), principal.roles)


@router.get("/contracts/{reference}/changes", response_model=list[ContractChangeOut])
async def contract_changes(
    reference: KeyPath, session: Session, principal: Principal = require_roles(Role.COMMISSIONER)
):
    return redacted_response(
        [ContractChangeOut.model_validate(c) for c in await catalogue.contract_changes(session, reference)],
        principal.roles,
    )


@router.get("/contracts/{reference}", response_model=ContractOut)
async def read_contract(reference: KeyPath, session: Session, principal: Principal = require_roles(*BROWSE)):
    return redacted_response(contract_out(*await catalogue.read_contract(session, reference)), principal.roles)


@router.post("/interventions", status_code=201, response_model=InterventionOut)
async def create_intervention(body: NewIntervention, session: Session, principal: Principal = require_roles(*MANAGE)):
    intervention = await catalogue.create_intervention(session, body.contract_reference, body.title, body.description)
    return redacted_response(
        intervention_out(*await catalogue.read_intervention(session, intervention.id)), principal.roles, 201
    )


@router.get("/interventions", response_model=list[InterventionOut])
async def search_interventions(
    session: Session,
    region: str | None = None,
    pcc_area: str | None = None,
    sex: str | None = Query(default=None, pattern="^(MALE|FEMALE)$"),
    age: int | None = Query(default=None, ge=10, le=120),
    on: ReadDate | None = Query(default=None, alias="date"),
    contract_type: str | None = Query(default=None, pattern="^(" + "|".join(CONTRACT_TYPES) + ")$"),
    principal: Principal = require_roles(*BROWSE),
):
    found = await catalogue.search(
        session, region=region, pcc_area=pcc_area, sex=sex, age=age, on=on, contract_type=contract_type
    )
    return redacted_response([intervention_out(i, c) for i, c in found], principal.roles)


@router.get("/interventions/{intervention_id}", response_model=InterventionOut)
async def read_intervention(intervention_id: KeyPath, session: Session, principal: Principal = require_roles(*BROWSE)):
    return redacted_response(
        intervention_out(*await catalogue.read_intervention(session, intervention_id)), principal.roles
    )
