"""Rows staged by read-only units (audit rows of reads) are written by group commit: concurrent reads share
one write transaction, each returns only after it committed, and one caller's bad row fails only that caller."""

import asyncio

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, func, select

from probation_shared.db import Database, stage_write

METADATA = MetaData()
AUDIT = Table(
    "audit",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("who", String(20), unique=True),
)


@pytest.fixture
async def database(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'group.db'}")
    async with database.unit_of_work() as session:
        await session.run_sync(lambda s: METADATA.create_all(s.connection()))
    yield database
    await database.dispose()


def count_commits(database: Database) -> list[int]:
    commits = [0]

    def on_commit(_conn) -> None:
        commits[0] += 1

    event.listen(database.engine.sync_engine, "commit", on_commit)
    return commits


async def stored(database: Database) -> list[str]:
    async with database.unit_of_work(read_only=True) as session:
        return list(await session.scalars(select(AUDIT.c.who).order_by(AUDIT.c.who)))


async def read_and_audit(database: Database, who: str, seen: list[str]) -> None:
    async with database.unit_of_work(read_only=True) as session:
        await session.scalar(select(func.count()).select_from(AUDIT))
        stage_write(session, AUDIT, {"who": who})
    # Returned only after the group's commit: the row is already readable from another connection.
    seen.extend(await stored(database))


async def test_concurrent_reads_share_one_write_and_each_waits_for_its_commit(database):
    commits = count_commits(database)
    seen: list[str] = []
    names = [f"reader{i:02d}" for i in range(20)]
    await asyncio.gather(*(read_and_audit(database, who, seen) for who in names))
    assert await stored(database) == names
    assert set(names) <= set(seen)
    # 20 read transactions, 20 checks, 1 of this test; the 20 audit rows took far fewer than 20 writes
    writes = commits[0] - 20 - 20 - 1
    assert 1 <= writes < 5, writes


async def test_a_failing_row_fails_only_its_own_caller(database):
    async with database.unit_of_work() as session:
        stage_write(session, AUDIT, {"who": "taken"})
    results = await asyncio.gather(
        *(read_and_audit(database, who, []) for who in ("first", "taken", "last")), return_exceptions=True
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], Exception) and "UNIQUE" in str(results[1])
    assert await stored(database) == ["first", "last", "taken"]
