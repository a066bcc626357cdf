"""The migrations build exactly the models' schema (SQLite and PostgreSQL), and the seed is idempotent."""

from sqlalchemy import func, select

from probation_shared.migrations import schema_drift
from refer_monitor.db.models import Base, Contract, Intervention, Provider
from refer_monitor.service import SPEC


async def test_migrations_match_the_models_and_seed_is_idempotent(rm):
    assert await schema_drift(rm.settings.database_url, Base.metadata) == []
    await SPEC.seed(rm.database, rm.settings)  # a second time (the fixture seeded once)
    async with rm.database.unit_of_work() as session:
        counts = [await session.scalar(select(func.count()).select_from(m)) for m in (Provider, Contract, Intervention)]
    assert counts == [4, 5, 5]
