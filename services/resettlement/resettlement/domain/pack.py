"""What a resettlement pack says, as plain data: the workflows assemble it, `rendering` turns it into HTML and PDF.

Everything here is already chosen for the reader (the person leaving prison): their region's directory
entries only, licence conditions already in plain English. The renderer adds no facts of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class DirectoryEntry:
    """A local service from the release region's directory, for one open support need."""

    name: str
    what_they_do: str
    address: str
    phone: str
    opening_hours: str
    who_can_use_it: str


@dataclass(frozen=True)
class SupportNeed:
    pathway: str  # a Pathway value, e.g. ACCOMMODATION
    pathway_title: str  # plain words, e.g. "A place to live"
    need: str  # plain words, e.g. "Help to find somewhere to live"
    who_is_helping: str | None
    services: tuple[DirectoryEntry, ...] = ()


@dataclass(frozen=True)
class Appointment:
    when: datetime
    where: str
    with_whom: str
    what_for: str


@dataclass(frozen=True)
class Contact:
    name: str
    role: str  # plain words, e.g. "Your probation officer"
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class LicenceCondition:
    code: str
    plain_english: str


@dataclass(frozen=True)
class PackContent:
    crn: str
    version: int
    generated_at: datetime
    # Why this version was made: SCHEDULED, RELEASE_DATE_CHANGED, REGION_CHANGED, PLAN_CHANGED, UNPLANNED_RELEASE.
    reason: str
    full_name: str
    release_date: date | None  # None: released unexpectedly, date not recorded
    release_place: str  # the region (and town when known) they are released to
    region_code: str
    region_name: str
    first_appointment: Appointment | None
    community_offender_manager: Contact | None
    support_needs: tuple[SupportNeed, ...] = ()
    licence_conditions: tuple[LicenceCondition, ...] = ()
    health: tuple[str, ...] = ()  # health continuity, in plain sentences (prescriptions, GP)
    enhanced_support: tuple[Appointment, ...] = ()  # the first two weeks after release
    useful_contacts: tuple[Contact, ...] = field(default_factory=tuple)
