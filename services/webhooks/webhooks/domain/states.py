"""A message's life, as a transition table, and what one attempt's result leads to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .backoff import retry_after_seconds, retry_delay


class MessageStatus(StrEnum):
    PENDING = "PENDING"  # waiting for its (next) attempt, or being attempted under a lease
    DELIVERED = "DELIVERED"  # a 2xx came back
    DEAD = "DEAD"  # retries spent: a dead letter, replayable
    CANCELLED = "CANCELLED"  # the receiver answered 410 Gone (for this or an earlier message)
    HELD = "HELD"  # arrived or was queued while the endpoint was disabled; released on enable or replay


class Trigger(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # retry scheduled
    EXHAUSTED = "exhausted"
    GONE = "gone"
    ENDPOINT_DISABLED = "endpoint-disabled"
    ENDPOINT_ENABLED = "endpoint-enabled"
    REPLAYED = "replayed"


S, T = MessageStatus, Trigger
TRANSITIONS: dict[tuple[MessageStatus, Trigger], MessageStatus] = {
    (S.PENDING, T.SUCCEEDED): S.DELIVERED,
    (S.PENDING, T.FAILED): S.PENDING,
    (S.PENDING, T.EXHAUSTED): S.DEAD,
    (S.PENDING, T.GONE): S.CANCELLED,
    (S.PENDING, T.ENDPOINT_DISABLED): S.HELD,
    (S.HELD, T.ENDPOINT_ENABLED): S.PENDING,
    (S.HELD, T.GONE): S.HELD,
    (S.HELD, T.REPLAYED): S.PENDING,
    (S.DEAD, T.REPLAYED): S.PENDING,
    (S.CANCELLED, T.REPLAYED): S.PENDING,
    (S.DELIVERED, T.REPLAYED): S.PENDING,
}
REPLAYABLE = frozenset(s for (s, t) in TRANSITIONS if t is T.REPLAYED)


class InvalidTransition(ValueError):
    pass


def next_status(status: MessageStatus, trigger: Trigger) -> MessageStatus:
    try:
        return TRANSITIONS[(status, trigger)]
    except KeyError:
        raise InvalidTransition(f"a {status.value} message cannot be {trigger.value}") from None


class Outcome(StrEnum):
    """What one attempt came to (the `outcome` label of the delivery metrics)."""

    SUCCESS = "success"
    HTTP_ERROR = "http_error"  # a non-2xx answer other than those below (redirects included: never followed)
    GONE = "gone"  # 410
    THROTTLED = "throttled"  # 429 or 503, with or without Retry-After
    TIMEOUT = "timeout"  # the attempt's one deadline passed
    NETWORK_ERROR = "network_error"
    REFUSED_ADDRESS = "refused_address"  # the host resolved to an address we do not send to


def outcome_of(status_code: int | None, error_kind: Outcome | None = None) -> Outcome:
    if status_code is None:
        return error_kind or Outcome.NETWORK_ERROR
    if 200 <= status_code < 300:
        return Outcome.SUCCESS
    if status_code == 410:
        return Outcome.GONE
    if status_code in (429, 503):
        return Outcome.THROTTLED
    return Outcome.HTTP_ERROR


@dataclass(frozen=True)
class RetryPolicy:
    schedule: tuple[float, ...]
    jitter: float
    max_retry_after: float


@dataclass(frozen=True)
class Decision:
    status: MessageStatus
    trigger: Trigger
    next_attempt_at: datetime | None = None

    @property
    def disable_endpoint(self) -> bool:
        return self.trigger is Trigger.GONE


def decide(
    attempt_number: int, outcome: Outcome, retry_after: str | None, now: datetime, policy: RetryPolicy, draw: float
) -> Decision:
    """What follows attempt `attempt_number` (1-based) of a PENDING message."""
    if outcome is Outcome.SUCCESS:
        trigger = Trigger.SUCCEEDED
    elif outcome is Outcome.GONE:
        trigger = Trigger.GONE
    else:
        delay = retry_delay(attempt_number, policy.schedule, policy.jitter, draw)
        if delay is None:
            trigger = Trigger.EXHAUSTED
        else:
            if outcome is Outcome.THROTTLED:
                asked = retry_after_seconds(retry_after, now)
                if asked is not None:
                    delay = max(delay, min(asked, policy.max_retry_after))
            return Decision(
                next_status(MessageStatus.PENDING, Trigger.FAILED), Trigger.FAILED, now + timedelta(seconds=delay)
            )
    return Decision(next_status(MessageStatus.PENDING, trigger), trigger)


class DisabledReason(StrEnum):
    BY_PROVIDER = "disabled by the provider"
    GONE = "the receiver answered 410 Gone"
    FAILING = "every delivery failed for 24 hours"


def failing_too_long(failing_since: datetime | None, now: datetime, window: timedelta) -> bool:
    """An endpoint whose attempts have all failed since `failing_since` is disabled after `window`."""
    return failing_since is not None and now - failing_since >= window
