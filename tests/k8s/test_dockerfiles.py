"""The service images, checked by reading their Dockerfiles (no Docker engine is needed to run this)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.k8s.checks import SERVICES

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.mark.parametrize("service, port", SERVICES.items())
def test_dockerfile_builds_from_constraints_runs_as_non_root_and_serves_without_workers(service, port):
    path = ROOT / "services" / service / "Dockerfile"
    assert path.exists(), f"no {path.relative_to(ROOT)}"
    steps = instructions(path.read_text())
    kinds = [k for k, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")

    installs = [i for i, (k, args) in enumerate(steps) if k == "RUN" and "pip install" in args]
    assert len(installs) == 1
    pip = steps[installs[0]][1]
    assert f"-c constraints.txt ./shared ./services/{service}" in pip
    assert ("COPY", "constraints.txt ./") in steps

    users = [(i, args) for i, (k, args) in enumerate(steps) if k == "USER"]
    assert users, "no USER: the container would run as root"
    last_index, last_user = users[-1]
    assert last_user.split(":")[0] == "10001"
    assert last_index > installs[0] and "RUN" not in kinds[last_index:], "nothing may run as root after USER"

    assert ("EXPOSE", str(port)) in steps
    cmd = json.loads(dict(steps)["CMD"])
    assert cmd == ["python", "-m", service.replace("-", "_"), "serve", "--host", "0.0.0.0", "--port", str(port), "--workers", "none"]
    # The package finds its Alembic folder beside itself, so it runs from its source folder.
    assert steps[[k for k, _ in steps].index("USER") - 1] == ("WORKDIR", f"/app/services/{service}")


def test_dockerfiles_and_manifests_fetch_nothing_by_url_and_name_no_machine_paths():
    files = [ROOT / "services" / s / "Dockerfile" for s in SERVICES] + [ROOT / ".dockerignore"]
    files += [p for p in (ROOT / "k8s").rglob("*") if p.is_file() and p.suffix in (".yaml", ".py", ".md")]
    files.append(ROOT / "deploy" / "compose.yaml")
    for path in files:
        text = path.read_text()
        assert "/work/" not in text, f"{path.relative_to(ROOT)} names a machine path"
    for service in SERVICES:
        text = (ROOT / "services" / service / "Dockerfile").read_text()
        assert not re.search(r"https?://|git\+|--index-url|--extra-index-url|--find-links", text)


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and not line.startswith("#")}
    assert {"**/.venv", "**/.run", ".git", "**/__pycache__"} <= ignored
    assert "constraints.txt" not in ignored and "shared" not in ignored and "services" not in ignored
