"""Migration 0003 keeps what was there: plain-text secrets become encrypted, old statuses renamed,
each endpoint's messages numbered in order; and the downgrade gives them back."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from probation_shared.migrations import downgrade, upgrade
from webhooks.service import SPEC
from webhooks.settings import DEV_ENCRYPTION_KEY
from webhooks.vault import SecretVault


@pytest.mark.sqlite_only
async def test_existing_endpoints_and_deliveries_survive_the_upgrade_and_the_downgrade(tmp_path):
    path = tmp_path / "webhooks.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade, SPEC.migrations_dir, url, "0002")
    with sqlite3.connect(path) as c:
        c.execute(
            "insert into endpoint values "
            "('ep1','P1','https://x.example/h','whsec_AAAA','d',1,null,'2026-01-01 00:00:00')"
        )
        for i, status in enumerate(["DELIVERED", "FAILED", "ENDPOINT_DISABLED", "PENDING"]):
            c.execute(
                "insert into delivery "
                "(id,endpoint_id,provider_id,event_type,source_event_id,payload,status,attempts,created_at) "
                "values (?,?,?,?,?,?,?,?,?)",
                (f"m{i}", "ep1", "P1", "t", "s", "{}", status, 1, f"2026-01-01 00:00:0{i}"),
            )
    await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
    with sqlite3.connect(path) as c:
        [(next_seq, token)] = c.execute("select next_seq, secret_encrypted from endpoint").fetchall()
        rows = c.execute("select id, seq, status, person_key, dead_at is not null from delivery order by id").fetchall()
    assert "whsec_AAAA" not in token and SecretVault([DEV_ENCRYPTION_KEY]).decrypt(token) == "whsec_AAAA"
    assert next_seq == 4
    assert rows == [
        ("m0", 0, "DELIVERED", "", 0),
        ("m1", 1, "DEAD", "", 1),
        ("m2", 2, "CANCELLED", "", 0),
        ("m3", 3, "PENDING", "", 0),
    ]

    await asyncio.to_thread(downgrade, SPEC.migrations_dir, url, "0002")
    with sqlite3.connect(path) as c:
        assert c.execute("select secret from endpoint").fetchall() == [("whsec_AAAA",)]
        assert [s for (s,) in c.execute("select status from delivery order by id")] == [
            "DELIVERED",
            "FAILED",
            "ENDPOINT_DISABLED",
            "PENDING",
        ]
