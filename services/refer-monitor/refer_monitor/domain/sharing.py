"""The cross-provider sharing policy, as one pure function.

A provider reads another provider's update on the same person only when both hold an active referral
for that person, the update's category is shareable, and the person's consent (or a practitioner's
recorded override) allows it. Safeguarding concerns go to probation staff; another provider sees one
only when a practitioner has released it.
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
SHAREABLE_BY_DEFAULT = frozenset({Category.ATTENDANCE_ENGAGEMENT, Category.ACCOMMODATION_STATUS, Category.EMPLOYMENT_STATUS, Category.GENERAL})
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
    # The viewer can already see the referral the update was posted on (same contract access).
    viewer_sees_source_referral: bool = False
    # Both providers hold an active referral for the person.
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
    if case.viewer_sees_source_referral:
        return Decision(True, "own-referral")
    if not (case.viewer_has_active_referral and case.source_referral_active):
        return Decision(False, "no-shared-active-referral")
    if case.override is Override.WITHHOLD:
        return Decision(False, "withheld-by-practitioner")
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
