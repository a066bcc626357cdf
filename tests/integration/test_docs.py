"""Docs are claims: nothing points to a document outside the repository, and the domain page holds the
figures the code uses."""

from __future__ import annotations

from pathlib import Path

from case_allocation.domain import workload
from risk_assessment.domain import ogrs3

ROOT = Path(__file__).resolve().parents[2]


def _sources() -> list[Path]:
    skip = {".venv", ".run", ".git", "node_modules", ".hypothesis"}
    return [
        p
        for p in ROOT.rglob("*")
        if p.is_file() and p.suffix in {".py", ".md", ".toml", ".yaml"} and not skip & set(p.parts)
    ]


def test_nothing_points_to_a_domain_document_outside_the_repository():
    offenders = [
        str(p.relative_to(ROOT)) for p in _sources() if p != Path(__file__) and "domain-facts" in p.read_text()
    ]
    assert not offenders


def test_the_domain_page_holds_the_figures_the_code_uses():
    text = (ROOT / "docs" / "domain.md").read_text()
    for figure in (
        ogrs3.COPAS_FACTOR,
        ogrs3.STATUS_FIRST,
        ogrs3.STATUS_REPEAT,
        ogrs3.ONE_YEAR_INTERCEPT,
        ogrs3.TWO_YEAR_INTERCEPT,
    ):
        assert str(figure) in text, figure
    for sex, weights in ogrs3._AGE_GENDER.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| {sex.lower()} |"))
        assert [float(c.replace("−", "-")) for c in row.strip("|").split("|")[1:]] == list(weights), sex
    assert (
        str(workload.NOMINAL_TARGET) in text
        and f"**{workload.ACTIVE_RISK_CASE_LIMIT}**" in text
        and "**5 working days**" in text
    )
    for case_type in workload.CASE_TYPES:
        row = next(line for line in text.splitlines() if line.startswith(f"| {case_type.lower()} |"))
        assert [int(c) for c in row.strip("|").split("|")[1:]] == [
            workload.POINTS[case_type][t] for t in workload._TIERS
        ], case_type


def test_the_policy_table_in_docs_privacy_is_the_policy():
    from probation_shared.auth import Role
    from probation_shared.redaction import POLICY, DataClass, Visibility

    words = {
        "visible": Visibility.VISIBLE,
        "masked": Visibility.MASKED,
        "removed": Visibility.REMOVED,
        "with consent": Visibility.WITH_CONSENT,
    }
    columns = {
        "practitioner, SPO, POM, service": [
            Role.PRACTITIONER,
            Role.SENIOR_PROBATION_OFFICER,
            Role.PRISON_OFFENDER_MANAGER,
            Role.SERVICE,
        ],
        "provider caseworker": [Role.PROVIDER_CASEWORKER],
        "police partner": [Role.POLICE_PARTNER],
        "auditor": [Role.AUDITOR],
        "commissioner, operator": [Role.COMMISSIONER, Role.OPERATOR],
        "person on probation": [Role.PERSON_ON_PROBATION],
        "limited-access admin": [Role.LIMITED_ACCESS_ADMIN],
    }
    lines = [line for line in (ROOT / "docs" / "privacy.md").read_text().splitlines() if line.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header[1:] == list(columns)
    rows = {}
    for line in lines[1 : 1 + len(DataClass)]:  # the separator row does not start with "| "
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].split(" (")[0]] = cells[1:]
    assert set(rows) == {dc.value.replace("_", " ") for dc in DataClass}
    for data_class in DataClass:
        for cell, roles in zip(rows[data_class.value.replace("_", " ")], columns.values(), strict=True):
            for role in roles:
                assert POLICY[role][data_class] is words[cell], (data_class, role)
    assert {r for roles in columns.values() for r in roles} == set(Role)
