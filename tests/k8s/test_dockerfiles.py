"""The one image definition, checked by reading the Dockerfile (no Docker engine is needed to run this)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.k8s.checks import SERVICES

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_one_dockerfile_for_every_service():
    assert DOCKERFILE.exists()
    assert not list((ROOT / "services").glob("*/Dockerfile")), "services build from the root Dockerfile with --build-arg SERVICE"


def test_dockerfile_builds_from_constraints_runs_as_non_root_and_serves_without_workers():
    steps = instructions(DOCKERFILE.read_text())
    kinds = [k for k, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    assert ("ARG", "SERVICE") in steps

    installs = [i for i, (k, args) in enumerate(steps) if k == "RUN" and "pip install" in args]
    assert len(installs) == 1
    assert '-c constraints.txt ./shared "./services/${SERVICE}"' in steps[installs[0]][1]
    assert ("COPY", "constraints.txt ./") in steps

    users = [(i, args) for i, (k, args) in enumerate(steps) if k == "USER"]
    assert users, "no USER: the container would run as root"
    last_index, last_user = users[-1]
    assert last_user.split(":")[0] == "10001"
    assert last_index > installs[0] and "RUN" not in kinds[last_index:], "nothing may run as root after USER"

    cmd = json.loads(dict(steps)["CMD"])
    assert cmd[:2] == ["sh", "-c"] and "serve --host 0.0.0.0" in cmd[2] and "--workers none" in cmd[2]


def test_compose_builds_each_service_from_the_one_dockerfile_with_its_port():
    text = (ROOT / "deploy" / "compose.yaml").read_text()
    for service, port in SERVICES.items():
        assert f'args: {{SERVICE: {service}, PORT: "{port}"}}' in text


def test_dockerfile_and_manifests_fetch_nothing_by_url_and_name_no_machine_paths():
    files = [DOCKERFILE, ROOT / ".dockerignore", ROOT / "deploy" / "compose.yaml"]
    files += [p for p in (ROOT / "k8s").rglob("*") if p.is_file() and p.suffix in (".yaml", ".py", ".md")]
    for path in files:
        assert "/work/" not in path.read_text(), f"{path.relative_to(ROOT)} names a machine path"
    assert not re.search(r"https?://|git\+|--index-url|--extra-index-url|--find-links", DOCKERFILE.read_text())


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and not line.startswith("#")}
    assert {"**/.venv", "**/.run", ".git", "**/__pycache__"} <= ignored
    assert "constraints.txt" not in ignored and "shared" not in ignored and "services" not in ignored
