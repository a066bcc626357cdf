"""Reference data for local runs: a few providers, contracts and interventions (idempotent)."""

from __future__ import annotations

from datetime import date

from probation_shared.db import Database
from probation_shared.settings import PlatformSettings

from .db import queries as q
from .db.models import Contract, Intervention, Provider, Subcontractor

PROVIDERS = [
    ("harbour-housing", "Harbour Housing Trust"),
    ("northern-works", "Northern Works ETE"),
    ("bridge-wellbeing", "Bridge Wellbeing CIC"),
    ("keystone-finance", "Keystone Finance Advice"),
]

CONTRACTS = [
    # reference, type, prime, subcontractors, region, pcc area, sex, min age, max age, cap
    ("ACC-NE-001", "ACC", "harbour-housing", ["bridge-wellbeing"], "North East", None, "ALL", 18, None, 400),
    ("ETE-NE-001", "ETE", "northern-works", [], "North East", None, "ALL", 18, 65, 300),
    ("PWB-DUR-001", "PWB", "bridge-wellbeing", [], None, "Durham", "ALL", 18, None, 150),
    ("FBD-LDN-001", "FBD", "keystone-finance", [], "London", None, "ALL", 18, None, 500),
    ("WMN-LDN-001", "WOS", "bridge-wellbeing", [], "London", None, "FEMALE", 18, None, 200),
]

INTERVENTIONS = [
    ("7b0c6f0e-0000-4000-8000-000000000001", "ACC-NE-001", "Accommodation support (North East)"),
    ("7b0c6f0e-0000-4000-8000-000000000002", "ETE-NE-001", "Into work (North East)"),
    ("7b0c6f0e-0000-4000-8000-000000000003", "PWB-DUR-001", "Personal wellbeing (Durham)"),
    ("7b0c6f0e-0000-4000-8000-000000000004", "FBD-LDN-001", "Finance, benefits and debt (London)"),
    ("7b0c6f0e-0000-4000-8000-000000000005", "WMN-LDN-001", "Women's service (London)"),
]


async def seed(database: Database, settings: PlatformSettings) -> None:
    async with database.unit_of_work() as session:
        for pid, name in PROVIDERS:
            if await q.get_provider(session, pid) is None:
                session.add(Provider(id=pid, name=name))
        await session.flush()
        for ref, kind, prime, subs, region, pcc, sex, lo, hi, cap in CONTRACTS:
            if await q.get_contract(session, ref) is None:
                session.add(
                    Contract(
                        reference=ref,
                        contract_type=kind,
                        prime_provider_id=prime,
                        region=region,
                        pcc_area=pcc,
                        eligible_sex=sex,
                        min_age=lo,
                        max_age=hi,
                        referral_start_date=date(2024, 1, 1),
                        referral_end_date=date(2030, 12, 31),
                        fixed_price_pence=120_000_00,
                        volume_cap=cap,
                    )
                )
                session.add_all([Subcontractor(contract_reference=ref, provider_id=s) for s in subs])
        await session.flush()
        for iid, ref, title in INTERVENTIONS:
            if await q.get_intervention(session, iid) is None:
                session.add(Intervention(id=iid, contract_reference=ref, title=title, description=title))
