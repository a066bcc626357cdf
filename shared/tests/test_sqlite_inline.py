"""The inline SQLite driver behaves as a DB-API cursor/connection under SQLAlchemy's async engine."""

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from probation_shared.db import Database

METADATA = MetaData()
ITEMS = Table(
    "items",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(20), unique=True),
)


@pytest.fixture
async def database(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    async with database.unit_of_work() as session:
        await session.run_sync(lambda s: METADATA.create_all(s.connection()))
    yield database
    await database.dispose()


async def test_writes_commit_and_failures_roll_back(database):
    async with database.unit_of_work() as session:
        result = await session.execute(insert(ITEMS).values(name="a"))
        assert result.inserted_primary_key == (1,)
        await session.execute(insert(ITEMS), [{"name": "b"}, {"name": "c"}])
    with pytest.raises(Exception, match="UNIQUE"):
        async with database.unit_of_work() as session:
            await session.execute(insert(ITEMS).values(name="d"))
            await session.execute(insert(ITEMS).values(name="a"))
    async with database.unit_of_work(read_only=True) as session:
        assert (await session.scalars(select(ITEMS.c.name).order_by(ITEMS.c.id))).all() == ["a", "b", "c"]
        assert await session.scalar(select(func.count()).select_from(ITEMS)) == 3


async def test_streamed_results_and_the_write_guard_outside_units_of_work(database):
    async with database.unit_of_work() as session:
        await session.execute(insert(ITEMS), [{"name": f"n{i}"} for i in range(50)])
    async with database.engine.connect() as connection:
        streamed = await connection.stream(select(ITEMS.c.name).order_by(ITEMS.c.id))
        assert len([row async for row in streamed]) == 50
        with pytest.raises(Exception, match="readonly"):  # outside a unit of work nothing may write
            await connection.execute(insert(ITEMS).values(name="sneaky"))
