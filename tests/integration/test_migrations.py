"""Every service's migrations build its schema on SQLite and PostgreSQL, match its models exactly,
and can be rolled back."""

from __future__ import annotations

import asyncio
import importlib

import pytest
from sqlalchemy import inspect

from deploy import registry
from probation_shared.db import Database
from probation_shared.migrations import downgrade, schema_drift, upgrade
from probation_shared.testing.plugin import fresh_database_url

SERVICES = [s.package for s in registry.SERVICES]


@pytest.mark.parametrize("package", SERVICES)
async def test_migrations_match_the_models_and_roll_back(package, tmp_path):
    spec = importlib.import_module(f"{package}.service").SPEC
    async with fresh_database_url(tmp_path, spec.name) as url:
        await asyncio.to_thread(upgrade, spec.migrations_dir, url)
        assert await schema_drift(url, spec.metadata) == [], "models and migrations differ: run `make migration`"
        assert {"outbox", "inbox", "audit_log"} <= await _tables(url)

        await asyncio.to_thread(downgrade, spec.migrations_dir, url, "base")
        assert await _tables(url) <= {"alembic_version"}


async def _tables(url: str) -> set[str]:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await database.dispose()
