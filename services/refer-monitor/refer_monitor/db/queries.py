"""Queries and persistence for refer-monitor (the only module that speaks SQL)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Select, Table, and_, bindparam, delete, extract, func, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from probation_shared.db import stage_write

from .models import (
    ActionPlan,
    Amendment,
    Appointment,
    Assignment,
    Contract,
    ContractChange,
    EndOfServiceReport,
    HealthConsent,
    Intervention,
    PersonProjection,
    Provider,
    ProviderCaseworker,
    ProviderUpdate,
    ProviderViewHistory,
    Referral,
    SharingConsent,
    SharingOverride,
    Subcontractor,
)


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- providers, contracts, interventions -------------------------------------------------------


async def get_provider(session: AsyncSession, provider_id: str) -> Provider | None:
    return await session.get(Provider, provider_id)


async def get_contract(session: AsyncSession, reference: str) -> Contract | None:
    return await session.get(Contract, reference)


async def contract_of(session: AsyncSession, reference: str) -> Contract:
    """The contract a row refers to by foreign key (an intervention's, a referral's): it exists."""
    return await session.get_one(Contract, reference)


async def subcontractors(session: AsyncSession, reference: str) -> list[str]:
    rows = await session.scalars(select(Subcontractor.provider_id).where(Subcontractor.contract_reference == reference))
    return list(rows)


async def contract_providers(session: AsyncSession, contract: Contract) -> list[str]:
    """The prime, then the subcontractors (read each time: a commissioner may change the subcontractors)."""
    return [contract.prime_provider_id, *await subcontractors(session, contract.reference)]


async def providers_of_contract(session: AsyncSession, reference: str) -> list[str]:
    return await contract_providers(session, await contract_of(session, reference))


async def providers_of_contracts(session: AsyncSession, references: Iterable[str]) -> dict[str, list[str]]:
    """`providers_of_contract` for many contracts in two queries: per contract, the prime, then the
    subcontractors."""
    wanted = sorted(set(references))
    if not wanted:
        return {}
    primes = await session.execute(
        select(Contract.reference, Contract.prime_provider_id).where(Contract.reference.in_(wanted))
    )
    providers: dict[str, list[str]] = {reference: [prime] for reference, prime in primes}
    subs = await session.execute(
        select(Subcontractor.contract_reference, Subcontractor.provider_id).where(
            Subcontractor.contract_reference.in_(wanted)
        )
    )
    for reference, provider_id in subs:
        providers[reference].append(provider_id)
    missing = [reference for reference in wanted if reference not in providers]
    if missing:  # a referral's contract is a foreign key: as contract_of, this does not happen
        raise NoResultFound(f"no contract {missing[0]}")
    return providers


async def list_contracts(session: AsyncSession) -> list[Contract]:
    return list(await session.scalars(select(Contract).order_by(Contract.reference)))


async def set_subcontractors(session: AsyncSession, reference: str, provider_ids: Sequence[str]) -> None:
    await session.execute(delete(Subcontractor).where(Subcontractor.contract_reference == reference))
    session.add_all([Subcontractor(contract_reference=reference, provider_id=p) for p in provider_ids])
    await session.flush()


async def contract_changes(session: AsyncSession, reference: str) -> list[ContractChange]:
    return list(
        await session.scalars(
            select(ContractChange).where(ContractChange.contract_reference == reference).order_by(ContractChange.id)
        )
    )


async def contract_refs_for_provider(session: AsyncSession, provider_id: str) -> list[str]:
    prime = select(Contract.reference).where(Contract.prime_provider_id == provider_id)
    sub = select(Subcontractor.contract_reference).where(Subcontractor.provider_id == provider_id)
    return list(await session.scalars(prime.union(sub)))


async def get_intervention(session: AsyncSession, intervention_id: str) -> Intervention | None:
    return await session.get(Intervention, intervention_id)


async def search_interventions(
    session: AsyncSession,
    *,
    regions: Sequence[str] | None,
    pcc_areas: Sequence[str] | None,
    on: date,
    open_until: date,
    contract_type: str | None = None,
) -> list[tuple[Intervention, Contract]]:
    """Interventions whose contract takes referrals on `on` and is still open on `open_until`, let for one
    of `regions` as a whole or for one of `pcc_areas` (no filter when both are None)."""
    query = (
        select(Intervention, Contract)
        .join(Contract, Contract.reference == Intervention.contract_reference)
        .where(Contract.referral_start_date <= on, Contract.referral_end_date >= open_until)
        .order_by(Intervention.title, Intervention.id)
    )
    area_filters: list[ColumnElement[bool]] = []
    if pcc_areas:
        area_filters.append(Contract.pcc_area.in_(list(pcc_areas)))
    if regions:
        area_filters.append(and_(Contract.region.in_(list(regions)), Contract.pcc_area.is_(None)))
    if area_filters:
        query = query.where(or_(*area_filters))
    if contract_type is not None:
        query = query.where(Contract.contract_type == contract_type)
    return [(i, c) for i, c in (await session.execute(query)).all()]


def add(session: AsyncSession, *objects) -> None:
    session.add_all(objects)


async def flush(session: AsyncSession) -> None:
    """Write what the unit of work holds so far (ids and constraints are known after it)."""
    await session.flush()


# --- person projection --------------------------------------------------------------------------


async def get_person(session: AsyncSession, crn: str) -> PersonProjection | None:
    return await session.get(PersonProjection, crn)


async def person_for_update(session: AsyncSession, crn: str) -> PersonProjection:
    """The person's projection, created if absent, locked against concurrent handlers (PostgreSQL)."""
    if not _is_postgres(session):  # SQLite: the transaction already holds the write lock (BEGIN IMMEDIATE)
        person = await session.get(PersonProjection, crn)
        if person is not None:
            return person
    insert = (postgresql.insert if _is_postgres(session) else sqlite.insert)(PersonProjection)
    await session.execute(
        insert.values(crn=crn, registrations=[], enforcement=[]).on_conflict_do_nothing(index_elements=["crn"])
    )
    query = select(PersonProjection).where(PersonProjection.crn == crn).execution_options(populate_existing=True)
    if _is_postgres(session):
        query = query.with_for_update()
    return (await session.scalars(query)).one()


async def people_for_update(session: AsyncSession, crns: Iterable[str]) -> dict[str, PersonProjection]:
    """`person_for_update` for many people in two or three statements: each projection, created if absent,
    locked against concurrent handlers (PostgreSQL, in CRN order so two batches never wait crosswise)."""
    wanted = sorted(set(crns))
    if not wanted:
        return {}
    found: dict[str, PersonProjection] = {}
    if not _is_postgres(session):  # SQLite: the transaction already holds the write lock (BEGIN IMMEDIATE)
        rows = await session.scalars(select(PersonProjection).where(PersonProjection.crn.in_(wanted)))
        found = {person.crn: person for person in rows}
    missing = [crn for crn in wanted if crn not in found]
    if not missing:
        return found
    insert = (postgresql.insert if _is_postgres(session) else sqlite.insert)(PersonProjection)
    await session.execute(
        insert.values([{"crn": crn, "registrations": [], "enforcement": []} for crn in missing]).on_conflict_do_nothing(
            index_elements=["crn"]
        )
    )
    query = (
        select(PersonProjection)
        .where(PersonProjection.crn.in_(missing))
        .order_by(PersonProjection.crn)
        .execution_options(populate_existing=True)
    )
    if _is_postgres(session):
        query = query.with_for_update()
    found.update({person.crn: person for person in await session.scalars(query)})
    return found


# --- referrals ------------------------------------------------------------------------------------


async def get_referral(session: AsyncSession, referral_id: str, *, for_update: bool = False) -> Referral | None:
    query = select(Referral).where(Referral.id == referral_id)
    if for_update and _is_postgres(session):
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def reference_taken(session: AsyncSession, reference: str) -> bool:
    return (
        await session.scalar(select(func.count()).select_from(Referral).where(Referral.reference == reference)) or 0
    ) > 0


async def referrals_for_person(
    session: AsyncSession, crn: str, statuses: Iterable[str] | None = None
) -> list[Referral]:
    query = select(Referral).where(Referral.crn == crn).order_by(Referral.created_at, Referral.id)
    if statuses is not None:
        query = query.where(Referral.status.in_(list(statuses)))
    return list(await session.scalars(query))


async def referrals_by_person(
    session: AsyncSession, crns: Iterable[str], statuses: Iterable[str]
) -> dict[str, list[Referral]]:
    """`referrals_for_person` for many people in one query: each person's referrals in those statuses, in
    the same order (created_at, id)."""
    wanted = sorted(set(crns))
    by_person: dict[str, list[Referral]] = {crn: [] for crn in wanted}
    if not wanted:
        return by_person
    query = (
        select(Referral)
        .where(Referral.crn.in_(wanted), Referral.status.in_(list(statuses)))
        .order_by(Referral.crn, Referral.created_at, Referral.id)
    )
    for referral in await session.scalars(query):
        by_person[referral.crn].append(referral)
    return by_person


async def list_referrals(
    session: AsyncSession,
    *,
    contract_refs: Sequence[str] | None = None,
    crn: str | None = None,
    exclude_drafts: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[Referral]:
    query = select(Referral)
    if contract_refs is not None:
        query = query.where(Referral.contract_reference.in_(list(contract_refs)))
    if crn is not None:
        query = query.where(Referral.crn == crn)
    if exclude_drafts:
        query = query.where(Referral.status != "DRAFT")
    query = query.order_by(Referral.created_at.desc(), Referral.id).limit(limit).offset(offset)
    return list(await session.scalars(query))


async def referral_page(
    session: AsyncSession,
    *,
    contract_refs: Sequence[str] | None = None,
    provider_id: str | None = None,
    crn: str | None = None,
    exclude_drafts: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list:
    """Summary rows for a list page: plain columns (no view documents loaded) and the person's name,
    newest first (then by id). Columns, in this order: id, reference, crn, contract_reference, status,
    outcome, sent_at, assigned_to, first_name, last_name.

    `contract_refs`: only referrals on these contracts; `provider_id`: only where that provider is the
    prime or a subcontractor on the referral's contract."""
    refs = sorted(set(contract_refs)) if contract_refs is not None else None
    if refs is not None and not refs:
        return []
    statement = _page_statement(
        len(refs) if refs is not None else None, provider_id is not None, crn is not None, exclude_drafts
    )
    params: dict[str, object] = {"limit": limit, "offset": offset, "window": limit + offset}
    params.update({f"contract_{i}": ref for i, ref in enumerate(refs or ())})
    if provider_id is not None:
        params["provider_id"] = provider_id
    if crn is not None:
        params["crn"] = crn
    return list((await session.execute(statement, params)).all())


_REFERRAL = Referral.__table__
_PERSON = PersonProjection.__table__
_PROVIDER: BindParameter[str] = bindparam("provider_id")
_PAGE_COLUMNS = (
    *(_REFERRAL.c[name] for name in ("id", "reference", "crn", "contract_reference", "status", "outcome")),
    *(_REFERRAL.c[name] for name in ("sent_at", "assigned_to")),
    _PERSON.c.first_name,
    _PERSON.c.last_name,
)


@functools.lru_cache(maxsize=128)
def _page_statement(contracts: int | None, by_provider: bool, by_crn: bool, exclude_drafts: bool) -> Select:
    """The page query for one shape of filters, built once (Core, bound parameters): a list request
    neither builds a statement nor generates its cache key.

    With contracts, each contract's referrals are read in page order off `ix_referral_contract_created_id`
    (at most `offset + limit` of them) and only those are merged and sorted: an `IN` over the contracts
    would sort every referral on them per request."""
    r = _REFERRAL
    filters: list[ColumnElement[bool]] = []
    if by_provider:  # the provider must be the prime or a subcontractor on the referral's contract
        prime = select(Contract.__table__.c.reference).where(Contract.__table__.c.prime_provider_id == _PROVIDER)
        sub = select(Subcontractor.__table__.c.contract_reference).where(
            Subcontractor.__table__.c.provider_id == _PROVIDER
        )
        filters.append(r.c.contract_reference.in_(prime.union(sub).scalar_subquery()))
    if by_crn:
        filters.append(r.c.crn == bindparam("crn"))
    if exclude_drafts:
        filters.append(r.c.status != "DRAFT")
    people = _PERSON.c.crn == r.c.crn
    if contracts == 1:
        filters.append(r.c.contract_reference == bindparam("contract_0"))
    if not contracts or contracts == 1:  # one contract, or none (probation staff): a single ordered read
        return (
            select(*_PAGE_COLUMNS)
            .select_from(r.outerjoin(_PERSON, people))
            .where(*filters)
            .order_by(r.c.created_at.desc(), r.c.id)
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )
    parts = [
        select(r.c.id, r.c.created_at)
        .where(r.c.contract_reference == bindparam(f"contract_{i}"), *filters)
        .order_by(r.c.created_at.desc(), r.c.id)
        .limit(bindparam("window"))
        .subquery(f"contract_{i}")
        for i in range(contracts)
    ]
    # Each part in a subquery of its own: SQLite allows no ORDER BY or LIMIT on a compound's members.
    ids = union_all(*(select(part.c.id, part.c.created_at) for part in parts)).subquery("page")
    return (
        select(*_PAGE_COLUMNS)
        .select_from(ids.join(r, r.c.id == ids.c.id).outerjoin(_PERSON, people))
        .order_by(ids.c.created_at.desc(), ids.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


async def assignments(session: AsyncSession, referral_id: str) -> list[Assignment]:
    return list(
        await session.scalars(select(Assignment).where(Assignment.referral_id == referral_id).order_by(Assignment.id))
    )


async def note_caseworker(session: AsyncSession, subject: str, provider_id: str, now: datetime) -> None:
    """Record that `subject` works for `provider_id` (their token said so), once."""
    if await session.get(ProviderCaseworker, (subject, provider_id)) is None:
        insert = (postgresql.insert if _is_postgres(session) else sqlite.insert)(ProviderCaseworker)
        await session.execute(
            insert.values(subject=subject, provider_id=provider_id, first_seen_at=now).on_conflict_do_nothing(
                index_elements=["subject", "provider_id"]
            )
        )


async def caseworker_providers(session: AsyncSession, subject: str) -> list[str]:
    rows = await session.scalars(select(ProviderCaseworker.provider_id).where(ProviderCaseworker.subject == subject))
    return list(rows)


def _counts_against_cap(not_counted: Sequence[str]):
    """A sent referral, unless it was withdrawn with one of `not_counted` (a duplicate, say)."""
    return and_(
        Referral.sent_at.is_not(None),
        or_(Referral.withdrawal_code.is_(None), Referral.withdrawal_code.not_in(list(not_counted))),
    )


async def count_sent_on_contract(session: AsyncSession, reference: str, not_counted: Sequence[str] = ()) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(Referral.contract_reference == reference, _counts_against_cap(not_counted))
    )
    return count or 0  # COUNT(*) always answers a number


async def view_history(session: AsyncSession, referral_id: str) -> list[ProviderViewHistory]:
    return list(
        await session.scalars(
            select(ProviderViewHistory)
            .where(ProviderViewHistory.referral_id == referral_id)
            .order_by(ProviderViewHistory.version)
        )
    )


def stage_view_history(session: AsyncSession, rows: Iterable[dict]) -> None:
    """Queue history rows (`ProviderViewHistory` columns) to be inserted at the unit of work's commit, in
    one statement with the others, without an ORM object each (nothing reads them back in the unit)."""
    for row in rows:
        stage_write(session, _HISTORY, row)


_HISTORY: Table = ProviderViewHistory.__table__  # type: ignore[assignment]  # a mapped class's table is a Table


async def amendments(session: AsyncSession, referral_id: str) -> list[Amendment]:
    return list(
        await session.scalars(select(Amendment).where(Amendment.referral_id == referral_id).order_by(Amendment.id))
    )


async def appointments(session: AsyncSession, referral_id: str) -> list[Appointment]:
    return list(
        await session.scalars(
            select(Appointment)
            .where(Appointment.referral_id == referral_id)
            .order_by(Appointment.scheduled_at, Appointment.id)
        )
    )


async def get_appointment(session: AsyncSession, referral_id: str, appointment_id: str) -> Appointment | None:
    appointment = await session.get(Appointment, appointment_id)
    return appointment if appointment is not None and appointment.referral_id == referral_id else None


async def action_plans(session: AsyncSession, referral_id: str) -> list[ActionPlan]:
    return list(
        await session.scalars(
            select(ActionPlan).where(ActionPlan.referral_id == referral_id).order_by(ActionPlan.submitted_at)
        )
    )


async def get_action_plan(session: AsyncSession, referral_id: str, plan_id: str) -> ActionPlan | None:
    plan = await session.get(ActionPlan, plan_id)
    return plan if plan is not None and plan.referral_id == referral_id else None


async def end_of_service_report(session: AsyncSession, referral_id: str) -> EndOfServiceReport | None:
    return await session.get(EndOfServiceReport, referral_id)


# --- provider updates and sharing ---------------------------------------------------------------


async def updates_for_person(session: AsyncSession, crn: str) -> list[ProviderUpdate]:
    return list(
        await session.scalars(
            select(ProviderUpdate)
            .where(ProviderUpdate.crn == crn)
            .order_by(ProviderUpdate.created_at, ProviderUpdate.id)
        )
    )


async def get_update(session: AsyncSession, update_id: str) -> ProviderUpdate | None:
    return await session.get(ProviderUpdate, update_id)


async def consents(session: AsyncSession, crn: str) -> dict[str, SharingConsent]:
    rows = await session.scalars(select(SharingConsent).where(SharingConsent.crn == crn))
    return {r.category: r for r in rows}


async def get_consent(session: AsyncSession, crn: str, category: str) -> SharingConsent | None:
    return await session.get(SharingConsent, (crn, category))


async def overrides(session: AsyncSession, update_ids: Sequence[str]) -> dict[str, SharingOverride]:
    if not update_ids:
        return {}
    rows = await session.scalars(select(SharingOverride).where(SharingOverride.update_id.in_(list(update_ids))))
    return {r.update_id: r for r in rows}


async def get_override(session: AsyncSession, update_id: str) -> SharingOverride | None:
    return await session.get(SharingOverride, update_id)


async def health_consents(session: AsyncSession, crn: str) -> dict[str, HealthConsent]:
    rows = await session.scalars(
        select(HealthConsent).where(HealthConsent.crn == crn).order_by(HealthConsent.provider_id)
    )
    return {r.provider_id: r for r in rows}


async def get_health_consent(session: AsyncSession, crn: str, provider_id: str) -> HealthConsent | None:
    return await session.get(HealthConsent, (crn, provider_id))


async def health_consented(session: AsyncSession, crn: str, provider_id: str | None) -> bool:
    if not provider_id:
        return False
    found = await session.get(HealthConsent, (crn, provider_id))
    return bool(found and found.granted)


# --- commissioning ------------------------------------------------------------------------------


async def demand_rows(session: AsyncSession, *, year: int | None = None) -> list[tuple]:
    """(region, pcc_area, contract_type, year, month, referrals) for every sent referral."""
    y = extract("year", Referral.sent_at)
    m = extract("month", Referral.sent_at)
    query = (
        select(
            Contract.region,
            Contract.pcc_area,
            Contract.contract_type,
            y.label("y"),
            m.label("m"),
            func.count(Referral.id),
        )
        .join(Contract, Contract.reference == Referral.contract_reference)
        .where(Referral.sent_at.is_not(None))
        .group_by(Contract.region, Contract.pcc_area, Contract.contract_type, y, m)
    )
    if year is not None:
        query = query.where(y == year)
    return [tuple(r) for r in (await session.execute(query)).all()]


async def caps(session: AsyncSession, not_counted: Sequence[str] = ()) -> list[tuple]:
    """(reference, region, pcc_area, contract_type, prime provider, volume cap, referrals counted against
    the cap) per contract."""
    sent = func.count(Referral.id).filter(_counts_against_cap(not_counted))
    query = (
        select(
            Contract.reference,
            Contract.region,
            Contract.pcc_area,
            Contract.contract_type,
            Contract.prime_provider_id,
            Contract.volume_cap,
            sent,
        )
        .outerjoin(Referral, Referral.contract_reference == Contract.reference)
        .group_by(
            Contract.reference,
            Contract.region,
            Contract.pcc_area,
            Contract.contract_type,
            Contract.prime_provider_id,
            Contract.volume_cap,
        )
        .order_by(Contract.reference)
    )
    return [tuple(r) for r in (await session.execute(query)).all()]
