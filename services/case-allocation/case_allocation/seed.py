"""Reference data (`python -m case_allocation seed`): the 12 regions, their PDUs, teams and staff.

Idempotent: rows already present are left alone. With `CASE_ALLOCATION_SEED_DEMO_VOLUME=true` it also
adds hundreds more staff and thousands of people with sentences and cases, once.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TypedDict

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.db import Database
from probation_shared.logging import get_logger

from .db.models import (
    Address,
    Allocation,
    Case,
    Conviction,
    Offence,
    Pdu,
    Person,
    Region,
    Requirement,
    Sentence,
    Staff,
    Team,
)
from .domain.calendar import allocation_due_date
from .domain.workload import case_points

log = get_logger(__name__)

REGIONS: dict[str, tuple[str, list[str]]] = {
    "NE": ("North East", ["County Durham and Darlington", "Newcastle upon Tyne", "Teesside"]),
    "YH": ("Yorkshire and the Humber", ["Leeds", "Sheffield", "Hull and East Riding"]),
    "EM": ("East Midlands", ["Nottingham City", "Derby City", "Leicester, Leicestershire and Rutland"]),
    "EE": ("East of England", ["Cambridgeshire and Peterborough", "Norfolk", "Essex North"]),
    "KSS": ("Kent, Surrey and Sussex", ["Kent", "Surrey", "Brighton and East Sussex"]),
    "SC": ("South Central", ["Oxfordshire", "Hampshire North and East", "Berkshire"]),
    "SW": ("South West", ["Bristol and South Gloucestershire", "Devon and Torbay", "Cornwall and Isles of Scilly"]),
    "WAL": ("Wales", ["Cardiff and the Vale", "Swansea, Neath and Port Talbot", "North Wales"]),
    "WM": ("West Midlands", ["Birmingham Central and South", "Coventry", "Staffordshire and Stoke-on-Trent"]),
    "GM": ("Greater Manchester", ["Manchester North", "Salford", "Wigan"]),
    "NW": ("North West", ["Liverpool North", "Lancashire", "Cumbria"]),
    "LON": ("London", ["Camden and Islington", "Hackney and City", "Lambeth"]),
}
TEAMS_PER_PDU = 2
# A team as seeded by default: one SPO, two POs, two PSOs, one PQiP.
TEAM_SHAPE = ("SPO", "PO", "PO", "PSO", "PSO", "PQiP")
FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Priya",
    "Tomasz",
    "Aisha",
    "Connor",
    "Mei",
    "Olu",
    "Rhys",
    "Fatima",
    "Liam",
    "Grace",
    "Hamza",
    "Niamh",
    "Kwame",
    "Zara",
    "Owen",
    "Chloe",
    "Ravi",
]
LAST = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Khan",
    "Patel",
    "Wilson",
    "Thomas",
    "Roberts",
    "Ahmed",
    "Walker",
    "Wright",
    "Nowak",
    "Okafor",
    "Hughes",
    "Edwards",
    "Green",
]
TIERS = [f"{letter}{digit}" for letter in "ABCD" for digit in "3210"]


def pdu_code(region: str, index: int) -> str:
    return f"{region}{index + 1:02d}"


def team_code(pdu: str, index: int) -> str:
    return f"{pdu}T{index + 1}"


def staff_code(team: str, index: int) -> str:
    return f"{team}S{index + 1:02d}"


async def seed(database: Database, settings) -> None:
    async with database.unit_of_work() as session:
        added = await seed_reference(session)
    log.info("seeded_reference_data", **added)
    if getattr(settings, "seed_demo_volume", False):
        async with database.unit_of_work() as session:
            count = await seed_demo(
                session, staff_per_team=settings.seed_demo_staff_per_team, people=settings.seed_demo_people
            )
        log.info("seeded_demo_volume", people=count)


async def _missing(session: AsyncSession, column, wanted: list[dict], key: str) -> list[dict]:
    present = set(await session.scalars(select(column)))
    return [row for row in wanted if row[key] not in present]


async def seed_reference(session: AsyncSession) -> dict[str, int]:
    """Regions, PDUs, teams and a default complement of staff; adds only what is missing."""
    regions, pdus, teams, staff = [], [], [], []
    for region, (name, pdu_names) in REGIONS.items():
        regions.append({"code": region, "name": name})
        for p, pdu_name in enumerate(pdu_names):
            pdu = pdu_code(region, p)
            pdus.append({"code": pdu, "name": pdu_name, "region_code": region})
            for t in range(TEAMS_PER_PDU):
                team = team_code(pdu, t)
                teams.append({"code": team, "name": f"{pdu_name} Team {t + 1}", "pdu_code": pdu})
                staff.extend(_staff_rows(team, TEAM_SHAPE, random.Random(team)))
    added = {}
    for model, rows in ((Region, regions), (Pdu, pdus), (Team, teams), (Staff, staff)):
        missing = await _missing(session, model.code, rows, "code")
        if missing:
            await session.execute(insert(model), missing)
        added[model.__tablename__] = len(missing)
    return added


def _staff_rows(team: str, grades, rng: random.Random, start: int = 0) -> list[dict]:
    rows = []
    for i, grade in enumerate(grades, start=start):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        code = staff_code(team, i)
        rows.append(
            {
                "code": code,
                "first_name": first,
                "last_name": last,
                "grade": grade,
                "team_code": team,
                "contracted_hours": Decimal(rng.choice([37, 37, 37, 30, 22.5])),
                "active": True,
                "email": f"{first.lower()}.{last.lower()}.{code.lower()}@probation.example.gov.uk",
                "phone": f"0300 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            }
        )
    return rows


async def seed_demo(session: AsyncSession, *, staff_per_team: int, people: int) -> int:
    """More staff in every team, then `people` people spread over every PDU. Once only."""
    if await session.scalar(select(Person.crn).where(Person.crn == "D000001")):
        return 0
    rng = random.Random(20251218)
    extra_grades = ("PO", "PSO", "PQiP")
    teams = list(await session.scalars(select(Team)))
    new_staff = []
    for team in teams:
        extra = max(staff_per_team - len(TEAM_SHAPE), 0)
        new_staff.extend(
            _staff_rows(
                team.code,
                [extra_grades[i % 3] for i in range(extra)],
                random.Random(team.code + "demo"),
                len(TEAM_SHAPE),
            )
        )
    new_staff = await _missing(session, Staff.code, new_staff, "code")
    if new_staff:
        await session.execute(insert(Staff), new_staff)
    pdu_codes = sorted({t.pdu_code for t in teams})
    per_pdu = max(people // max(len(pdu_codes), 1), 1)
    total = 0
    for i, pdu in enumerate(pdu_codes):
        n = per_pdu if i < len(pdu_codes) - 1 else people - total
        total += await add_case_volume(session, pdu_code=pdu, people=n, rng=rng, crn_prefix="D", first_serial=total + 1)
    return total


class _Plan(TypedDict):
    """What add_case_volume makes for one person, before the rows are written."""

    crn: str
    tier: str
    sentence_date: date
    custodial: bool
    sentence_type: str
    requirement: str | None
    length: int
    offence: str
    staff: tuple[str, str] | None  # (staff code, team code) when allocated


async def add_case_volume(
    session: AsyncSession,
    *,
    pdu_code: str,
    people: int,
    rng: random.Random,
    crn_prefix: str = "D",
    first_serial: int = 1,
    allocated_share: float = 0.9,
    today: date | None = None,
) -> int:
    """Bulk-load `people` people with a conviction, a sentence and a case each in `pdu_code`; most cases
    allocated across the PDU's practitioners. For demo data and benchmarks; publishes no events."""
    today = today or clock.today()
    practitioners: list[tuple[str, str]] = [
        (code, team)
        for code, team in await session.execute(
            select(Staff.code, Staff.team_code)
            .join(Team, Team.code == Staff.team_code)
            .where(Team.pdu_code == pdu_code, Staff.grade != "SPO", Staff.active.is_(True))
        )
    ]
    now = clock.now()
    persons: list[dict] = []
    addresses: list[dict] = []
    plans: list[_Plan] = []
    for n in range(people):
        crn = f"{crn_prefix}{first_serial + n:06d}"
        tier = rng.choice(TIERS)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        persons.append(
            {
                "crn": crn,
                "noms_number": None,
                "first_name": first,
                "last_name": last,
                "date_of_birth": date(1960, 1, 1) + timedelta(days=rng.randint(0, 16000)),
                "sex": rng.choice(["MALE", "MALE", "MALE", "FEMALE"]),
                "created_at": now,
                "tier": tier,
                "limited_access": False,
                "phone": f"07700 {rng.randint(100000, 999999)}",
                "email": None,
            }
        )
        addresses.append(
            {
                "crn": crn,
                "status": "MAIN",
                "address_type": "HOME",
                "line1": f"{rng.randint(1, 200)} High Street",
                "line2": None,
                "town": "Exampleton",
                "county": None,
                "postcode": f"EX{rng.randint(1, 20)} {rng.randint(1, 9)}AB",
                "start_date": today - timedelta(days=rng.randint(30, 2000)),
                "end_date": None,
                "deleted": False,
                "updated_at": now,
            }
        )
        custodial = rng.random() < 0.2
        requirement = None if custodial else rng.choice(["UPW", "RAR", "RAR", "DRR"])
        allocate = bool(practitioners) and rng.random() < allocated_share
        plans.append(
            {
                "crn": crn,
                "tier": tier,
                "sentence_date": today - timedelta(days=rng.randint(0, 700)),
                "custodial": custodial,
                "sentence_type": "CUSTODY"
                if custodial
                else rng.choice(["COMMUNITY_ORDER", "SUSPENDED_SENTENCE_ORDER"]),
                "requirement": requirement,
                "length": rng.choice([12, 18, 24, 36]),
                "offence": rng.choice(["02801", "10400", "05600", "19100"]),
                "staff": rng.choice(practitioners) if allocate else None,
            }
        )
    if not persons:
        return 0
    await session.execute(insert(Person), persons)
    await session.execute(insert(Address), addresses)
    conviction_ids = await _insert_ids(
        session,
        Conviction,
        [
            {"crn": p["crn"], "conviction_date": p["sentence_date"], "court": "Exampleton Magistrates' Court"}
            for p in plans
        ],
    )
    await session.execute(
        insert(Offence),
        [
            {"conviction_id": cid, "code": p["offence"], "description": None, "main": True}
            for p, cid in zip(plans, conviction_ids, strict=True)
        ],
    )
    sentence_ids = await _insert_ids(
        session,
        Sentence,
        [
            {
                "crn": p["crn"],
                "conviction_id": cid,
                "sentence_type": p["sentence_type"],
                "length_value": p["length"],
                "length_unit": "MONTHS",
                "sentence_date": p["sentence_date"],
                "expected_end_date": p["sentence_date"] + timedelta(days=30 * p["length"]),
                "status": "ACTIVE",
            }
            for p, cid in zip(plans, conviction_ids, strict=True)
        ],
    )
    requirements = [
        {
            "sentence_id": sid,
            "requirement_type": p["requirement"],
            "length": 100 if p["requirement"] == "UPW" else 20,
            "unit": "HOURS" if p["requirement"] == "UPW" else "DAYS",
            "completed": 0,
            "start_date": p["sentence_date"],
            "status": "ACTIVE",
        }
        for p, sid in zip(plans, sentence_ids, strict=True)
        if p["requirement"]
    ]
    if requirements:
        await session.execute(insert(Requirement), requirements)
    case_rows = []
    for p, sid in zip(plans, sentence_ids, strict=True):
        case_type = "CUSTODY" if p["custodial"] else "COMMUNITY"
        staff, team = p["staff"] or (None, None)
        case_rows.append(
            {
                "crn": p["crn"],
                "sentence_id": sid,
                "pdu_code": pdu_code,
                "case_type": case_type,
                "points": case_points(p["tier"], case_type),
                "upw_only": p["requirement"] == "UPW",
                "status": "ALLOCATED" if staff else "UNALLOCATED",
                "sentence_date": p["sentence_date"],
                "due_date": allocation_due_date(p["sentence_date"]),
                "staff_code": staff,
                "team_code": team,
                "allocated_at": now if staff else None,
            }
        )
    case_ids = await _insert_ids(session, Case, case_rows)
    allocations = [
        {
            "case_id": cid,
            "crn": p["crn"],
            "kind": "ALLOCATED",
            "staff_code": p["staff"][0],
            "team_code": p["staff"][1],
            "pdu_code": pdu_code,
            "allocated_by": "seed",
            "at": now,
        }
        for p, cid in zip(plans, case_ids, strict=True)
        if p["staff"]
    ]
    if allocations:
        await session.execute(insert(Allocation), allocations)
    return people


async def _insert_ids(session: AsyncSession, model, rows: list[dict]) -> list[int]:
    """Insert many rows and return their new ids in the order given (portable: SQLite and PostgreSQL)."""
    result = await session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())
