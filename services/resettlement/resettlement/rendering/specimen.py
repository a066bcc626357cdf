"""A specimen pack with every section filled in (made-up person, made-up services): for previews of the layout,
the renderer's tests and its benchmark. No real person's data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ..domain.licence_conditions import plain_english, standard_codes
from ..domain.pack import Appointment, Contact, DirectoryEntry, LicenceCondition, PackContent, SupportNeed


def _condition(code: str) -> LicenceCondition:
    text = plain_english(code)
    assert text is not None, code
    return LicenceCondition(code=code, plain_english=text)


def specimen(full_name: str = "Sam Example", release_date: date | None = date(2027, 3, 2)) -> PackContent:
    """A full pack for `full_name`, released on `release_date` (a Tuesday by default) to Leeds."""
    day = release_date or date(2027, 3, 2)
    at = datetime(day.year, day.month, day.day, tzinfo=UTC)
    housing = DirectoryEntry(
        name="Leeds Housing Options",
        what_they_do="Help to find somewhere to live, and to stop you becoming homeless.",
        address="Merrion House, 110 Merrion Centre, Leeds LS2 8BB",
        phone="0113 000 0001",
        opening_hours="Monday to Friday, 9am to 5pm",
        who_can_use_it="Anyone who lives in Leeds, or is moving to Leeds",
    )
    drugs = DirectoryEntry(
        name="Forward Leeds",
        what_they_do="Support to stop or cut down drugs and alcohol.",
        address="Armley Park Court, Stanningley Road, Leeds LS12 2AE",
        phone="0113 000 0002",
        opening_hours="Monday to Friday, 9am to 5pm. Thursday until 7pm",
        who_can_use_it="Adults in Leeds. You do not need a doctor to send you",
    )
    com = Contact(name="Alex Officer", role="Your probation officer", phone="0113 000 0100", email=None)
    return PackContent(
        crn="X123456",
        version=1,
        generated_at=datetime(2027, 1, 5, 9, 0, tzinfo=UTC),
        reason="SCHEDULED",
        full_name=full_name,
        release_date=release_date,
        release_place="Leeds, Yorkshire and the Humber",
        region_code="YH",
        region_name="Yorkshire and the Humber",
        first_appointment=Appointment(
            when=at.replace(hour=14, minute=30),
            where="Leeds Probation Office, 1 Park Square, Leeds LS1 2NE",
            with_whom="Alex Officer, your probation officer",
            what_for="Your first meeting. Bring your licence and any ID you have.",
        ),
        community_offender_manager=com,
        support_needs=(
            SupportNeed(
                pathway="ACCOMMODATION",
                pathway_title="A place to live",
                need="Help to find somewhere to live",
                who_is_helping="Leeds Housing Options",
                services=(housing,),
            ),
            SupportNeed(
                pathway="DRUGS_AND_ALCOHOL",
                pathway_title="Drugs and alcohol",
                need="Help to stay off drugs",
                who_is_helping=None,
                services=(drugs,),
            ),
            SupportNeed(
                pathway="FINANCE_AND_ID",
                pathway_title="Money and ID",
                need="Help to open a bank account",
                who_is_helping=None,
            ),
        ),
        licence_conditions=tuple(_condition(code) for code in (*standard_codes(), "EXCLUSION_ZONE", "CURFEW")),
        health=(
            "You will leave prison with 7 days of your medicine.",
            "You are registered with Park Edge Practice, Leeds. Call them in your first week.",
        ),
        enhanced_support=(
            Appointment(
                when=at.replace(hour=10) + timedelta(days=2),
                where="Leeds Probation Office",
                with_whom="Alex Officer",
                what_for="Check how you are settling in",
            ),
        ),
        useful_contacts=(com, Contact(name="Jobcentre Plus", role="Benefits", phone="0800 000 0003", email=None)),
    )
