"""Docs are claims: nothing points to a document outside the repository, and the domain page holds the
figures the code uses."""

from __future__ import annotations

from pathlib import Path

from case_allocation.domain import workload
from risk_assessment.domain import ogrs3

ROOT = Path(__file__).resolve().parents[2]


def _sources() -> list[Path]:
    skip = {".venv", ".run", ".git", "node_modules", ".hypothesis"}
    return [p for p in ROOT.rglob("*") if p.is_file() and p.suffix in {".py", ".md", ".toml", ".yaml"} and not skip & set(p.parts)]


def test_nothing_points_to_a_domain_document_outside_the_repository():
    offenders = [str(p.relative_to(ROOT)) for p in _sources() if p != Path(__file__) and "domain-facts" in p.read_text()]
    assert not offenders


def test_the_domain_page_holds_the_figures_the_code_uses():
    text = (ROOT / "docs" / "domain.md").read_text()
    for figure in (ogrs3.COPAS_FACTOR, ogrs3.STATUS_FIRST, ogrs3.STATUS_REPEAT, ogrs3.ONE_YEAR_INTERCEPT, ogrs3.TWO_YEAR_INTERCEPT):
        assert str(figure) in text, figure
    for sex, weights in ogrs3._AGE_GENDER.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| {sex.lower()} |"))
        assert [float(c.replace("−", "-")) for c in row.strip("|").split("|")[1:]] == list(weights), sex
    assert str(workload.NOMINAL_TARGET) in text and f"**{workload.ACTIVE_RISK_CASE_LIMIT}**" in text and "**5 working days**" in text
    for case_type in workload.CASE_TYPES:
        row = next(line for line in text.splitlines() if line.startswith(f"| {case_type.lower()} |"))
        assert [int(c) for c in row.strip("|").split("|")[1:]] == [workload.POINTS[case_type][t] for t in workload._TIERS], case_type
