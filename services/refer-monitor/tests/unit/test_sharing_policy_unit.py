"""The provider-update sharing policy as a pure function (fast tier)."""

from __future__ import annotations

import pytest

from refer_monitor.domain.sharing import Category, Consent, Override, SharingCase, ViewerKind, may_see_update

OTHER_PROVIDER = {"viewer": ViewerKind.PROVIDER, "viewer_has_active_referral": True, "source_referral_active": True}


@pytest.mark.parametrize(
    ("case", "visible", "reason"),
    [
        (SharingCase(viewer=ViewerKind.PROBATION, category=Category.SAFEGUARDING_CONCERN), True, "probation-staff"),
        (SharingCase(viewer=ViewerKind.OTHER, category=Category.GENERAL), False, "role-not-permitted"),
        (
            SharingCase(viewer=ViewerKind.PROVIDER, category=Category.HEALTH_DEPENDENCY, viewer_is_author=True),
            True,
            "own-organisation",
        ),
        (
            SharingCase(category=Category.GENERAL, override=Override.WITHHOLD, **OTHER_PROVIDER),
            False,
            "withheld-by-practitioner",
        ),
        (SharingCase(viewer=ViewerKind.PROVIDER, category=Category.GENERAL), False, "no-shared-active-referral"),
        (SharingCase(category=Category.SAFEGUARDING_CONCERN, **OTHER_PROVIDER), False, "safeguarding-not-released"),
        (
            SharingCase(category=Category.SAFEGUARDING_CONCERN, override=Override.RELEASE, **OTHER_PROVIDER),
            True,
            "released-by-practitioner",
        ),
        (SharingCase(category=Category.HEALTH_DEPENDENCY, **OTHER_PROVIDER), False, "explicit-consent-required"),
        (
            SharingCase(category=Category.HEALTH_DEPENDENCY, consent=Consent.GRANTED, **OTHER_PROVIDER),
            True,
            "explicit-consent",
        ),
        (
            SharingCase(category=Category.EMPLOYMENT_STATUS, consent=Consent.REFUSED, **OTHER_PROVIDER),
            False,
            "consent-refused",
        ),
        (SharingCase(category=Category.ATTENDANCE_ENGAGEMENT, **OTHER_PROVIDER), True, "shareable-category"),
    ],
)
def test_may_see_update(case, visible, reason):
    decision = may_see_update(case)
    assert (decision.visible, decision.reason) == (visible, reason)
