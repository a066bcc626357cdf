"""Every `kubectl ... <kind>/<name>` and `-l key=value` in docs/runbook.md's code blocks names something in
the rendered prod manifests, and every alert's runbook_url anchor is a heading there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.k8s import checks
from tests.k8s.kustomize import render

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "docs" / "runbook.md"
KINDS = {
    "deployment": "Deployment",
    "deploy": "Deployment",
    "job": "Job",
    "cluster": "Cluster",
    "configmap": "ConfigMap",
    "cm": "ConfigMap",
    "hpa": "HorizontalPodAutoscaler",
    "horizontalpodautoscaler": "HorizontalPodAutoscaler",
    "service": "Service",
    "svc": "Service",
    "pdb": "PodDisruptionBudget",
    "prometheusrule": "PrometheusRule",
    "scheduledbackup": "ScheduledBackup",
    "kafkatopic": "KafkaTopic",
    "kafka": "Kafka",
    "kafkauser": "KafkaUser",
    "networkpolicy": "NetworkPolicy",
}


@pytest.fixture(scope="module")
def prod() -> list[dict]:
    return render(ROOT / "k8s" / "overlays" / "prod")


def kubectl_lines(text: str) -> list[str]:
    blocks = re.findall(r"```(?:sh|bash)?\n(.*?)```", text, re.S)
    inline = re.findall(r"`(kubectl [^`]+)`", text)
    return [line for block in blocks for line in block.splitlines() if "kubectl " in line] + inline


def references(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    objects, selectors = [], []
    for line in kubectl_lines(text):
        command = line[line.index("kubectl ") :]
        command = re.sub(r"https?://\S+|'[^']*'|\"[^\"]*\"", "", command)
        objects += re.findall(r"(?<![\w/.-])([a-z]+)/([a-z0-9][-a-z0-9.]*)", command)
        selectors += re.findall(r"(?:-l|--selector)[ =](\S+)", command)
    return objects, selectors


def problems(text: str, objects: list[dict]) -> list[str]:
    found = []
    refs, selectors = references(text)
    for kind, name in refs:
        if kind not in KINDS:
            found.append(f"{kind}/{name}: unknown kind")
        elif checks.find(objects, KINDS[kind], name) is None:
            found.append(f"{kind}/{name}: not in the rendered manifests")
    for selector in selectors:
        wanted = dict(pair.split("=", 1) for pair in selector.split(","))
        if wanted.get("cnpg.io/cluster"):  # set by CloudNativePG on what it creates (Backups, pods)
            if checks.find(objects, "Cluster", wanted["cnpg.io/cluster"]) is None:
                found.append(f"-l {selector}: no such Cluster")
            continue
        if not any(wanted.items() <= o.get("metadata", {}).get("labels", {}).items() for o in objects):
            found.append(f"-l {selector}: selects nothing")
    return found


def anchors(text: str) -> set[str]:
    return {
        re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", text, re.M)
    }


def test_runbook_commands_name_objects_that_exist(prod):
    text = RUNBOOK.read_text()
    refs, selectors = references(text)
    assert len(refs) > 20 and selectors
    assert problems(text, prod) == []


def test_a_wrong_name_in_the_runbook_fails(prod):
    text = (
        "```sh\nkubectl scale deployment/case-allocaton-worker --replicas=0\nkubectl get pods -l "
        "app.kubernetes.io/name=nobody\n```\n"
    )
    assert problems(text, prod) == [
        "deployment/case-allocaton-worker: not in the rendered manifests",
        "-l app.kubernetes.io/name=nobody: selects nothing",
    ]


def test_every_alert_links_to_a_runbook_section(prod):
    headings = anchors(RUNBOOK.read_text())
    for rule_object in checks.of_kind(prod, "PrometheusRule"):
        for rule in (r for g in rule_object["spec"]["groups"] for r in g["rules"]):
            url = rule["annotations"]["runbook_url"]
            if "docs/runbook.md" in url:
                assert url.split("#", 1)[1] in headings, rule["alert"]
