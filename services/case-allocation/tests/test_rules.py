"""The pure domain rules, against the figures in docs/domain.md and worked examples."""

from datetime import date
from decimal import Decimal

import pytest

from case_allocation.domain.calendar import (
    add_months,
    add_working_days,
    allocation_due_date,
    due_status,
    is_working_day,
)
from case_allocation.domain.compliance import breach_due, compliance_periods, repeated_positive
from case_allocation.domain.identifiers import is_crn, random_crn
from case_allocation.domain.omic import handover_date, is_short_sentence, release_date, responsibility, sentence_end
from case_allocation.domain.sentences import SentenceFacts, case_type, mandate_for_change, upw_only
from case_allocation.domain.workload import (
    available_points,
    capacity_percent,
    case_points,
    over_case_limit,
    requires_probation_officer,
    suitable_grades,
)
from probation_shared.limited_access import EXCLUDED, HIDDEN, VISIBLE, access_verdict

D = date.fromisoformat


# --- five working days ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentenced, due",
    [
        ("2025-12-18", "2025-12-29"),  # the example: Thursday, over Christmas and Boxing Day
        ("2025-12-22", "2025-12-31"),  # Monday before Christmas: 23, 24, then 29, 30, 31 Dec
        (
            "2026-04-01",
            "2026-04-10",
        ),  # Easter 2026: 2 Apr, then Good Friday 3 and Easter Monday 6 Apr skipped, 7-10 Apr
        ("2025-12-30", "2026-01-07"),  # over New Year's Day
        ("2025-04-16", "2025-04-25"),  # Easter 2025: Good Friday 18 Apr, Easter Monday 21 Apr
        ("2025-05-01", "2025-05-09"),  # Early May bank holiday, Monday 5 May 2025
        ("2025-08-22", "2025-09-01"),  # Friday before the late summer bank holiday (25 Aug 2025)
        ("2026-12-24", "2027-01-05"),  # Christmas 2026 on a Friday: 25, 28 (Boxing Day observed) and 1 Jan excluded
        ("2025-06-02", "2025-06-09"),  # an ordinary Monday: next Monday
        ("2025-06-06", "2025-06-13"),  # a Friday: the count starts on Monday
        ("2025-06-07", "2025-06-13"),  # a Saturday sentence: Mon-Fri of the next week
    ],
)
def test_allocation_due_date_is_five_working_days_after_sentence(sentenced, due):
    assert allocation_due_date(D(sentenced)) == D(due)


def test_bank_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(D("2025-12-25"))
    assert not is_working_day(D("2025-12-26"))
    assert not is_working_day(D("2026-12-28"))  # Boxing Day observed
    assert not is_working_day(D("2025-12-27"))  # Saturday
    assert is_working_day(D("2025-12-29"))
    assert add_working_days(D("2025-12-18"), 0) == D("2025-12-18")
    with pytest.raises(ValueError):
        add_working_days(D("2025-12-18"), -1)


def test_due_status_turns_overdue_the_day_after_the_due_date():
    due = D("2025-12-29")
    assert due_status(due, D("2025-12-24")) == "DUE_ON"
    assert due_status(due, D("2025-12-29")) == "DUE_TODAY"
    assert due_status(due, D("2025-12-30")) == "OVERDUE"


@pytest.mark.parametrize(
    "day, months, expected",
    [
        ("2027-10-31", -7, "2027-03-31"),
        ("2027-09-30", -7, "2027-02-28"),  # clamped to the end of February
        ("2028-09-30", -7, "2028-02-29"),  # leap year
        ("2026-01-31", 1, "2026-02-28"),
        ("2025-12-15", 2, "2026-02-15"),
        ("2026-03-31", -13, "2025-02-28"),
    ],
)
def test_add_months_clamps_the_day_to_the_month_end(day, months, expected):
    assert add_months(D(day), months) == D(expected)


# --- workload -------------------------------------------------------------------------------------


def test_points_table():
    assert case_points("B1", "COMMUNITY") == 102
    assert case_points("C2", "COMMUNITY") == 63
    assert case_points("A3", "LICENCE") == 219
    assert case_points("A0", "LICENCE") == 0
    assert case_points("D1", "CUSTODY") == 13
    assert case_points("A3S", "COMMUNITY") == 206  # the unsupervised suffix does not change points
    # Untiered (or an unknown tier): weighed as D1 until the tier is known, never free.
    assert case_points(None, "COMMUNITY") == 29 and case_points(None, "CUSTODY") == 13
    assert case_points("Z9", "COMMUNITY") == 29


def test_capacity_of_a_full_time_po_with_ten_b1_cases_and_a_new_c2():
    available = available_points(37)
    assert available == Decimal(2176)
    assert capacity_percent(10 * 102, available) == Decimal("46.9")
    assert capacity_percent(10 * 102 + 63, available) == Decimal("49.8")


def test_available_points_follow_contracted_hours_less_active_reductions():
    assert available_points(37, [7.4]) == Decimal(2176) * Decimal("29.6") / 37
    assert available_points(18.5) == Decimal(1088)
    assert available_points(37, [37]) == 0
    assert capacity_percent(100, available_points(37, [40])) is None
    # 1088 available, 544 points → exactly 50.0
    assert capacity_percent(544, available_points(18.5)) == Decimal("50.0")


def test_capacity_rounds_half_up_to_one_decimal():
    assert capacity_percent(1, Decimal(2000)) == Decimal("0.1")  # 0.05 → 0.1
    assert capacity_percent(3, Decimal(2000)) == Decimal("0.2")  # 0.15 → 0.2


def test_grade_suitability():
    assert requires_probation_officer({"RHRH"})
    assert requires_probation_officer({"RVHR", "ADVP"})
    assert requires_probation_officer({"MAPP"})
    assert not requires_probation_officer({"RMRH", "IIOM"})
    assert suitable_grades({"RLRH"}) == ("PSO", "PQiP", "PO")
    assert suitable_grades({"RHRH"}) == ("PO",)


def test_case_limit_is_fifty_active_risk_cases():
    assert not over_case_limit(49, True)
    assert over_case_limit(50, True)
    assert not over_case_limit(50, False)  # an unpaid-work-only case is exempt
    assert over_case_limit(51, False)


# --- sentences ------------------------------------------------------------------------------------


def test_mandate_for_change():
    assert not mandate_for_change([])
    assert not mandate_for_change([SentenceFacts("COMMUNITY_ORDER", True, ("UPW",))])
    assert mandate_for_change([SentenceFacts("COMMUNITY_ORDER", True, ("UPW", "RAR"))])
    assert mandate_for_change([SentenceFacts("CUSTODY", True)])
    assert not mandate_for_change(
        [SentenceFacts("CUSTODY", False), SentenceFacts("SUSPENDED_SENTENCE_ORDER", True, ())]
    )
    assert not mandate_for_change([SentenceFacts("COMMUNITY_ORDER", False, ("RAR",))])


def test_case_types_and_upw_only():
    assert case_type("CUSTODY", released=False) == "CUSTODY"
    assert case_type("CUSTODY", released=True) == "LICENCE"
    assert case_type("SUSPENDED_SENTENCE_ORDER", released=False) == "COMMUNITY"
    assert upw_only("COMMUNITY_ORDER", ["UPW"])
    assert not upw_only("COMMUNITY_ORDER", ["UPW", "RAR"])
    assert not upw_only("COMMUNITY_ORDER", [])
    assert not upw_only("CUSTODY", ["UPW"])


# --- OMiC -----------------------------------------------------------------------------------------


def test_handover_for_a_three_year_sentence_releasing_2027_10_31():
    assert handover_date(D("2027-10-31"), D("2026-05-01")) == D("2027-03-16")
    before = responsibility(
        start=D("2026-05-01"), length_value=3, length_unit="YEARS", release=D("2027-10-31"), on=D("2027-03-15")
    )
    on_the_day = responsibility(
        start=D("2026-05-01"), length_value=3, length_unit="YEARS", release=D("2027-10-31"), on=D("2027-03-16")
    )
    assert (before.responsible, before.handover_date) == ("POM", D("2027-03-16"))
    assert on_the_day.responsible == "COM"


def test_handover_clamps_the_month_end_and_never_precedes_the_sentence():
    assert handover_date(D("2027-09-30"), D("2025-01-01")) == D("2027-02-13")  # 30 Sep → 28 Feb → 13 Feb
    assert handover_date(D("2028-09-30"), D("2025-01-01")) == D("2028-02-14")  # leap year: 29 Feb − 15
    assert handover_date(D("2026-08-31"), D("2026-03-01")) == D(
        "2026-03-01"
    )  # would be 16 Jan: clamped to sentence start


def test_short_sentences_are_com_from_the_start():
    eight_months = responsibility(
        start=D("2026-01-10"), length_value=8, length_unit="MONTHS", release=D("2026-05-10"), on=D("2026-01-10")
    )
    assert eight_months.responsible == "COM"
    assert is_short_sentence(D("2026-01-10"), 10, "MONTHS")
    assert not is_short_sentence(D("2026-01-10"), 11, "MONTHS")
    assert is_short_sentence(D("2026-01-10"), 300, "DAYS")
    assert not is_short_sentence(D("2026-01-10"), 1, "YEARS")
    assert sentence_end(D("2026-01-31"), 1, "MONTHS") == D("2026-02-28")
    assert sentence_end(D("2026-01-01"), 2, "WEEKS") == D("2026-01-15")


def test_long_sentence_without_a_release_date_stays_with_the_pom():
    verdict = responsibility(
        start=D("2026-01-10"), length_value=5, length_unit="YEARS", release=None, on=D("2030-01-01")
    )
    assert (verdict.responsible, verdict.handover_date) == ("POM", None)


def test_release_date_precedence():
    dates = {"conditional_release_date": D("2027-10-31"), "automatic_release_date": D("2028-01-01")}
    assert release_date(dates) == D("2027-10-31")
    assert release_date({**dates, "hdc_actual_date": D("2027-08-01")}) == D("2027-08-01")
    assert release_date({**dates, "actual_parole_date": D("2027-06-01"), "hdc_actual_date": D("2027-08-01")}) == D(
        "2027-06-01"
    )
    assert release_date(
        {**dates, "confirmed_release_date": D("2027-11-02"), "actual_parole_date": D("2027-06-01")}
    ) == D("2027-11-02")
    assert release_date({"automatic_release_date": D("2028-01-01")}) == D("2028-01-01")
    assert release_date({}) is None


# --- compliance and enforcement -------------------------------------------------------------------


def test_two_unacceptable_absences_within_twelve_months_breach():
    assert not breach_due([D("2026-01-05")], D("2026-01-05"))
    assert breach_due([D("2026-01-05"), D("2026-06-01")], D("2026-06-01"))
    assert not breach_due([D("2025-01-05"), D("2026-06-01")], D("2026-06-01"))  # 17 months apart
    assert breach_due([D("2025-06-02"), D("2026-06-01")], D("2026-06-01"))  # just inside


def test_monthly_face_to_face_periods():
    periods = compliance_periods(
        case_start=D("2026-01-15"),
        released_on=None,
        attended_face_to_face=[D("2026-01-20"), D("2026-03-01")],
        on=D("2026-03-20"),
    )
    assert [(p.start, p.end, p.status) for p in periods] == [
        (D("2026-01-15"), D("2026-02-14"), "MET"),
        (D("2026-02-15"), D("2026-03-14"), "MET"),
        (D("2026-03-15"), D("2026-04-14"), "IN_PROGRESS"),
    ]
    missed = compliance_periods(
        case_start=D("2026-01-15"), released_on=None, attended_face_to_face=[D("2026-01-20")], on=D("2026-03-20")
    )
    assert [p.status for p in missed] == ["MET", "NOT_MET", "IN_PROGRESS"]


def test_weekly_contact_for_two_weeks_after_release():
    periods = compliance_periods(
        case_start=D("2025-01-01"),
        released_on=D("2026-02-02"),
        attended_face_to_face=[D("2026-02-03")],
        on=D("2026-02-12"),
    )
    weekly = [p for p in periods if p.kind == "WEEKLY_AFTER_RELEASE"]
    assert [(p.start, p.end, p.status) for p in weekly] == [
        (D("2026-02-02"), D("2026-02-08"), "MET"),
        (D("2026-02-09"), D("2026-02-15"), "IN_PROGRESS"),
    ]
    later = compliance_periods(
        case_start=D("2025-01-01"),
        released_on=D("2026-02-02"),
        attended_face_to_face=[D("2026-02-03")],
        on=D("2026-02-20"),
    )
    assert [p.status for p in later if p.kind == "WEEKLY_AFTER_RELEASE"] == ["MET", "NOT_MET"]


def test_repeated_positive_drug_tests_are_flagged():
    assert repeated_positive(["POSITIVE", "POSITIVE"])
    assert not repeated_positive(["POSITIVE"])
    assert not repeated_positive(["POSITIVE", "NEGATIVE", "POSITIVE"])


# --- identifiers and limited access ---------------------------------------------------------------


def test_crn_form():
    assert all(is_crn(random_crn()) for _ in range(100))
    assert not is_crn("x123456") and not is_crn("X12345") and not is_crn("XX23456")


def test_limited_access_verdicts():
    limits = [("RESTRICTION", "N01A"), ("EXCLUSION", "N01B")]
    assert access_verdict("N01A", False, limits) == VISIBLE
    assert access_verdict("N01B", False, limits) == EXCLUDED
    assert access_verdict("N01C", False, limits) == HIDDEN
    assert access_verdict(None, False, limits) == HIDDEN
    assert access_verdict(None, True, limits) == VISIBLE
    assert access_verdict("N01B", False, [("EXCLUSION", "N01B")]) == EXCLUDED
    assert access_verdict("N01C", False, [("EXCLUSION", "N01B")]) == VISIBLE
