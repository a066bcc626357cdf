"""The sharing rule, exhaustively: every combination of viewer, category, consent, override and
referral state, checked against the policy written out independently as a table of requirements."""

import itertools

import pytest

from refer_monitor.domain.sharing import Category, Consent, Override, SharingCase, ViewerKind, may_see_update

ALL_CASES = [
    SharingCase(
        viewer=v,
        category=c,
        viewer_sees_source_referral=own,
        viewer_has_active_referral=va,
        source_referral_active=sa,
        consent=con,
        override=ov,
    )
    for v, c, own, va, sa, con, ov in itertools.product(ViewerKind, Category, (False, True), (False, True), (False, True), Consent, Override)
]


def expected(case: SharingCase) -> bool:
    """The policy as the issue states it, written without looking at the implementation."""
    if case.viewer == ViewerKind.PROBATION:
        return True  # probation staff, including the responsible practitioner, see every update
    if case.viewer == ViewerKind.OTHER:
        return False  # commissioners and others: aggregates only
    if case.viewer_sees_source_referral:
        return True  # the update is on a referral this provider already works
    both_active = case.viewer_has_active_referral and case.source_referral_active
    if not both_active or case.override == Override.WITHHOLD:
        return False
    if case.override == Override.RELEASE:
        return True
    return {
        Category.SAFEGUARDING_CONCERN: False,
        Category.HEALTH_DEPENDENCY: case.consent == Consent.GRANTED,
    }.get(case.category, case.consent != Consent.REFUSED)


def test_every_combination_matches_the_policy():
    assert len(ALL_CASES) == 3 * 6 * 2 * 2 * 2 * 3 * 3
    wrong = [c for c in ALL_CASES if may_see_update(c).visible != expected(c)]
    assert wrong == []


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in ALL_CASES
        if c.viewer == ViewerKind.PROVIDER
        and not c.viewer_sees_source_referral
        and c.category == Category.SAFEGUARDING_CONCERN
        and c.override != Override.RELEASE
    ],
)
def test_safeguarding_never_reaches_another_provider_unreleased(case):
    assert not may_see_update(case).visible


def test_health_needs_explicit_consent():
    base = SharingCase(viewer=ViewerKind.PROVIDER, category=Category.HEALTH_DEPENDENCY, viewer_has_active_referral=True, source_referral_active=True)
    assert may_see_update(base).reason == "explicit-consent-required"
    assert may_see_update(SharingCase(**{**base.__dict__, "consent": Consent.GRANTED})).reason == "explicit-consent"


def test_shareable_category_is_shared_without_consent_unless_refused():
    base = SharingCase(viewer=ViewerKind.PROVIDER, category=Category.EMPLOYMENT_STATUS, viewer_has_active_referral=True, source_referral_active=True)
    assert may_see_update(base).visible
    assert not may_see_update(SharingCase(**{**base.__dict__, "consent": Consent.REFUSED})).visible


def test_no_shared_active_referral_means_nothing_even_when_released():
    case = SharingCase(
        viewer=ViewerKind.PROVIDER,
        category=Category.GENERAL,
        viewer_has_active_referral=False,
        source_referral_active=True,
        consent=Consent.GRANTED,
        override=Override.RELEASE,
    )
    assert may_see_update(case).reason == "no-shared-active-referral"
