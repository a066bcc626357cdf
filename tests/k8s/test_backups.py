"""CloudNativePG backups: WAL archiving and a daily base backup to each environment's object store."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.k8s import checks
from tests.k8s.kustomize import render

K8S = Path(__file__).resolve().parents[2] / "k8s"


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict]]:
    return {env: render(K8S / "overlays" / env) for env in ("dev", "staging", "prod")}


def test_every_database_is_backed_up_in_every_overlay(rendered):
    for env, objects in rendered.items():
        assert checks.of_kind(objects, "Cluster"), env
        assert checks.backup_problems(objects) == [], env


def test_each_environment_has_its_own_bucket(rendered):
    paths = {
        env: {c["spec"]["backup"]["barmanObjectStore"]["destinationPath"] for c in checks.of_kind(objects, "Cluster")}
        for env, objects in rendered.items()
    }
    assert all(len(p) == 1 for p in paths.values())
    assert len({next(iter(p)) for p in paths.values()}) == 3


def test_inline_credentials_or_a_missing_schedule_fail(rendered):
    objects = copy.deepcopy(rendered["prod"])
    cluster = checks.find(objects, "Cluster", "webhooks-db")
    cluster["spec"]["backup"]["barmanObjectStore"]["s3Credentials"]["accessKeyId"] = {"value": "AKIA..."}
    objects = [
        o
        for o in objects
        if not (o["kind"] == "ScheduledBackup" and o["spec"]["cluster"]["name"] == "case-allocation-db")
    ]
    assert sorted(checks.backup_problems(objects)) == [
        "Cluster/case-allocation-db: no ScheduledBackup",
        "Cluster/webhooks-db: s3Credentials.accessKeyId must be a Secret reference (name, key)",
    ]
