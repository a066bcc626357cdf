"""The README's run command, as a newcomer runs it: broker + five services as separate processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from deploy import registry
from probation_shared.auth import mint_token
from probation_shared.embedded_broker import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVICES = [s.name for s in registry.SERVICES]
pytestmark = pytest.mark.e2e


def _free_block(size: int) -> int:
    """A base port with `size` free ports after it."""
    for _ in range(50):
        base = free_port()
        if base + size < 65535 and all(_is_free(base + i) for i in range(size)):
            return base
    raise RuntimeError("no block of free ports")


def _is_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    state = tmp_path_factory.mktemp("platform")
    base, broker_port = _free_block(registry.SERVICES[-1].port - registry.SERVICES[0].port + 1), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "deploy/run.py",
            "up",
            "--state-dir",
            str(state),
            "--base-port",
            str(base),
            "--broker-port",
            str(broker_port),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = []
    deadline = time.monotonic() + 180
    for line in process.stdout:
        output.append(line)
        if "stops everything" in line or time.monotonic() > deadline:
            break
    if process.poll() is not None or not any("All services ready" in line for line in output):
        process.kill()
        pytest.fail("platform did not start:\n" + "".join(output) + _logs(state))
    urls = {s.name: f"http://127.0.0.1:{base + s.port - registry.SERVICES[0].port}" for s in registry.SERVICES}
    yield {"urls": urls, "state": state, "process": process, "output": "".join(output)}
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(30)


def _logs(state: Path) -> str:
    return "".join(f"\n--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted((state / "logs").glob("*.log")))


def _token(state: Path, role: str) -> str:
    return mint_token((state / "keys" / "dev-private.pem").read_bytes(), subject="e2e", roles=[role])


def test_all_five_services_are_ready_and_the_output_says_where_they_are(platform):
    for name, url in platform["urls"].items():
        assert httpx.get(f"{url}/health/readiness", timeout=5).status_code == 200, name
        assert url in platform["output"]
    assert "platform token" in platform["output"]


def test_a_person_registered_in_case_allocation_is_visible_on_risk_assessment_within_two_seconds(platform):
    headers = {"Authorization": f"Bearer {_token(platform['state'], 'PROBATION_PRACTITIONER')}"}
    created = httpx.post(
        f"{platform['urls']['case-allocation']}/people",
        json={"first_name": "Mary", "last_name": "Seacole", "date_of_birth": "1980-11-23", "sex": "FEMALE"},
        headers=headers,
        timeout=5,
    )
    assert created.status_code == 201, created.text
    crn = created.json()["crn"]
    # The acceptance criterion itself is a time: the consumers have joined (the runner waits for it).
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        if (
            httpx.get(f"{platform['urls']['risk-assessment']}/people/{crn}", headers=headers, timeout=2).status_code
            == 200
        ):
            return
        time.sleep(0.05)
    pytest.fail(f"{crn} not visible on risk-assessment within 2 s")


def test_ctrl_c_stops_every_process_it_started(platform):
    process = platform["process"]
    pids = (platform["state"] / "pids.json").read_text()
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(30) == 0
    import json

    started = json.loads(pids)
    for pid in [started["broker"], *started["services"]]:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    for url in platform["urls"].values():
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{url}/health/liveness", timeout=1)
