"""The cross-provider sharing policy, as one pure function.

The organisation that wrote an update always reads it. Every other organisation, a subcontractor on
the same contract included, is another provider: it reads the update only when both hold an active
referral for the person, the update's category is shareable, and the person's consent (or a
practitioner's recorded release) allows it. A practitioner's WITHHOLD hides an update from every other
organisation. Safeguarding concerns go to probation staff; another provider sees one only when a
practitioner has released it; health and dependency updates only with the person's explicit consent
or a release.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Category(enum.StrEnum):
    ATTENDANCE_ENGAGEMENT = "ATTENDANCE_ENGAGEMENT"
    ACCOMMODATION_STATUS = "ACCOMMODATION_STATUS"
    EMPLOYMENT_STATUS = "EMPLOYMENT_STATUS"
    SAFEGUARDING_CONCERN = "SAFEGUARDING_CONCERN"
    HEALTH_DEPENDENCY = "HEALTH_DEPENDENCY"
    GENERAL = "GENERAL"


# Shared with other providers unless the person has refused.
SHAREABLE_BY_DEFAULT = frozenset(
    {Category.ATTENDANCE_ENGAGEMENT, Category.ACCOMMODATION_STATUS, Category.EMPLOYMENT_STATUS, Category.GENERAL}
)
# Shared only with the person's explicit recorded consent.
NEEDS_EXPLICIT_CONSENT = frozenset({Category.HEALTH_DEPENDENCY})
# Never shared with another provider unless a practitioner releases it.
PRACTITIONER_RELEASE_ONLY = frozenset({Category.SAFEGUARDING_CONCERN})


class ViewerKind(enum.StrEnum):
    PROBATION = "PROBATION"  # practitioner, senior probation officer, prison offender manager
    PROVIDER = "PROVIDER"
    OTHER = "OTHER"  # commissioner, police partner, auditor...


class Consent(enum.StrEnum):
    NOT_RECORDED = "NOT_RECORDED"
    GRANTED = "GRANTED"
    REFUSED = "REFUSED"


class Override(enum.StrEnum):
    NONE = "NONE"
    RELEASE = "RELEASE"  # a practitioner shares it, with a recorded reason
    WITHHOLD = "WITHHOLD"  # a practitioner stops it being shared, with a recorded reason


@dataclass(frozen=True)
class SharingCase:
    viewer: ViewerKind
    category: Category
    # The viewer's organisation (provider id) is the one that wrote the update. Every other organisation,
    # a subcontractor on the same contract included, is another provider.
    viewer_is_author: bool = False
    # The viewer holds an active referral for the person (the source referral counts when the viewer's
    # organisation is on its contract), and the referral the update was posted on is active.
    viewer_has_active_referral: bool = False
    source_referral_active: bool = False
    consent: Consent = Consent.NOT_RECORDED
    override: Override = Override.NONE


@dataclass(frozen=True)
class Decision:
    visible: bool
    reason: str


def may_see_update(case: SharingCase) -> Decision:
    """Whether the viewer may read the update, and why (a stable reason code)."""
    if case.viewer is ViewerKind.PROBATION:
        return Decision(True, "probation-staff")
    if case.viewer is not ViewerKind.PROVIDER:
        return Decision(False, "role-not-permitted")
    if case.viewer_is_author:
        return Decision(True, "own-organisation")
    # From here on the viewer is another organisation: a practitioner's WITHHOLD always wins.
    if case.override is Override.WITHHOLD:
        return Decision(False, "withheld-by-practitioner")
    if not (case.viewer_has_active_referral and case.source_referral_active):
        return Decision(False, "no-shared-active-referral")
    if case.override is Override.RELEASE:
        return Decision(True, "released-by-practitioner")
    if case.category in PRACTITIONER_RELEASE_ONLY:
        return Decision(False, "safeguarding-not-released")
    if case.category in NEEDS_EXPLICIT_CONSENT:
        if case.consent is Consent.GRANTED:
            return Decision(True, "explicit-consent")
        return Decision(False, "explicit-consent-required")
    if case.consent is Consent.REFUSED:
        return Decision(False, "consent-refused")
    return Decision(True, "shareable-category")


@dataclass(frozen=True)
class ReferralFacts:
    id: str
    contract_reference: str
    active: bool


def provider_case(
    *,
    viewer_org: str,
    viewer_contracts: frozenset[str] | set[str],
    author_org: str,
    category: Category,
    source_referral_id: str,
    referrals: list[ReferralFacts],
    consent: Consent,
    override: Override,
) -> SharingCase:
    """The sharing case of one provider organisation reading one update: the one place both the timeline
    and the choice of notification recipients get it from. `viewer_contracts` are the contracts on which
    the viewer may see referrals (its organisation is the prime or a subcontractor, and it holds them)."""
    source = next((r for r in referrals if r.id == source_referral_id), None)
    return SharingCase(
        viewer=ViewerKind.PROVIDER,
        category=category,
        viewer_is_author=viewer_org == author_org,
        viewer_has_active_referral=any(r.active and r.contract_reference in viewer_contracts for r in referrals),
        source_referral_active=source is not None and source.active,
        consent=consent,
        override=override,
    )


# Reasons an update is not shown to another provider, as a preview names them.
WITHHELD_REASONS = {
    "withheld-by-practitioner": "withheld",
    "no-shared-active-referral": "no-shared-active-referral",
    "safeguarding-not-released": "not-released",
    "explicit-consent-required": "consent-missing",
    "consent-refused": "consent-refused",
    "role-not-permitted": "policy",
}
