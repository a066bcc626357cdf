"""The pure rules: release-date precedence, the due window, the transition table, enhanced support."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probation_shared.domain_error import DomainError
from resettlement.domain import pathways as p
from resettlement.domain import release as r

dates = st.one_of(st.none(), st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
recorded = st.fixed_dictionaries({name: dates for name in r.RELEASE_DATE_PRECEDENCE})


@given(recorded)
def test_the_release_date_is_the_first_recorded_in_precedence_order(values):
    chosen = r.release_date(values)
    present = [values[n] for n in r.RELEASE_DATE_PRECEDENCE if values[n] is not None]
    assert chosen == (present[0] if present else None)


@given(recorded, st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_a_confirmed_date_always_wins(values, confirmed):
    assert r.release_date({**values, "confirmed_release_date": confirmed}) == confirmed


def test_the_precedence_is_the_domain_order():
    assert r.RELEASE_DATE_PRECEDENCE == (
        "confirmed_release_date",
        "actual_parole_date",
        "hdc_actual_date",
        "conditional_release_date",
        "automatic_release_date",
    )


@given(st.integers(-400, 400), st.integers(1, 366))
def test_due_within_is_today_to_today_plus_n(offset, window):
    today = date(2026, 11, 23)
    assert r.due_within(today + timedelta(days=offset), today, window) == (0 <= offset <= window)


def test_84_and_30_day_windows():
    today = date(2026, 11, 23)
    assert r.due_within(today + timedelta(days=60), today, 84)
    assert not r.due_within(today + timedelta(days=60), today, 30)
    assert not r.due_within(None, today, 84)


statuses = st.sampled_from(list(p.PathwayStatus))


@given(statuses, statuses)
def test_a_move_is_allowed_exactly_when_the_table_lists_it(current, new):
    if new in p.TRANSITIONS[current]:
        p.check_transition(current, new)
    else:
        with pytest.raises(DomainError) as refused:
            p.check_transition(current, new)
        assert refused.value.code == "invalid-transition" and refused.value.errors[0]["field"] == "status"


def test_the_table_covers_every_status_never_stays_put_and_reaches_done():
    assert set(p.TRANSITIONS) == set(p.PathwayStatus)
    assert all(s not in p.TRANSITIONS[s] for s in p.PathwayStatus)
    reachable, frontier = {p.PathwayStatus.NOT_STARTED}, [p.PathwayStatus.NOT_STARTED]
    while frontier:
        for nxt in p.TRANSITIONS[frontier.pop()] - reachable:
            reachable.add(nxt)
            frontier.append(nxt)
    assert reachable == set(p.PathwayStatus)


def test_seven_pathways_each_with_needs_a_title_and_a_worker():
    assert len(p.Pathway) == 7
    assert set(p.SUPPORT_NEEDS) == set(p.TITLES) == set(p.WORKERS) == set(p.Pathway)
    assert all(p.SUPPORT_NEEDS[x] for x in p.Pathway)


@pytest.mark.parametrize(
    ("parse", "value", "code"), [(p.pathway, "FLYING", "unknown-pathway"), (p.status, "MAYBE", "unknown-status")]
)
def test_unknown_values_name_their_field(parse, value, code):
    with pytest.raises(DomainError) as refused:
        parse(value)
    assert refused.value.code == code


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_enhanced_support_has_a_contact_in_each_of_the_two_weeks_after_release(day):
    contacts = [d for d, _ in r.enhanced_support(day)]
    assert contacts[0] == day
    for week in (0, 1):
        assert any(day + timedelta(days=7 * week) <= d < day + timedelta(days=7 * (week + 1)) for d in contacts)
