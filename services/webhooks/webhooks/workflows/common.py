"""What the use cases share: the clock, the secret vault and the signing secrets in force."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock

from ..db.models import Endpoint
from ..settings import WebhooksSettings
from ..vault import SecretVault, vault_for

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return clock.now()


def clock_of(context: dict) -> Clock:
    """The clock in use: the system's, unless a test put another in the database context."""
    return context.get("clock") or system_clock


def now_in(session: AsyncSession) -> datetime:
    return clock_of(session.info)()


def vault(settings: WebhooksSettings) -> SecretVault:
    return vault_for(tuple(settings.encryption_keys()))


def signing_secrets(endpoint: Endpoint, secrets: SecretVault, now: datetime) -> list[str]:
    """The current secret, and the previous one while its 24 hours of overlap last."""
    found = [secrets.decrypt(endpoint.secret_encrypted)]
    expires = clock.as_utc(endpoint.previous_secret_expires_at)
    if endpoint.previous_secret_encrypted and expires is not None and now < expires:
        found.append(secrets.decrypt(endpoint.previous_secret_encrypted))
    return found


WAKE = "delivery_wake"


def wake_workers_after_commit(session: AsyncSession) -> None:
    """Wake this process's delivery worker once the new messages are committed (others poll)."""
    wake = session.info.get(WAKE)
    if wake is None or session.info.get("wake_armed"):
        return
    session.info["wake_armed"] = True

    def after_commit(_session) -> None:
        wake.set()

    sa_event.listen(session.sync_session, "after_commit", after_commit, once=True)
