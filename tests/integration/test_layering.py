"""The layering contracts (pyproject [tool.importlinter], run by `make lint` in CI) hold on the code, and
catch a planted violation: a domain module importing SQLAlchemy, a service importing another. mypy (pyproject
[tool.mypy], also in `make lint`) catches a planted type error, with the strictness the config states."""

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
MYPY = Path(sys.executable).with_name("mypy")


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


def _mypy(root: Path, cache: Path, *files: str) -> subprocess.CompletedProcess:
    # The real config, on the planted file only (its imports are stdlib): seconds, not the whole tree.
    return subprocess.run([str(MYPY), "--config-file", str(root / "pyproject.toml"), "--cache-dir", str(cache), *files],
                          cwd=root, capture_output=True, text=True, timeout=300)  # fmt: skip


PLANTED_MODULE = "services/risk-assessment/risk_assessment/domain/planted.py"
WELL_TYPED = """
def next_review(weeks: int) -> int:
    return weeks + 16


def untyped(weeks):
    due: int = next_review(weeks)
    return due
"""


def test_a_type_error_is_caught(scratch, tmp_path):
    planted = scratch / PLANTED_MODULE
    planted.write_text(WELL_TYPED)
    clean = _mypy(scratch, tmp_path / "mypy-cache", PLANTED_MODULE)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    planted.write_text(WELL_TYPED.replace("return weeks + 16", 'return f"{weeks} weeks"'))
    done = _mypy(scratch, tmp_path / "mypy-cache", PLANTED_MODULE)
    assert done.returncode != 0 and "planted.py:3: error: Incompatible return value type" in done.stdout, done.stdout


def test_a_type_error_inside_an_unannotated_function_is_caught(scratch, tmp_path):
    # check_untyped_defs: the body of a function without annotations is checked too.
    planted = scratch / PLANTED_MODULE
    planted.write_text(WELL_TYPED.replace("due: int = next_review(weeks)", 'due: int = "sixteen weeks"'))
    done = _mypy(scratch, tmp_path / "mypy-cache", PLANTED_MODULE)
    assert done.returncode != 0 and "planted.py:7: error: Incompatible types in assignment" in done.stdout, done.stdout
