"""What refer-monitor publishes, as typed contracts: the `additionalInformation` of each `intervention.*`
event on `refer-monitor.events` (read by services: rendered for the service audience), and the partner
notification on `refer-monitor.partner-notifications` (rendered for the provider it goes to, never with
HEALTH). Every field carries a data class; nothing else can be put on the bus."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from probation_shared.events.contracts import contract
from probation_shared.redaction import Classified, DataClass, Outbound

from ..domain.views import ProviderView

D = DataClass
Ref = Annotated[str | None, Classified(D.REFERENCE)]
RefInt = Annotated[int | None, Classified(D.REFERENCE)]
RefBool = Annotated[bool | None, Classified(D.REFERENCE)]
Staff = Annotated[str | None, Classified(D.STAFF)]


class ReferralInfo(Outbound):
    """Every `intervention.*` event: which referral, on which contract, delivered by which prime provider."""

    referralId: Annotated[str, Classified(D.REFERENCE)]
    referralReference: Ref = None
    providerId: Ref = None
    contractReference: Ref = None


@contract("intervention.referral.sent", description="A referral has been sent to the provider")
class ReferralSent(ReferralInfo):
    pass


@contract("intervention.referral.assigned", description="A provider caseworker has been assigned the referral")
class ReferralAssigned(ReferralInfo):
    assignedTo: Staff = None


@contract("intervention.referral.amended", description="Details of a sent referral have been amended")
class ReferralAmended(ReferralInfo):
    fields: Annotated[list[str], Classified(D.REFERENCE)] = []
    assignedTo: Staff = None


@contract("intervention.referral.withdrawn", description="The referral has been withdrawn by probation")
class ReferralWithdrawn(ReferralInfo):
    withdrawalCode: Ref = None
    withdrawalReason: Ref = None


@contract("intervention.referral.ended", description="The referral has ended")
class ReferralEnded(ReferralInfo):
    outcome: Ref = None
    awaitingEndOfServiceReport: RefBool = None


@contract("intervention.referral.concluded", description="The referral is concluded")
class ReferralConcluded(ReferralInfo):
    outcome: Ref = None


@contract(
    "intervention.action-plan.submitted",
    "intervention.action-plan.approved",
    description="An action plan was submitted or approved",
)
class ActionPlanChanged(ReferralInfo):
    actionPlanId: Ref = None
    numberOfSessions: RefInt = None


@contract(
    "intervention.session-appointment.attended",
    "intervention.session-appointment.missed",
    "intervention.session-appointment.session-feedback-submitted",
    description="Attendance or feedback was recorded for an appointment",
)
class AppointmentRecorded(ReferralInfo):
    appointmentId: Ref = None
    appointmentKind: Ref = None
    sessionNumber: RefInt = None
    attendance: Ref = None


@contract(
    "intervention.end-of-service-report.submitted", description="The provider has submitted the end of service report"
)
class EndOfServiceReportSubmitted(ReferralInfo):
    pass


@contract(
    "intervention.provider-update.created",
    description="A provider posted an update on a referral (or a practitioner released one)",
)
class ProviderUpdateCreated(ReferralInfo):
    updateId: Ref = None
    category: Ref = None
    authorProviderId: Ref = None
    released: RefBool = None


# --- partner notifications ----------------------------------------------------------------------


class ReferralDetails(Outbound):
    complexityLevel: Annotated[str | None, Classified(D.SENTENCE)] = None
    desiredOutcomes: Annotated[list[str], Classified(D.SENTENCE)] = []
    needs: Annotated[list[str], Classified(D.SENTENCE)] = []
    completionDeadline: Annotated[date | None, Classified(D.SENTENCE)] = None
    expectedReleaseDate: Annotated[date | None, Classified(D.SENTENCE)] = None


class AmendmentNote(Outbound):
    field: Annotated[str, Classified(D.REFERENCE)]
    old: Annotated[str | list[str] | bool | None, Classified(D.SENTENCE)] = None
    new: Annotated[str | list[str] | bool | None, Classified(D.SENTENCE)] = None
    reason: Annotated[str | None, Classified(D.SENTENCE)] = None


class WithdrawalNote(Outbound):
    withdrawalCode: Ref = None
    withdrawalReason: Ref = None


class UpdateNote(Outbound):
    id: Annotated[str, Classified(D.REFERENCE)]
    category: Ref = None
    text: Annotated[str | None, Classified(D.PROVIDER_UPDATES)] = None
    providerId: Ref = None
    createdAt: Annotated[datetime | None, Classified(D.REFERENCE)] = None


class ReferralRef(Outbound):
    referralId: Annotated[str, Classified(D.REFERENCE)]
    referralReference: Ref = None
    contractReference: Ref = None
    viewVersion: RefInt = None


class ViewChange(Outbound):
    """What changed in the provider view: the sections and fields, and only the changed values (the
    unchanged fields of `values` are cut out before it is sent; anything its reader may not see is too)."""

    reason: Ref = None
    sections: Annotated[list[str], Classified(D.REFERENCE)] = []
    fields: Annotated[list[str], Classified(D.REFERENCE)] = []
    values: ProviderView | None = None


class NotificationPayload(Outbound):
    referralReference: Ref = None
    contractReference: Ref = None
    status: Ref = None
    outcome: Ref = None
    assignedTo: Staff = None
    referral: ReferralDetails | None = None
    view: ProviderView | None = None  # only when the referral is sent: everything is new to the provider
    change: ViewChange | None = None
    referrals: list[ReferralRef] = []
    amendments: list[AmendmentNote] = []
    withdrawal: WithdrawalNote | None = None
    update: UpdateNote | None = None


@contract(
    "intervention.partner-notification.created", description="A notification for one provider (key = provider id)"
)
class PartnerNotification(Outbound):
    providerId: Annotated[str, Classified(D.REFERENCE)]
    notificationType: Annotated[str, Classified(D.REFERENCE)]
    referralId: Annotated[str, Classified(D.REFERENCE)]
    payload: NotificationPayload
