"""Demo directory (`python -m resettlement seed`): invented services in real towns, for each of the 12 regions."""

from __future__ import annotations

from probation_shared import clock
from probation_shared.db import Database

from .db import queries
from .db.models import DirectoryEntry
from .domain.pathways import Pathway

TOWNS: dict[str, str] = {
    "NE": "Newcastle upon Tyne",
    "YH": "Leeds",
    "EM": "Nottingham",
    "EE": "Norwich",
    "KSS": "Maidstone",
    "SC": "Oxford",
    "SW": "Bristol",
    "WAL": "Cardiff",
    "WM": "Birmingham",
    "GM": "Manchester",
    "NW": "Liverpool",
    "LON": "Islington",
}

# (pathway, invented name pattern, what they do, who can use it)
SERVICES = (
    (
        Pathway.ACCOMMODATION,
        "{town} Housing Advice Hub",
        "Help to find a place to live and keep it.",
        "Anyone leaving prison",
    ),
    (Pathway.FINANCE_AND_ID, "{town} Money and ID Point", "Bank accounts, ID documents, benefit claims.", "Adults"),
    (Pathway.EDUCATION_SKILLS_AND_WORK, "{town} Fresh Start Jobs", "Job search, CVs and short courses.", "Adults"),
    (Pathway.DRUGS_AND_ALCOHOL, "{town} Recovery Together", "Drug and alcohol support, walk-in.", "Anyone over 18"),
    (Pathway.HEALTH, "{town} Community Health Link", "Registering with a GP, mental health support.", "Anyone"),
    (
        Pathway.CHILDREN_FAMILIES_AND_COMMUNITY,
        "{town} Families Reconnect",
        "Support to rebuild contact with family.",
        "Parents and carers",
    ),
)


async def seed(database: Database, settings) -> None:
    async with database.unit_of_work() as session:
        if not await queries.directory_is_empty(session):
            return  # seeded already, or kept by the regions since: never overwritten
        now = clock.now()
        for region, town in TOWNS.items():
            for i, (pathway, name, what, who) in enumerate(SERVICES):
                session.add(
                    DirectoryEntry(
                        region_code=region,
                        pathway=pathway.value,
                        name=name.format(town=town),
                        what_they_do=what,
                        town=town,
                        address=f"{10 + i} High Street",
                        phone=f"0300 555 {100 + i:04d}",
                        opening_hours="Monday to Friday, 9am to 5pm",
                        who_can_use_it=who,
                        updated_at=now,
                        updated_by="seed",
                    )
                )
