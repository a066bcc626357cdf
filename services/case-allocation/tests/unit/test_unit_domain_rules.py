"""Fast tests of the pure domain rules (no database, no app)."""

from __future__ import annotations

from datetime import date

import pytest

from case_allocation.domain.contacts import CONTACT_TYPES, check_outcome
from case_allocation.domain.registrations import CATEGORIES, replaces, validate
from case_allocation.domain.workload import case_points, over_case_limit, suitable_grades
from probation_shared.domain_error import DomainError


def test_a_new_rosh_level_replaces_any_other_rosh_level_and_a_type_replaces_itself():
    assert replaces("RVHR", "RLRH")
    assert replaces("MAPP", "MAPP")
    assert not replaces("MAPP", "RVHR")
    assert not replaces("RVHR", "MAPP")


def test_mappa_needs_a_level_and_a_category_and_unknown_types_are_refused():
    validate("MAPP", "M2", "M4")
    validate("RVHR", None, None)
    with pytest.raises(DomainError) as refused:
        validate("MAPP", "M4", None)
    assert (refused.value.status, refused.value.code) == (422, "invalid-registration")
    assert [e["field"] for e in refused.value.errors] == ["level", "category"]
    with pytest.raises(DomainError) as unknown:
        validate("NOPE", None, None)
    assert [e["field"] for e in unknown.value.errors] == ["type_code"]
    assert CATEGORIES["RCPR"] == "CHILD_PROTECTION"


def test_an_outcome_only_for_a_contact_that_has_happened():
    check_outcome(date(2026, 3, 2), "ATTENDED", today=date(2026, 3, 2))
    check_outcome(date(2026, 3, 3), None, today=date(2026, 3, 2))
    with pytest.raises(DomainError) as refused:
        check_outcome(date(2026, 3, 3), "ATTENDED", today=date(2026, 3, 2))
    assert (refused.value.status, refused.value.code, refused.value.errors[0]["field"]) == (
        422,
        "outcome-in-future",
        "outcome",
    )
    assert CONTACT_TYPES["HOME_VISIT"] and not CONTACT_TYPES["PHONE"]


def test_grades_points_and_the_active_risk_case_limit():
    assert suitable_grades({"MAPP"}) == ("PO",)
    assert suitable_grades(set()) == ("PSO", "PQiP", "PO")
    assert case_points("A3S", "COMMUNITY") == 206 and case_points(None, "COMMUNITY") == 29
    assert over_case_limit(50, True) and not over_case_limit(50, False)
