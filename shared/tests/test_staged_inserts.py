"""Staged rows are inserted through an insert compiled once and handed to the driver as tuples where that is
the same as Core's insert; where it might not be (a left-out column with a Python default) Core's insert
runs. Rows giving different columns are inserted a run at a time. The stored values are what Core stores."""

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, select

from probation_shared import db
from probation_shared.db import Database, stage_write

METADATA = MetaData()
ROWS = Table(
    "rows",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(50), nullable=False),
    Column("doc", JSON, nullable=True),
    Column("at", DateTime(timezone=True), nullable=True),
    Column("kind", String(10), nullable=True, default="plain"),
)
CORE = Table("core_rows", METADATA, *[c._copy() for c in ROWS.c])


@pytest.fixture
async def database(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'staged.db'}")
    async with database.unit_of_work() as session:
        await session.run_sync(lambda s: METADATA.create_all(s.connection()))
    yield database
    await database.dispose()


async def stored(database: Database, table: Table) -> list[tuple]:
    async with database.unit_of_work(read_only=True) as session:
        columns = [c for c in table.c if c.key != "id"]
        return [tuple(r) for r in (await session.execute(select(*columns).order_by(table.c.id))).all()]


def test_the_driver_path_is_taken_only_where_it_is_the_same_as_core():
    from sqlalchemy.dialects import postgresql, sqlite

    with_kind = ("name", "doc", "at", "kind")
    assert db._plan_of(sqlite.dialect(), ROWS, with_kind) is not None
    assert db._plan_of(sqlite.dialect(), ROWS, ("name", "doc", "at")) is None  # `kind` has a Python default
    assert db._plan_of(sqlite.dialect(), ROWS, ("name", "nope")) is None
    assert db._plan_of(postgresql.dialect(), ROWS, with_kind) is None


values = st.fixed_dictionaries(
    {
        "name": st.text(max_size=20),
        "doc": st.none() | st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3),
        "at": st.none() | st.datetimes(timezones=st.just(UTC)),
    },
    optional={"kind": st.none() | st.sampled_from(["a", "b"])},
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(values, min_size=1, max_size=6))
async def test_stored_values_are_what_core_stores(database, rows):
    async with database.unit_of_work() as session:
        await session.execute(ROWS.delete())
        await session.execute(CORE.delete())
    async with database.unit_of_work() as session:
        for row in rows:
            stage_write(session, ROWS, dict(row))
    async with database.unit_of_work() as session:
        for row in rows:
            await session.execute(CORE.insert().values(**row))
    assert await stored(database, ROWS) == await stored(database, CORE)


async def test_a_timestamp_round_trips(database):
    at = datetime(2026, 12, 2, 6, 30, 1, 123456, tzinfo=UTC)
    async with database.unit_of_work() as session:
        stage_write(session, ROWS, {"name": "n", "doc": {"a": [1, 2]}, "at": at, "kind": None})
    ((name, doc, stored_at, kind),) = await stored(database, ROWS)
    assert (name, doc, kind) == ("n", {"a": [1, 2]}, None)
    assert stored_at.replace(tzinfo=UTC) == at
