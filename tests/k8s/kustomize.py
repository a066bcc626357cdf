"""Render a Kustomize overlay with the real `kubectl kustomize` (offline: it reads only the files)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml


def render(directory: Path) -> list[dict]:
    """The objects `kubectl kustomize directory` emits, in order."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the manifests are rendered with the real kubectl kustomize")
    done = subprocess.run([kubectl, "kustomize", str(directory)], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {directory} failed:\n{done.stderr}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]
