"""The layering contracts (pyproject [tool.importlinter], run by `make lint` in CI) hold on the code, and
catch a planted violation: a domain module importing SQLAlchemy, a service importing another."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import registry

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    path = os.pathsep.join([str(root / "shared"), *(str(root / "services" / s.name) for s in registry.SERVICES)])
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml")],
        cwd=root,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def scratch(tmp_path) -> Path:
    ignore = shutil.ignore_patterns(".venv", "__pycache__", "*.egg-info", "build", "tests", "migrations")
    for name in ("shared", "services"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_contract(scratch):
    done = _lint(scratch)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_domain_module_importing_sqlalchemy_is_caught(scratch):
    (scratch / "services/risk-assessment/risk_assessment/domain/planted.py").write_text("import sqlalchemy\n")
    done = _lint(scratch)
    assert done.returncode != 0 and "risk_assessment.domain.planted -> sqlalchemy" in done.stdout


def test_one_service_importing_another_is_caught(scratch):
    (scratch / "services/webhooks/webhooks/planted.py").write_text("from refer_monitor.domain import codes\n")
    done = _lint(scratch)
    assert done.returncode != 0 and "webhooks.planted -> refer_monitor.domain.codes" in done.stdout
