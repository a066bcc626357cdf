"""Contacts, breaches and drug tests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Breach, Contact, DrugTest


async def get(session: AsyncSession, crn: str, contact_id: int) -> Contact | None:
    row = await session.get(Contact, contact_id)
    return row if row is not None and row.crn == crn else None


async def of_person(session: AsyncSession, crn: str) -> list[Contact]:
    return list(
        await session.scalars(
            select(Contact).where(Contact.crn == crn).order_by(Contact.contact_date.desc(), Contact.id.desc())
        )
    )


async def unacceptable_absences(session: AsyncSession, crn: str) -> list[Contact]:
    return list(
        await session.scalars(
            select(Contact)
            .where(Contact.crn == crn, Contact.outcome == "FTA_UNACCEPTABLE")
            .order_by(Contact.contact_date, Contact.id)
        )
    )


async def breaches(session: AsyncSession, crn: str) -> list[Breach]:
    return list(await session.scalars(select(Breach).where(Breach.crn == crn).order_by(Breach.id)))


async def get_breach(session: AsyncSession, crn: str, breach_id: int) -> Breach | None:
    row = await session.get(Breach, breach_id)
    return row if row is not None and row.crn == crn else None


async def drug_tests(session: AsyncSession, crn: str) -> list[DrugTest]:
    return list(
        await session.scalars(
            select(DrugTest).where(DrugTest.crn == crn).order_by(DrugTest.test_date.desc(), DrugTest.id.desc())
        )
    )


async def get_drug_test(session: AsyncSession, crn: str, test_id: int) -> DrugTest | None:
    row = await session.get(DrugTest, test_id)
    return row if row is not None and row.crn == crn else None
