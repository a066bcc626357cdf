"""What a police partner is sent: one `police.partner-notification.created` per force, on the partner
notification topic (key = force id), rendered for the POLICE_PARTNER audience before it is published.

The fields carry the data classes of what they hold, so the policy's POLICE_PARTNER column decides what
leaves: the substances a drug test found are HEALTH and never reach the police; nothing here names a
victim or carries a risk narrative."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import add_event, new_event
from probation_shared.events.contracts import contract
from probation_shared.events.topics import PARTNER_NOTIFICATIONS
from probation_shared.redaction import Audience, Classified, DataClass, Outbound, render
from probation_shared.roles import Role

from ..db.models import PLATFORM

D = DataClass
POLICE_NOTIFICATION_EVENT_TYPE = "police.partner-notification.created"
POLICE_AUDIENCE = Audience.of({Role.POLICE_PARTNER})


class PoliceRegistration(Outbound):
    type: Annotated[str, Classified(D.REFERENCE)]  # IIOM or MAPP
    category: Annotated[str | None, Classified(D.RISK_LEVELS)] = None  # MAPPA category, e.g. M2
    level: Annotated[str | None, Classified(D.RISK_LEVELS)] = None  # MAPPA level, e.g. M1


class OffenderManager(Outbound):
    """Who to call in probation about the person."""

    staffCode: Annotated[str | None, Classified(D.STAFF)] = None
    name: Annotated[str | None, Classified(D.STAFF)] = None
    email: Annotated[str | None, Classified(D.STAFF)] = None
    phone: Annotated[str | None, Classified(D.STAFF)] = None
    teamCode: Annotated[str | None, Classified(D.REFERENCE)] = None
    pduCode: Annotated[str | None, Classified(D.REFERENCE)] = None


class PoliceDrugTest(Outbound):
    testId: Annotated[int, Classified(D.REFERENCE)]
    testDate: Annotated[date | None, Classified(D.REFERENCE)] = None
    result: Annotated[str, Classified(D.SENTENCE)]  # POSITIVE / NEGATIVE / REFUSED: compliance with the order
    flaggedForEnforcement: Annotated[bool | None, Classified(D.SENTENCE)] = None
    substances: Annotated[list[str], Classified(D.HEALTH)] = []  # substance use: removed for the police


class PoliceRiskChange(Outbound):
    overallLevel: Annotated[str | None, Classified(D.RISK_LEVELS)] = None
    previousLevel: Annotated[str | None, Classified(D.RISK_LEVELS)] = None
    direction: Annotated[str, Classified(D.RISK_LEVELS)] = "CHANGED"  # RAISED / LOWERED / CHANGED
    version: Annotated[int | None, Classified(D.REFERENCE)] = None


class PolicePayload(Outbound):
    crn: Annotated[str, Classified(D.REFERENCE)]
    registrations: list[PoliceRegistration] = []
    offenderManager: OffenderManager | None = None
    drugTest: PoliceDrugTest | None = None
    riskChange: PoliceRiskChange | None = None


@contract(POLICE_NOTIFICATION_EVENT_TYPE, description="A notification for one police partner (key = force id)")
class PoliceNotification(Outbound):
    forceId: Annotated[str, Classified(D.REFERENCE)]
    notificationType: Annotated[str, Classified(D.REFERENCE)]
    payload: PolicePayload


def police_notification_data(force_id: str, notification_type: str, payload: PolicePayload) -> dict:
    """The notification as the force receives it: the policy's POLICE_PARTNER rendering."""
    return render(
        PoliceNotification(forceId=force_id, notificationType=notification_type, payload=payload), POLICE_AUDIENCE
    )


async def publish_police_notification(
    session: AsyncSession, force_id: str, notification_type: str, crn: str, payload: PolicePayload
) -> None:
    event = new_event(
        POLICE_NOTIFICATION_EVENT_TYPE,
        crn=crn,
        description=f"{notification_type} for police partner {force_id}",
        additional_information=police_notification_data(force_id, notification_type, payload),
    )
    await add_event(session, PLATFORM.outbox, PARTNER_NOTIFICATIONS, event, key=force_id)
