"""The embedded platform as a newcomer runs it (`deploy/run.py up`: broker + every service, each its own process),
on SQLite files, or on PostgreSQL when PLATFORM_TEST_POSTGRES_URL is set: then each service gets its own throwaway
database on that server, dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from deploy import registry
from probation_shared.embedded_broker import free_port
from probation_shared.testing.plugin import POSTGRES_ENV

ROOT = Path(__file__).resolve().parents[2]


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _free_block(size: int) -> int:
    for _ in range(50):
        base = free_port()
        if base + size < 65535 and all(_is_free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no block of free ports")


async def _drop_databases(server: str, prefix: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for service in registry.SERVICES:
            await admin.execute(f'DROP DATABASE IF EXISTS "{prefix}_{service.package}" WITH (FORCE)')
    finally:
        await admin.close()


def _logs(state: Path) -> str:
    return "".join(f"\n--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted((state / "logs").glob("*.log")))


@pytest.fixture(scope="module")
def running_platform(tmp_path_factory):
    """{"urls", "state", "base_port", "logs"}: the platform up and ready; stopped (and its databases dropped) after.
    The pack job runs every second, so the pack step does not wait out its interval."""
    state = tmp_path_factory.mktemp("platform")
    base = _free_block(registry.SERVICES[-1].port - registry.SERVICES[0].port + 1)
    command = [
        sys.executable,
        "deploy/run.py",
        "up",
        "--state-dir",
        str(state),
        "--base-port",
        str(base),
        "--broker-port",
        str(free_port()),
    ]
    server = os.environ.get(POSTGRES_ENV)
    prefix = f"journey_{uuid.uuid4().hex[:8]}"
    if server:
        command += ["--postgres", server, "--database-prefix", prefix]
    env = {**os.environ, "RESETTLEMENT_PACK_JOB_INTERVAL_SECONDS": "1"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    output = []
    deadline = time.monotonic() + 240
    try:
        for line in process.stdout:
            output.append(line)
            if "stops everything" in line or time.monotonic() > deadline:
                break
        if process.poll() is not None or not any("All services ready" in line for line in output):
            pytest.fail("platform did not start:\n" + "".join(output) + _logs(state))
        urls = {s.name: f"http://127.0.0.1:{base + s.port - registry.SERVICES[0].port}" for s in registry.SERVICES}
        yield {"urls": urls, "state": state, "base_port": base, "logs": lambda: _logs(state)}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if server:
            asyncio.run(_drop_databases(server, prefix))
