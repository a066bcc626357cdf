"""Who is due for release, projected from case-allocation: custodial sentences (their dates), the person
(name, NOMS number) and their community offender manager (whose PDU gives the release region)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.http import service_http

from ..db import queries
from ..db.models import Prisoner
from ..domain import release as rules
from . import packs, plans

DATES = (*rules.RELEASE_DATE_PRECEDENCE, "licence_expiry_date", "released_on")


def _field(data: dict, snake: str) -> Any:
    """A field of case-allocation's answer, under its snake_case or camelCase name."""
    if snake in data:
        return data[snake]
    head, *rest = snake.split("_")
    return data.get(head + "".join(w.capitalize() for w in rest))


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


async def _prisoner(session: AsyncSession, crn: str) -> tuple[Prisoner, bool]:
    prisoner = await queries.prisoner(session, crn)
    if prisoner is not None:
        return prisoner, False
    prisoner = Prisoner(crn=crn, updated_at=clock.now())
    session.add(prisoner)
    return prisoner, True


async def sentence_changed(session: AsyncSession, crn: str, sentence_url: str, case_allocation_url: str) -> None:
    """A custodial sentence created or amended: its dates, the person and the release region, then what follows
    (a newer pack version due; an unplanned release packed at once; a release moving the plan on)."""
    http = service_http(session)
    sentence = await http.get_json(sentence_url)
    if sentence is None or not sentence.get("custodial"):
        return
    custody = sentence.get("custody") or {}
    prisoner, new = await _prisoner(session, crn)
    has_pack = not new and await queries.latest_pack_version(session, crn) > 0
    before_release, before_region = prisoner.release_date, prisoner.region_code
    planned = prisoner.release_date
    was_released = prisoner.released_on is not None

    prisoner.sentence_id = sentence.get("id")
    for name in DATES:
        setattr(prisoner, name, _date(_field(custody, name)))
    prisoner.release_date = rules.release_date({n: getattr(prisoner, n) for n in rules.RELEASE_DATE_PRECEDENCE})
    prison = _field(custody, "prison_code")  # carried by case-allocation's custody detail when recorded
    if prison:
        prisoner.prison_code = str(prison)
    if _field(sentence, "pdu_code"):
        prisoner.pdu_code = _field(sentence, "pdu_code")  # the region follows the latest custodial sentence's PDU
    person = await http.get_json(f"{case_allocation_url}/people/{crn}")
    if person is not None:
        prisoner.noms_number = _field(person, "noms_number")
        names = (_field(person, "first_name"), _field(person, "last_name"))
        prisoner.full_name = " ".join(n for n in names if n) or None
    await _refresh_manager(session, prisoner, case_allocation_url)
    prisoner.updated_at = clock.now()
    await session.flush()

    if prisoner.released_on is not None and not was_released:
        unplanned = not has_pack or planned is None or prisoner.released_on < planned
        if unplanned:
            # Released before anyone planned for it: the pack is made now, not at the job's next run.
            await packs.generate(session, prisoner, packs.UNPLANNED_RELEASE)
        await plans.released(session, prisoner)
        return
    if prisoner.release_date != before_release:
        packs.mark_due(prisoner, packs.RELEASE_DATE_CHANGED, has_pack)
    elif prisoner.region_code != before_region:
        packs.mark_due(prisoner, packs.REGION_CHANGED, has_pack)


async def manager_changed(session: AsyncSession, crn: str, case_allocation_url: str) -> None:
    """A community offender manager allocated or transferred: their contact, and the release region it gives."""
    prisoner = await queries.prisoner(session, crn)
    if prisoner is None:
        return  # not someone in custody: nothing to project
    before = prisoner.region_code
    await _refresh_manager(session, prisoner, case_allocation_url)
    prisoner.updated_at = clock.now()
    if prisoner.region_code != before:
        packs.mark_due(prisoner, packs.REGION_CHANGED, await queries.latest_pack_version(session, crn) > 0)


async def _refresh_manager(session: AsyncSession, prisoner: Prisoner, case_allocation_url: str) -> None:
    http = service_http(session)
    manager = await http.get_json(f"{case_allocation_url}/people/{prisoner.crn}/manager")
    if manager and manager.get("allocated"):
        prisoner.com_staff_code = _field(manager, "staff_code")
        names = (_field(manager, "first_name"), _field(manager, "last_name"))
        prisoner.com_name = " ".join(n for n in names if n) or None
        prisoner.com_email = manager.get("email")
        prisoner.com_phone = manager.get("phone")
        if _field(manager, "pdu_code"):  # ...unless an allocated COM's PDU says otherwise
            prisoner.pdu_code = _field(manager, "pdu_code")
    if prisoner.pdu_code:
        pdu = await http.get_json(f"{case_allocation_url}/pdus/{prisoner.pdu_code}")
        if pdu is not None:
            prisoner.region_code = _field(pdu, "region_code")
