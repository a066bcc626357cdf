"""`make new-service NAME=demo-svc` makes a service in the platform's shape: registered, with a passing
test, started by the runner, rendered into the manifests. Run in a scratch copy of the repository, with
the new package put on the path rather than installed, so the project's own environment is untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
KEEP = ["services.toml", "pyproject.toml", "deploy", "k8s", "shared", "services", "docs"]


def _scratch(tmp_path: Path) -> Path:
    scratch = tmp_path / "repo"
    scratch.mkdir()
    ignore = shutil.ignore_patterns(".venv", ".run", "__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis")
    for name in KEEP:
        source = ROOT / name
        (
            shutil.copytree(source, scratch / name, ignore=ignore)
            if source.is_dir()
            else shutil.copy(source, scratch / name)
        )
    return scratch


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_new_service_is_registered_tested_and_rendered(tmp_path):
    scratch = _scratch(tmp_path)
    _run([sys.executable, "deploy/scripts/new_service.py", "demo-svc", "--root", str(scratch)], cwd=scratch)

    service = scratch / "services" / "demo-svc"
    for part in ("api", "workflows", "domain", "db", "events"):
        assert (service / "demo_svc" / part / "__init__.py").exists(), part
    registry = tomllib.loads((scratch / "services.toml").read_text())
    assert registry["demo-svc"] == {
        "port": max(e["port"] for n, e in registry.items() if n != "demo-svc") + 1,
        "calls": [],
    }
    compose = yaml.safe_load((scratch / "deploy" / "compose.yaml").read_text())
    assert compose["services"]["demo-svc"]["build"]["args"]["SERVICE"] == "demo-svc"
    assert "CREATE DATABASE demo_svc;" in compose["configs"]["create-databases"]["content"]

    path = os.pathsep.join([str(service), os.environ.get("PYTHONPATH", "")])
    # Its own test passes, against a real database, like every service's.
    pytest = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(scratch),
        "-c",
        str(scratch / "pyproject.toml"),
    ]
    _run([*pytest, str(service / "tests")], cwd=scratch, PYTHONPATH=path)
    # Its migrations run; the runner and the manifest generator pick it up from the registry.
    _run(
        [sys.executable, "-m", "demo_svc", "migrate"],
        cwd=scratch,
        PYTHONPATH=path,
        DEMO_SVC_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/d.db",
    )
    runner = _run(
        [sys.executable, "-c", "import deploy.run as run; print([s.name for s in run.SERVICES])"],
        cwd=scratch,
        PYTHONPATH=f"{scratch}{os.pathsep}{path}",
    )
    assert "'demo-svc'" in runner.stdout
    _run([sys.executable, "k8s/generate.py"], cwd=scratch, PYTHONPATH=path)
    manifest = list(yaml.safe_load_all((scratch / "k8s" / "base" / "services" / "demo-svc.yaml").read_text()))
    kinds = {doc["kind"] for doc in manifest}
    assert {"Deployment", "Service", "Job", "NetworkPolicy"} <= kinds
