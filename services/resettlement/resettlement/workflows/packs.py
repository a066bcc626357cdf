"""Resettlement packs: assembled from the projection, the plan and the release region's directory, rendered
off the event loop by the renderer, stored as a new version (old versions stay), announced on the bus."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock

from ..db import queries
from ..db.models import Pack, Prisoner
from ..domain import pack as content
from ..domain import release as rules
from ..domain.licence_conditions import CONDITIONS
from ..domain.pathways import (
    HEALTH_CONTINUITY,
    OPEN,
    SUPPORT_NEEDS,
    TITLES,
    WORKER_WORDS,
    Pathway,
    PathwayStatus,
    ReportType,
    Worker,
)
from ..domain.regions import REGIONS
from ..events import publish

RENDERER = "pack_renderer"  # the key of the renderer in the database context (so in every session's info)

SCHEDULED = "SCHEDULED"
RELEASE_DATE_CHANGED = "RELEASE_DATE_CHANGED"
REGION_CHANGED = "REGION_CHANGED"
PLAN_CHANGED = "PLAN_CHANGED"
UNPLANNED_RELEASE = "UNPLANNED_RELEASE"


class Rendered(Protocol):
    html: str
    pdf: bytes


class Renderer(Protocol):
    async def render(self, content: content.PackContent) -> Any: ...


def renderer(session: AsyncSession) -> Renderer:
    return session.info[RENDERER]


def mark_due(prisoner: Prisoner, reason: str, has_pack: bool) -> None:
    """A newer version is due (made by the next run of the pack job), when a pack exists to be out of date."""
    if has_pack and prisoner.released_on is None:
        prisoner.pack_due_reason = reason


@dataclass(frozen=True)
class PackWork:
    """One pack to make: read and assembled in one unit of work, rendered outside any, stored in another."""

    crn: str
    reason: str
    content: content.PackContent


async def due_work(session: AsyncSession, today: date | None = None, limit: int = 100) -> list[PackWork]:
    """Everyone due for release within 12 weeks who has no pack, and everyone whose release date, region or
    plan changed since their last one, each with the content of their next version."""
    today = today or clock.today()
    due = await queries.needing_a_pack(
        session, start=today, end=today + timedelta(days=rules.PACK_WINDOW_DAYS), limit=limit
    )
    now = clock.now()
    work = []
    for prisoner in due:
        reason = prisoner.pack_due_reason or SCHEDULED
        version = await queries.latest_pack_version(session, prisoner.crn) + 1
        work.append(PackWork(prisoner.crn, reason, await assemble(session, prisoner, reason, version, now)))
    return work


async def render_all(renderer: Renderer, work: list[PackWork]) -> list[Any]:
    """Every pack at once: the renderer's worker processes take them side by side, one per core."""
    return list(await asyncio.gather(*(renderer.render(w.content) for w in work)))


async def store_all(session: AsyncSession, work: list[PackWork], rendered: list[Any]) -> list[Pack]:
    """Keep each rendered version, unless the person changed meanwhile (a newer version was made, they were
    released, or another change came in): their pack stays due, and the next run makes it afresh."""
    made = []
    for item, output in zip(work, rendered, strict=True):
        prisoner = await queries.prisoner(session, item.crn)
        if prisoner is None or prisoner.released_on is not None:
            continue
        if prisoner.pack_due_reason not in (None, item.reason):
            continue  # another change came in while it rendered
        if await queries.latest_pack_version(session, item.crn) + 1 != item.content.version:
            continue
        if (prisoner.released_on or prisoner.release_date, prisoner.region_code) != (
            item.content.release_date,
            item.content.region_code or None,
        ):
            continue  # the date or the region moved while it rendered: the next run makes it afresh
        made.append(await _store(session, prisoner, item.reason, item.content, output))
    return made


async def generate_due(session: AsyncSession, today: date | None = None, limit: int = 100) -> list[Pack]:
    """The pack job's three steps in one unit of work (the job itself renders outside it: `jobs.pack_job`)."""
    work = await due_work(session, today, limit)
    return await store_all(session, work, await render_all(renderer(session), work))


async def generate(session: AsyncSession, prisoner: Prisoner, reason: str) -> Pack:
    """One pack at once, inside the caller's unit of work (an unplanned release cannot wait for the job)."""
    version = await queries.latest_pack_version(session, prisoner.crn) + 1
    assembled = await assemble(session, prisoner, reason, version, clock.now())
    return await _store(session, prisoner, reason, assembled, await renderer(session).render(assembled))


async def _store(
    session: AsyncSession, prisoner: Prisoner, reason: str, assembled: content.PackContent, rendered: Any
) -> Pack:
    version = assembled.version
    pack = Pack(
        crn=prisoner.crn,
        version=version,
        reason=reason,
        release_date=prisoner.released_on or prisoner.release_date,
        region_code=prisoner.region_code,
        generated_at=assembled.generated_at,
        html=rendered.html,
        pdf=rendered.pdf,
    )
    session.add(pack)
    prisoner.pack_due_reason = None
    await session.flush()
    await publish.publish(
        session,
        "resettlement.pack.generated",
        prisoner.crn,
        "Resettlement pack generated",
        f"/people/{prisoner.crn}/pack/versions/{version}",
        publish.PackGenerated(version=version, reason=reason, regionCode=prisoner.region_code),
    )
    return pack


async def assemble(
    session: AsyncSession, prisoner: Prisoner, reason: str, version: int, now: datetime
) -> content.PackContent:
    """The pack's content: only the release region's directory entries, for the needs still open."""
    region = prisoner.region_code or ""
    needs = await _open_needs(session, prisoner.crn)
    directory = await queries.directory(session, region) if region else []
    by_pathway: dict[str, list] = {}
    for entry in directory:
        by_pathway.setdefault(entry.pathway, []).append(entry)
    support = []
    for path, code, worker in needs:
        services = tuple(
            content.DirectoryEntry(
                name=e.name,
                what_they_do=e.what_they_do,
                address=f"{e.address}, {e.town}",
                phone=e.phone,
                opening_hours=e.opening_hours,
                who_can_use_it=e.who_can_use_it,
            )
            for e in by_pathway.get(path.value, [])
        )
        support.append(
            content.SupportNeed(
                pathway=path.value,
                pathway_title=TITLES[path],
                need=SUPPORT_NEEDS[path][code],
                who_is_helping=WORKER_WORDS[worker],
                services=services,
            )
        )
    released = prisoner.released_on or prisoner.release_date
    com = None
    if prisoner.com_name:
        com = content.Contact(
            name=prisoner.com_name, role="Your probation officer", phone=prisoner.com_phone, email=prisoner.com_email
        )
    enhanced = tuple(
        content.Appointment(
            when=datetime.combine(day, time(10, 0)),
            where="Your probation office",
            with_whom=prisoner.com_name or "Your probation officer",
            what_for=what,
        )
        for day, what in (rules.enhanced_support(released) if released else [])
    )
    region_name = REGIONS.get(region, region)
    return content.PackContent(
        crn=prisoner.crn,
        version=version,
        generated_at=now,
        reason=reason,
        full_name=prisoner.full_name or prisoner.crn,
        release_date=released,
        release_place=region_name,
        region_code=region,
        region_name=region_name,
        first_appointment=enhanced[0] if enhanced else None,
        community_offender_manager=com,
        support_needs=tuple(support),
        licence_conditions=tuple(
            content.LicenceCondition(code=code, plain_english=CONDITIONS[code].plain_english)
            for code in prisoner.licence_conditions or []
            if code in CONDITIONS
        ),
        health=tuple(HEALTH_CONTINUITY[code] for _, code, _ in needs if code in HEALTH_CONTINUITY),
        enhanced_support=enhanced,
    )


async def _open_needs(session: AsyncSession, crn: str) -> list[tuple[Pathway, str, Worker]]:
    """Needs recorded in the latest report (pre-release once it exists) on pathways whose status is still open."""
    plan = await queries.plan(session, crn)
    if plan is None:
        return []
    statuses = {
        p.pathway: (PathwayStatus(p.status), Worker(p.worker)) for p in await queries.pathways(session, plan.id)
    }
    report = await queries.report(session, crn, ReportType.PRE_RELEASE.value) or await queries.report(
        session, crn, ReportType.IMMEDIATE_NEEDS.value
    )
    if report is None:
        return []
    needs = []
    for path in Pathway:
        status, worker = statuses.get(path.value, (PathwayStatus.NOT_STARTED, Worker.RESETTLEMENT_WORKER))
        if status not in OPEN:
            continue
        for code in (report.pathways.get(path.value) or {}).get("needs", []):
            if code in SUPPORT_NEEDS[path]:
                needs.append((path, code, worker))
    return needs
