"""The decision rules of case-allocation, pure: ranking, per-person caseload, untiered weight, grade flags,
back-dated addresses, requirement progress, drug-test enforcement and monthly compliance periods."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from case_allocation.domain.addresses import PREVIOUS, REPLACE, place_main
from case_allocation.domain.calendar import add_months
from case_allocation.domain.compliance import compliance_periods, repeated_positive
from case_allocation.domain.recommend import Candidate, grade_fit, rank, reasons
from case_allocation.domain.sentences import PROGRESS_UNITS, REQUIREMENT_UNITS, check_progress, progress_total
from case_allocation.domain.workload import (
    POINTS,
    UNTIERED_DEFAULT_TIER,
    HeldCase,
    case_points,
    caseload,
    court_report_points,
    grade_flags,
    po_required_because,
)
from probation_shared.domain_error import DomainError


def _candidate(code, grade, projected, **kw):
    return Candidate(
        staff_code=code,
        grade=grade,
        capacity=kw.pop("capacity", Decimal("1.0")),
        projected=Decimal(projected) if projected is not None else None,
        over_case_limit=kw.pop("over", False),
        continuity=kw.pop("continuity", False),
        current_holder=kw.pop("holder", False),
    )


def test_a_pqip_at_9_5_projected_ranks_above_a_po_at_15_6_and_says_why():
    po = _candidate("PO1", "PO", "15.6", continuity=True)
    pqip = _candidate("PQ1", "PQiP", "9.5")
    assert [c.staff_code for c in rank([po, pqip], "B2")] == ["PQ1", "PO1"]
    assert "would reach 9.5% (now 1.0%)" in reasons(pqip, "B2", [])
    assert "held this person's last order" in reasons(po, "B2", [])
    assert reasons(po, "A1", ["PO required: RoSH high"])[0] == "PO required: RoSH high"


def test_equal_projection_falls_back_to_grade_then_continuity():
    pso, po = _candidate("A", "PSO", "10.0"), _candidate("B", "PO", "10.0")
    assert [c.staff_code for c in rank([po, pso], "D1")] == ["A", "B"]  # a tier D case suits a PSO
    assert [c.staff_code for c in rank([pso, po], "A2")] == ["B", "A"]  # a tier A case suits a PO
    kept, fresh = _candidate("Z", "PSO", "10.0", continuity=True), _candidate("Y", "PSO", "10.0")
    assert [c.staff_code for c in rank([fresh, kept], "D1")] == ["Z", "Y"]
    assert grade_fit("PSO", None) == 0  # untiered is taken as tier D


@given(st.lists(st.tuples(st.sampled_from(["PSO", "PQiP", "PO"]), st.integers(0, 2000), st.booleans()), min_size=1))
def test_the_holder_of_a_case_being_transferred_is_never_first_unless_alone(rows):
    candidates = [
        _candidate(f"S{i}", g, Decimal(p) / 10, continuity=True, holder=(i == 0)) for i, (g, p, _) in enumerate(rows)
    ]
    ranked = rank(candidates, "C2")
    assert ranked[0].staff_code != "S0" or len(ranked) == 1
    assert ranked[-1].staff_code == "S0"
    assert "holds this case now" in reasons(candidates[0], "C2", [])[0]
    # Without holders and cap, the order is by projected capacity.
    free = [_candidate(f"S{i}", g, Decimal(p) / 10) for i, (g, p, _) in enumerate(rows)]
    projected = [c.projected for c in rank(free, "C2")]
    assert projected == sorted(projected)


def test_an_untiered_case_weighs_the_stated_default_and_court_reports_weigh_138_and_65():
    for case_type in POINTS:
        assert case_points(None, case_type) == POINTS[case_type][UNTIERED_DEFAULT_TIER] > 0
        assert case_points("XX", case_type) == POINTS[case_type][UNTIERED_DEFAULT_TIER]
    assert court_report_points(["STANDARD", "FAST", "FAST"]) == 138 + 65 + 65


@given(
    st.lists(
        st.tuples(st.sampled_from(["X000001", "X000002", "X000003"]), st.integers(0, 219), st.booleans()), max_size=12
    )
)
def test_caseload_counts_people_once_weighed_by_their_heaviest_order(rows):
    load = caseload(HeldCase(*r) for r in rows)
    people = {crn for crn, _, _ in rows}
    assert load.people == len(people)
    assert load.points == sum(max(p for c, p, _ in rows if c == crn) for crn in people)
    assert load.active_risk_people == len({crn for crn, _, upw in rows if not upw})


def test_one_person_on_two_orders_counts_once():
    load = caseload([HeldCase("X000001", 102, False), HeldCase("X000001", 63, False)])
    assert (load.people, load.active_risk_people, load.points) == (1, 1, 102)


def test_a_rosh_high_or_mappa_registration_on_a_pso_case_raises_a_grade_flag():
    assert grade_flags("PSO", {"RHRH"}) == ["grade no longer fits: PO required: RoSH high, held by a PSO"]
    assert grade_flags("PQiP", {"MAPP"}) == ["grade no longer fits: PO required: MAPPA, held by a PQiP"]
    assert grade_flags("PO", {"RVHR", "MAPP"}) == []
    assert grade_flags("PSO", {"RMRH"}) == []
    assert po_required_because({"RVHR"}) == ["PO required: RoSH very high"]


def test_a_back_dated_main_address_is_history_if_it_ended_before_the_current_began_else_refused():
    current = date(2026, 5, 1)
    assert place_main(date(2026, 6, 1), None, current) == REPLACE
    assert place_main(date(2026, 5, 1), None, current) == REPLACE
    assert place_main(date(2026, 1, 1), None, None) == REPLACE
    assert place_main(date(2025, 1, 1), date(2026, 5, 1), current) == PREVIOUS
    for end in (None, date(2026, 5, 2)):
        with pytest.raises(DomainError) as refused:
            place_main(date(2025, 1, 1), end, current)
        assert (refused.value.status, refused.value.code) == (422, "address-overlaps-main")


@given(st.sampled_from(sorted(PROGRESS_UNITS)), st.integers(0, 400), st.integers(0, 400), st.integers(1, 300))
def test_progress_never_goes_backwards_nor_beyond_the_total(kind, previous, completed, length):
    total = progress_total(kind, length, date(2026, 1, 31))
    try:
        check_progress(previous, completed, total, PROGRESS_UNITS[kind])
    except DomainError as refused:
        assert refused.status == 422 and (completed < previous or completed > total)
    else:
        assert previous <= completed <= total


def test_every_requirement_type_has_a_progress_unit_and_a_curfew_counts_days():
    assert set(PROGRESS_UNITS) == set(REQUIREMENT_UNITS)
    assert PROGRESS_UNITS["DRR"] == PROGRESS_UNITS["ATR"] == PROGRESS_UNITS["MHTR"] == "MONTHS"
    assert progress_total("CURFEW", 3, date(2026, 1, 31)) == (date(2026, 4, 30) - date(2026, 1, 31)).days
    assert progress_total("DRR", 6, date(2026, 1, 31)) == 6


def test_a_refusal_counts_as_a_positive_for_repeated_positives():
    results: list[str] = []
    flags = []
    for r in ("POSITIVE", "REFUSED", "POSITIVE"):
        results.insert(0, r)
        flags.append(repeated_positive(results))
    assert flags == [False, True, True]
    assert not repeated_positive(["NEGATIVE", "REFUSED"]) and repeated_positive(["REFUSED", "REFUSED"])


def test_monthly_periods_run_from_the_start_day_and_keep_a_31st_anchor():
    periods = compliance_periods(
        case_start=date(2026, 1, 31), released_on=None, attended_face_to_face=[], on=date(2026, 5, 1)
    )
    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 1, 31), date(2026, 2, 27)),
        (date(2026, 2, 28), date(2026, 3, 30)),
        (date(2026, 3, 31), date(2026, 4, 29)),
        (date(2026, 4, 30), date(2026, 5, 30)),
    ]


@given(st.dates(date(2024, 1, 1), date(2027, 12, 31)), st.integers(0, 400))
def test_monthly_periods_tile_the_supervision_without_gaps_each_a_month_long(start, days):
    on = start + timedelta(days=days)
    periods = compliance_periods(case_start=start, released_on=None, attended_face_to_face=[], on=on)
    assert periods[0].start == start
    for i, (a, b) in enumerate(zip(periods, periods[1:], strict=False)):
        assert b.start == a.end + timedelta(days=1)
        assert b.start == add_months(start, i + 1)
    assert periods[-1].start <= on <= periods[-1].end
