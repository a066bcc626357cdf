"""Convictions, offences, sentences, requirements and the OMiC handover state."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Conviction, HandoverState, Offence, Requirement, Sentence


async def get(session: AsyncSession, crn: str, sentence_id: int) -> Sentence | None:
    sentence = await session.get(Sentence, sentence_id)
    return sentence if sentence is not None and sentence.crn == crn else None


async def of_person(session: AsyncSession, crn: str) -> list[Sentence]:
    return list(
        await session.scalars(
            select(Sentence).where(Sentence.crn == crn).order_by(Sentence.sentence_date.desc(), Sentence.id.desc())
        )
    )


async def conviction(session: AsyncSession, conviction_id: int) -> Conviction | None:
    return await session.get(Conviction, conviction_id)


async def offences(session: AsyncSession, conviction_id: int) -> list[Offence]:
    return list(
        await session.scalars(select(Offence).where(Offence.conviction_id == conviction_id).order_by(Offence.id))
    )


async def requirements(session: AsyncSession, sentence_id: int) -> list[Requirement]:
    return list(
        await session.scalars(
            select(Requirement).where(Requirement.sentence_id == sentence_id).order_by(Requirement.id)
        )
    )


async def requirements_of(session: AsyncSession, sentence_ids: list[int]) -> list[Requirement]:
    if not sentence_ids:
        return []
    return list(
        await session.scalars(
            select(Requirement).where(Requirement.sentence_id.in_(sentence_ids)).order_by(Requirement.id)
        )
    )


async def get_requirement(session: AsyncSession, sentence_id: int, requirement_id: int) -> Requirement | None:
    row = await session.get(Requirement, requirement_id)
    return row if row is not None and row.sentence_id == sentence_id else None


async def requirement_by_id(session: AsyncSession, requirement_id: int) -> Requirement | None:
    return await session.get(Requirement, requirement_id)


async def handover(session: AsyncSession, crn: str) -> HandoverState | None:
    return await session.get(HandoverState, crn)


async def handovers_due(session: AsyncSession, on) -> list[HandoverState]:
    return list(
        await session.scalars(
            select(HandoverState)
            .where(
                HandoverState.responsible == "POM",
                HandoverState.handover_date.is_not(None),
                HandoverState.handover_date <= on,
            )
            .order_by(HandoverState.crn)
        )
    )
