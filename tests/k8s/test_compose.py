"""deploy/compose.yaml is a reference for people with Docker (no test runs it); this keeps its settings honest."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

from tests.k8s.checks import SERVICES, prefix

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "deploy" / "compose.yaml").read_text())


@pytest.mark.parametrize("service, port", SERVICES.items())
def test_each_service_gets_valid_settings_under_its_prefix(service, port):
    entry = COMPOSE["services"][service]
    settings_class = importlib.import_module(f"{service.replace('-', '_')}.service").SPEC.settings_class
    env = entry["environment"]
    assert all(k.startswith(prefix(service)) for k in env)
    fields = {k[len(prefix(service)) :].lower() for k in env}
    assert fields <= set(settings_class.model_fields), fields - set(settings_class.model_fields)
    assert env[f"{prefix(service)}KAFKA_IDEMPOTENT_PRODUCER"] == "true"
    assert env[f"{prefix(service)}DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert entry["build"]["dockerfile"] == "Dockerfile" and entry["build"]["args"] == {
        "SERVICE": service,
        "PORT": str(port),
    }
    assert entry["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert f"--port {port}" in entry["command"][-1]
    assert {"broker", "postgres"} <= set(entry["depends_on"])
