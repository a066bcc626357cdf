"""Issue 12's journey over real HTTP and the real broker, every service its own process (`deploy/run.py up`):
deploy/journey.py's steps, each checking what the user in that role sees; then `make demo`'s script against the
same running platform."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from deploy.journey import Journey, JourneyFailed, Platform
from probation_shared.devkeys import PRIVATE_NAME

from .conftest import ROOT

pytestmark = pytest.mark.journey


async def test_the_journey_from_sentence_to_both_providers(running_platform):
    key = (running_platform["state"] / "keys" / PRIVATE_NAME).read_bytes()
    lines: list[tuple[str, str]] = []

    def say(role: str, line: str) -> None:
        lines.append((role, line))

    async with httpx.AsyncClient(timeout=30) as client:
        journey = Journey(Platform(running_platform["urls"], key), say, client)
        try:
            await journey.run()
        except JourneyFailed as failed:
            pytest.fail(f"{failed}\n" + "\n".join(f"{r}: {t}" for r, t in lines) + running_platform["logs"]())
        finally:
            journey.close()
    roles = {role for role, _ in lines}
    assert {"practitioner", "SPO", "POM", "the person", "harbour-housing", "northern-works"} <= roles


def test_make_demo_runs_against_the_started_platform(running_platform):
    demo = subprocess.run(
        [
            sys.executable,
            "deploy/demo.py",
            "--state-dir",
            str(running_platform["state"]),
            "--base-port",
            str(running_platform["base_port"]),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr + running_platform["logs"]()
    for role in ("practitioner:", "SPO:", "POM:", "the person:", "harbour-housing:", "northern-works:"):
        assert role in demo.stdout
    assert "Done:" in demo.stdout


def test_the_demo_says_how_to_start_the_platform_when_it_is_not_running(tmp_path):
    demo = subprocess.run(
        [sys.executable, "deploy/demo.py", "--state-dir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert demo.returncode == 1 and "make run" in demo.stdout
