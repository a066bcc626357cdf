"""The sharing rule, exhaustively over every combination of its inputs, and as properties (Hypothesis)
over generated organisations, contracts (prime + subcontractors), referral states, categories, consents
and overrides. The policy is written out independently of the implementation."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from refer_monitor.domain.sharing import (
    Category,
    Consent,
    Override,
    ReferralFacts,
    SharingCase,
    ViewerKind,
    may_see_update,
    provider_case,
)

ALL_CASES = [
    SharingCase(
        viewer=v,
        category=c,
        viewer_is_author=own,
        viewer_has_active_referral=va,
        source_referral_active=sa,
        consent=con,
        override=ov,
    )
    for v, c, own, va, sa, con, ov in itertools.product(
        ViewerKind, Category, (False, True), (False, True), (False, True), Consent, Override
    )
]


def expected(case: SharingCase) -> bool:
    """The policy as issue 8 states it."""
    if case.viewer == ViewerKind.PROBATION:
        return True  # probation staff see every update
    if case.viewer == ViewerKind.OTHER:
        return False  # commissioners, police, auditors: never
    if case.viewer_is_author:
        return True  # the author's own organisation, and only it, always sees its own
    if case.override == Override.WITHHOLD:
        return False  # WITHHOLD always wins against every other organisation
    if not (case.viewer_has_active_referral and case.source_referral_active):
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


def test_health_needs_explicit_consent():
    base = SharingCase(
        viewer=ViewerKind.PROVIDER,
        category=Category.HEALTH_DEPENDENCY,
        viewer_has_active_referral=True,
        source_referral_active=True,
    )
    assert may_see_update(base).reason == "explicit-consent-required"
    assert may_see_update(SharingCase(**{**base.__dict__, "consent": Consent.GRANTED})).reason == "explicit-consent"


def test_shareable_category_is_shared_without_consent_unless_refused():
    base = SharingCase(
        viewer=ViewerKind.PROVIDER,
        category=Category.EMPLOYMENT_STATUS,
        viewer_has_active_referral=True,
        source_referral_active=True,
    )
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


# --- properties over generated organisations and contracts ------------------------------------

ORGS = [f"org-{i}" for i in range(5)]


@st.composite
def worlds(draw):
    """Contracts (a prime and subcontractors), the person's referrals on them, and one update posted by
    an organisation on the contract of the referral it was posted on."""
    n_contracts = draw(st.integers(1, 3))
    contracts = {}
    for i in range(n_contracts):
        prime = draw(st.sampled_from(ORGS))
        subs = draw(st.lists(st.sampled_from([o for o in ORGS if o != prime]), max_size=3, unique=True))
        contracts[f"C{i}"] = [prime, *subs]
    referrals = [
        ReferralFacts(f"R{i}", draw(st.sampled_from(sorted(contracts))), draw(st.booleans()))
        for i in range(draw(st.integers(1, 4)))
    ]
    source = draw(st.sampled_from(referrals))
    author = draw(st.sampled_from(contracts[source.contract_reference]))
    return dict(
        contracts=contracts,
        referrals=referrals,
        source=source,
        author=author,
        category=draw(st.sampled_from(list(Category))),
        consent=draw(st.sampled_from(list(Consent))),
        override=draw(st.sampled_from(list(Override))),
    )


def decide(world, org):
    held = {c for c, providers in world["contracts"].items() if org in providers}
    case = provider_case(
        viewer_org=org,
        viewer_contracts=held,
        author_org=world["author"],
        category=world["category"],
        source_referral_id=world["source"].id,
        referrals=world["referrals"],
        consent=world["consent"],
        override=world["override"],
    )
    return held, may_see_update(case)


@settings(max_examples=500, deadline=None)
@given(worlds())
def test_sharing_rules_hold_for_every_organisation(world):
    author, source = world["author"], world["source"]
    for org in ORGS:
        held, decision = decide(world, org)
        if org == author:
            assert decision.visible, "the author's own organisation always sees its own update"
            continue
        # Every other organisation, subcontractors on the source contract included:
        if world["override"] is Override.WITHHOLD:
            assert not decision.visible, "WITHHOLD hides the update from every other organisation"
        if world["category"] is Category.SAFEGUARDING_CONCERN and decision.visible:
            assert world["override"] is Override.RELEASE, "safeguarding reaches another organisation only when released"
        if world["category"] is Category.HEALTH_DEPENDENCY and decision.visible:
            assert world["consent"] is Consent.GRANTED or world["override"] is Override.RELEASE
        if world["consent"] is Consent.REFUSED and decision.visible:
            assert world["override"] is Override.RELEASE
        if decision.visible:
            assert source.active and any(r.active and r.contract_reference in held for r in world["referrals"])
        # ...and nothing else stops it.
        both_active = source.active and any(r.active and r.contract_reference in held for r in world["referrals"])
        allowed = world["override"] is Override.RELEASE or {
            Category.SAFEGUARDING_CONCERN: False,
            Category.HEALTH_DEPENDENCY: world["consent"] is Consent.GRANTED,
        }.get(world["category"], world["consent"] is not Consent.REFUSED)
        assert decision.visible == (world["override"] is not Override.WITHHOLD and both_active and allowed)


@settings(max_examples=200, deadline=None)
@given(worlds(), st.sampled_from(list(ViewerKind)))
def test_probation_always_and_other_roles_never(world, viewer):
    case = SharingCase(viewer=viewer, category=world["category"], consent=world["consent"], override=world["override"])
    if viewer is ViewerKind.PROBATION:
        assert may_see_update(case).visible
    if viewer is ViewerKind.OTHER:
        assert not may_see_update(case).visible
