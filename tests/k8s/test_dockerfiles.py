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
    assert not list((ROOT / "services").glob("*/Dockerfile")), (
        "services build from the root Dockerfile with --build-arg SERVICE"
    )


def test_dockerfile_builds_from_constraints_runs_as_non_root_from_site_packages_and_serves_without_workers():
    steps = instructions(DOCKERFILE.read_text())
    stages = [i for i, (k, _) in enumerate(steps) if k == "FROM"]
    assert [steps[i] for i in stages] == [("FROM", "python:3.11-slim AS build"), ("FROM", "python:3.11-slim")]
    runtime = steps[stages[1] :]
    kinds = [k for k, _ in runtime]
    assert ("ARG", "SERVICE") in steps

    installs = [i for i, (k, args) in enumerate(runtime) if k == "RUN" and "pip install" in args]
    assert len(installs) == 1
    assert "-c /tmp/constraints.txt /wheels/*.whl" in runtime[installs[0]][1]
    # The runtime stage keeps no source: only wheels built in the first stage are copied in.
    assert [args for k, args in runtime if k == "COPY"] == [
        "constraints.txt /tmp/constraints.txt",
        "--from=build /wheels /wheels",
    ]
    workdirs = [args for k, args in runtime if k == "WORKDIR"]
    assert workdirs and not any(w.startswith(("/app", "/src")) or "services" in w for w in workdirs)

    users = [(i, args) for i, (k, args) in enumerate(runtime) if k == "USER"]
    assert users, "no USER: the container would run as root"
    last_index, last_user = users[-1]
    assert last_user.split(":")[0] == "10001"
    assert last_index > installs[0] and "RUN" not in kinds[last_index:], "nothing may run as root after USER"

    cmd = json.loads(dict(runtime)["CMD"])
    assert cmd[:2] == ["sh", "-c"] and "serve --host 0.0.0.0" in cmd[2] and "--workers none" in cmd[2]


def test_each_service_ships_its_migrations_and_data_in_its_package(tmp_path):
    """What the image installs: a wheel per service, holding its Alembic folder (and its data files)."""
    import shutil
    import subprocess
    import sys
    import zipfile

    for service in SERVICES:
        package = service.replace("-", "_")
        # Built from a copy, so setuptools' build folder lands outside the source tree.
        source = shutil.copytree(
            ROOT / "services" / service,
            tmp_path / "src" / service,
            ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"),
        )
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / service), str(source)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert built.returncode == 0, built.stderr
        names = zipfile.ZipFile(next((tmp_path / service).glob("*.whl"))).namelist()
        for expected in (f"{package}/migrations/env.py", f"{package}/migrations/script.py.mako"):
            assert expected in names, (service, expected)
        versions = sorted(p.name for p in (source / package / "migrations" / "versions").glob("*.py"))
        assert versions and all(f"{package}/migrations/versions/{v}" in names for v in versions), service
        for data in (source / package).glob("domain/data/*"):
            assert f"{package}/domain/data/{data.name}" in names, (service, data.name)


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
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"**/.venv", "**/.run", ".git", "**/__pycache__"} <= ignored
    assert "constraints.txt" not in ignored and "shared" not in ignored and "services" not in ignored
