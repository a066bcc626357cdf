"""The idempotent consumer: inbox row and handler effect in one transaction, offsets committed after.

Dispatch is on (eventType, version): an event type this consumer does not handle is skipped; a
version of a handled type that it has no handler for is dead-lettered with that reason.

Two kinds of failure are told apart (see `failures.py`):
- transient (database or broker unavailable, timeouts, serialization conflicts): the consumer
  pauses its partitions and retries with exponential backoff and jitter until the infrastructure is
  back; it never dead-letters for it. `consumer_paused` and readiness say so meanwhile.
- the handler's own: retried with backoff for `consumer_retry_budget_seconds`, then the message moves
  to the consumer's dead-letter topic with a safe reason (the error's type, never input values).

A fetched batch is handled in one transaction, each handler call in a savepoint. When one fails, the
events before it are committed as they stand (their handlers never run again), the failing one is
handled on its own with retries, and the rest of the batch continues. While a batch takes its time
the consumer keeps polling with its partitions paused, so it stays in its group however slow a handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock

from ..db import STAGED_WRITES, Database
from ..logging import bind_correlation_id, clear_context, get_logger
from ..metrics import ServiceMetrics
from ..settings import PlatformSettings
from ..tracing import consumer_span, link_to, trace_id_of
from .envelope import DomainEvent
from .failures import describe, error_type, is_transient
from .kafka import make_consumer, make_producer
from .outbox import PlatformTables

log = get_logger(__name__)

Handler = Callable[[AsyncSession, DomainEvent], Awaitable[None]]
# Handles a run of consecutive events of one type in one go (e.g. to load what they need in bulk).
BatchHandler = Callable[[AsyncSession, list[DomainEvent]], Awaitable[None]]

# Headers added to a dead letter; stripped again when it is replayed.
DLQ_HEADERS = ("x-original-topic", "x-error", "x-error-type", "x-attempts", "x-consumer")
DEFAULT_VERSION = 1


async def read_elsewhere(session: Any, event: Any) -> None:
    """The handler for a version of an event that this consumer knowingly does not use, because it reads
    the same fact from another version published beside it: marked handled, never dead-lettered."""


def _by_version(handlers: Mapping[Any, Any]) -> dict[tuple[str, int], Any]:
    """`{eventType: fn}` (version 1), `{eventType: {version: fn}}` or `{(eventType, version): fn}`."""
    table: dict[tuple[str, int], Any] = {}
    for key, value in handlers.items():
        if isinstance(key, tuple):
            event_type, version = key
            table[(event_type, int(version))] = value
        elif isinstance(value, Mapping):
            for version, fn in value.items():
                table[(key, int(version))] = fn
        else:
            table[(key, DEFAULT_VERSION)] = value
    return table


@dataclass
class Subscription:
    """What one consumer group listens to: logical topic names and a handler per event type and version.

    `handlers={eventType: fn}` handles version 1 of each type; `{eventType: {1: fn1, 2: fn2}}` or
    `{(eventType, 2): fn}` handle other versions.
    """

    name: str
    topics: list[str]
    handlers: Mapping[Any, Any] = field(default_factory=dict)
    # Optional: for these event types (and versions, keyed the same way as `handlers`), a batch of
    # consecutive events goes to one call. The per-event handler of the same type and version must
    # still exist: it is used when a batch is retried one message at a time.
    batch_handlers: Mapping[Any, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._handlers: dict[tuple[str, int], Handler] = _by_version(self.handlers)
        self._batch_handlers: dict[tuple[str, int], BatchHandler] = _by_version(self.batch_handlers)
        self._versions: dict[str, list[int]] = {}
        for event_type, version in sorted(self._handlers):
            self._versions.setdefault(event_type, []).append(version)
        missing = set(self._batch_handlers) - set(self._handlers)
        if missing:
            raise ValueError(f"batch handlers without a per-event handler: {sorted(missing)}")

    def handler_for(self, event: DomainEvent) -> Handler | None:
        return self._handlers.get((event.eventType, event.version))

    def batch_handler_for(self, event: DomainEvent) -> BatchHandler | None:
        return self._batch_handlers.get((event.eventType, event.version))

    def unsupported(self, event: DomainEvent) -> str | None:
        """Why this consumer cannot take an event of a type it handles, or None."""
        versions = self._versions.get(event.eventType)
        if versions and event.version not in versions:
            return (
                f"unsupported version {event.version} of {event.eventType} (handled: {', '.join(map(str, versions))})"
            )
        return None

    def group_id(self, settings: PlatformSettings) -> str:
        return f"{settings.kafka_topic_prefix}{settings.service_name}.{self.name}"

    def dead_letter_topic(self, settings: PlatformSettings) -> str:
        return settings.topic(f"dlq.{settings.service_name}.{self.name}")


class _InboxConflict(Exception):
    """Some events of a batch were recorded in the inbox by another member meanwhile."""


class ConsumerStopping(Exception):
    """The consumer was asked to stop while it waited to retry; the message stays uncommitted."""


@dataclass
class _Item:
    """One fetched message and what to do with it."""

    message: ConsumerRecord
    event: DomainEvent | None = None
    handler: Handler | None = None
    dead_letter: str | None = None  # the reason, when it goes straight to the dead-letter topic
    error_type: str = ""

    def ready(self) -> _Ready | None:
        """The event and its handler, when this service handles it."""
        if self.event is None or self.handler is None:
            return None
        return _Ready(self.message, self.event, self.handler)


@dataclass
class _Ready:
    """A fetched event this service handles."""

    message: ConsumerRecord
    event: DomainEvent
    handler: Handler


Sleep = Callable[[float], Awaitable[None]]


class EventConsumer:
    def __init__(
        self,
        settings: PlatformSettings,
        database: Database,
        tables: PlatformTables,
        metrics: ServiceMetrics,
        subscription: Subscription,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self.database = database
        self.inbox = tables.inbox
        self.metrics = metrics
        self.subscription = subscription
        self.consumer_name = f"{settings.service_name}.{subscription.name}"
        self._clock = clock
        self._sleep_fn = sleep
        self._jitter = jitter
        self._stopping = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        # Why the consumer is waiting (a transient failure), or None while it flows.
        self.paused_reason: str | None = None
        # Offsets of messages of the batch in hand whose outcome is committed (for a rebalance).
        self._done: dict[TopicPartition, int] = {}
        self._broker_failures = 0
        self.metrics.consumer_paused.labels(consumer=self.consumer_name).set(0)

    # -- the loop ----------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    await self._consume()
                except ConsumerStopping:
                    break
                except Exception as exc:  # broker gone: rebuild the clients and carry on
                    self._broker_failures += 1
                    delay = self._transient_delay(self._broker_failures)
                    self._pause(f"consumer failed: {describe(exc)}")
                    self.metrics.consumer_transient_failures.labels(consumer=self.consumer_name).inc()
                    log.warning(
                        "consumer_failed", consumer=self.consumer_name, error=describe(exc), retry_in=round(delay, 2)
                    )
                    await self._close()
                    with contextlib.suppress(ConsumerStopping):
                        await self._wait(delay)
        finally:
            await asyncio.shield(self._close())

    async def stop(self) -> None:
        self._stopping.set()

    @property
    def state(self) -> str:
        """`paused` while waiting out a transient failure; `assigned` once the group has given this
        member partitions; `joining` before."""
        if self.paused_reason:
            return "paused"
        return "assigned" if self._consumer is not None and self._consumer.assignment() else "joining"

    async def _consume(self) -> None:
        topics = [self.settings.topic(t) for t in self.subscription.topics]
        consumer = make_consumer(self.settings, self.subscription.group_id(self.settings))
        consumer.subscribe(topics, listener=_CommitOnRevoke(self))
        self._consumer = consumer
        await consumer.start()
        log.info("consumer_started", consumer=self.consumer_name, topics=topics)
        while not self._stopping.is_set():
            batches = await consumer.getmany(
                timeout_ms=self.settings.consumer_poll_timeout_ms, max_records=self.settings.consumer_batch_size
            )
            self._broker_failures = 0
            if self.paused_reason and self.paused_reason.startswith("consumer failed"):
                self._resume()  # the broker answers again
            messages = [message for batch in batches.values() for message in batch]
            if messages:
                await self._process(consumer, batches, messages)
            await self._record_lag(consumer)

    async def _process(self, consumer, batches, messages: list[ConsumerRecord]) -> None:
        """Handle a batch while staying a live member of the group, then commit its offsets."""
        offsets = {tp: batch[-1].offset + 1 for tp, batch in batches.items() if batch}
        self._done = {}
        task = asyncio.create_task(self.handle_batch(messages))
        keepalive = min(1.0, self.settings.consumer_max_poll_interval_ms / 4000)
        paused = False
        try:
            while not task.done():
                await asyncio.wait({task}, timeout=keepalive)
                if task.done():
                    break
                # Slow batch: stop fetching, but keep polling so the group does not drop us.
                if not paused:
                    consumer.pause(*consumer.assignment())
                    paused = True
                try:
                    extra = await consumer.getmany(timeout_ms=0)
                except KafkaError as exc:  # the batch in hand does not depend on the broker: finish it first
                    log.warning("consumer_keepalive_poll_failed", consumer=self.consumer_name, error=describe(exc))
                    continue
                for tp, records in extra.items():  # newly assigned partitions: not now, later
                    if records:
                        consumer.seek(tp, records[0].offset)
                        consumer.pause(tp)
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if paused:
                consumer.resume(*consumer.assignment())
        task.result()
        assigned = consumer.assignment()
        await self._commit(consumer, {tp: offset for tp, offset in offsets.items() if tp in assigned})
        self._done = {}

    async def _commit(self, consumer, offsets: dict[TopicPartition, int]) -> None:
        if not offsets:
            return
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            # Partitions moved to another member meanwhile: it re-reads them; the inbox makes that harmless.
            log.info("offset_commit_skipped", consumer=self.consumer_name, error=error_type(exc))

    def _mark_done(self, message: ConsumerRecord) -> None:
        tp = TopicPartition(message.topic, message.partition)
        self._done[tp] = max(self._done.get(tp, 0), message.offset + 1)

    async def _record_lag(self, consumer: AIOKafkaConsumer) -> None:
        lag = 0
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                lag += max(highwater - await consumer.position(tp), 0)
        self.metrics.consumer_lag.labels(consumer=self.consumer_name).set(lag)

    # -- a batch ----------------------------------------------------------------------------

    async def handle_batch(self, messages: list[ConsumerRecord]) -> None:
        """Handle a fetched batch: together in one transaction while that works, one by one where it
        does not. Never runs a handler again whose effect was committed."""
        start = 0
        while start < len(messages):
            rest = messages[start:]
            if len(rest) == 1:
                await self.handle_message(rest[0])
                self._mark_done(rest[0])
                return
            try:
                committed, failing = await self._until_transient_passes(functools.partial(self._handle_together, rest))
            except _InboxConflict:
                committed, failing = 0, len(rest)
            for message in rest[:committed]:
                self._mark_done(message)
            for message in rest[committed : committed + failing]:
                await self.handle_message(message)
                self._mark_done(message)
            start += committed + failing

    def _classify(self, message: ConsumerRecord) -> _Item:
        event = _parse(message)
        if isinstance(event, str):
            return _Item(message, dead_letter=event, error_type="unreadable-event")
        unsupported = self.subscription.unsupported(event)
        if unsupported:
            return _Item(message, event, dead_letter=unsupported, error_type="unsupported-version")
        return _Item(message, event, handler=self.subscription.handler_for(event))

    async def _handle_together(self, messages: list[ConsumerRecord]) -> tuple[int, int]:
        """One transaction for the batch, a savepoint per handler call. Returns (how many messages
        from the start are dealt with and committed, how many after them to handle one by one)."""
        items = [self._classify(m) for m in messages]
        ready = [(i, r) for i, item in enumerate(items) if (r := item.ready()) is not None]
        position = {id(r): i for i, r in ready}
        failed_at: int | None = None
        failed_end = 0
        async with self.database.unit_of_work() as session:
            ids = [str(r.event.eventId) for _, r in ready]
            seen = set(await self._seen(session, ids)) if ids else set()
            fresh: list[_Ready] = []
            for _, r in ready:
                if str(r.event.eventId) not in seen:
                    seen.add(str(r.event.eventId))
                    fresh.append(r)
            if fresh:
                now = clock.now()
                await self._insert_inbox(
                    session,
                    [
                        {
                            "consumer": self.consumer_name,
                            "event_id": str(i.event.eventId),
                            "event_type": i.event.eventType,
                            "processed_at": now,
                        }
                        for i in fresh
                    ],
                )
            handled = 0
            for run in self._units(fresh):
                staged = len(session.info.get(STAGED_WRITES, []))
                try:
                    async with session.begin_nested():
                        await self._run_unit(session, run)
                except Exception as exc:
                    if is_transient(exc):
                        raise
                    # Keep what is before it; forget this unit's staged rows and the inbox rows from here on.
                    del session.info.setdefault(STAGED_WRITES, [])[staged:]
                    not_done = [str(i.event.eventId) for i in fresh[handled:]]
                    await session.execute(
                        delete(self.inbox).where(
                            self.inbox.c.consumer == self.consumer_name, self.inbox.c.event_id.in_(not_done)
                        )
                    )
                    failed_at, failed_end = position[id(run[0])], position[id(run[-1])] + 1
                    log.info(
                        "batch_unit_failed_handling_it_alone",
                        consumer=self.consumer_name,
                        size=len(messages),
                        at=failed_at,
                        error=describe(exc),
                    )
                    break
                handled += len(run)
        committed = len(items) if failed_at is None else failed_at
        self.metrics.events_consumed.labels(consumer=self.consumer_name, outcome="handled").inc(handled)
        # Units before the failing one all lie before it: what else had a handler there was a duplicate.
        duplicates = sum(1 for item in items[:committed] if item.handler) - handled
        self.metrics.events_consumed.labels(consumer=self.consumer_name, outcome="duplicate").inc(duplicates)
        for item in items[:committed]:
            if item.dead_letter:
                await self._dead_letter(item.message, item.dead_letter, attempts=0, kind=item.error_type)
        return committed, (failed_end - failed_at if failed_at is not None else 0)

    async def _insert_inbox(self, session: AsyncSession, rows: list[dict]) -> None:
        try:
            await session.execute(self.inbox.insert(), rows)
        except IntegrityError as exc:
            if is_transient(exc):
                raise
            # Another member is handling some of these right now (a rebalance overlap): no handler
            # has run yet, so take them one by one, where the inbox settles each.
            raise _InboxConflict() from exc

    def _units(self, fresh: list[_Ready]) -> list[list[_Ready]]:
        """Runs of consecutive events of one type and version that have a batch handler, else single events."""
        units: list[list[_Ready]] = []
        for item in fresh:
            key = (item.event.eventType, item.event.version)
            previous = units[-1] if units else None
            if (
                previous
                and self.subscription.batch_handler_for(item.event)
                and (previous[0].event.eventType, previous[0].event.version) == key
            ):
                previous.append(item)
            else:
                units.append([item])
        return units

    async def _run_unit(self, session: AsyncSession, run: list[_Ready]) -> None:
        batch_handler = self.subscription.batch_handler_for(run[0].event)
        if batch_handler is not None and len(run) > 1:
            links = [link for item in run[1:] if (link := link_to(_headers(item.message)))]
            with _event_context(run[0].message, run[0].event, self.consumer_name, links=links):
                await batch_handler(session, [item.event for item in run])
            return
        for item in run:
            with _event_context(item.message, item.event, self.consumer_name):
                await item.handler(session, item.event)

    async def _seen(self, session: AsyncSession, ids: list[str]) -> list[str]:
        c = self.inbox.c
        return list(
            (
                await session.scalars(select(c.event_id).where(c.consumer == self.consumer_name, c.event_id.in_(ids)))
            ).all()
        )

    # -- one message ------------------------------------------------------------------------

    async def handle_message(self, message: ConsumerRecord) -> None:
        """Handle one message: parse, dispatch, dedupe through the inbox, run the handler, retry, dead-letter."""
        item = self._classify(message)
        if item.dead_letter:
            await self._dead_letter(message, item.dead_letter, attempts=0, kind=item.error_type)
            return
        handled = item.ready()
        if handled is None:
            return
        with _event_context(message, handled.event, self.consumer_name):
            await self._handle_with_retries(message, handled.event, handled.handler)

    async def _handle_with_retries(self, message: ConsumerRecord, event: DomainEvent, handler: Handler) -> None:
        attempts = 0
        transient = 0
        first_failure: float | None = None
        budget = self.settings.consumer_retry_budget_seconds
        while True:
            try:
                outcome = await self._handle_once(event, handler)
            except Exception as exc:
                if is_transient(exc):
                    transient += 1
                    await self._wait_out_transient(exc, transient, event_id=str(event.eventId))
                    continue
                attempts += 1
                now = self._clock()
                first_failure = now if first_failure is None else first_failure
                spent = now - first_failure
                cap = self.settings.consumer_max_attempts
                log.warning(
                    "event_handler_failed",
                    consumer=self.consumer_name,
                    event_id=str(event.eventId),
                    event_type=event.eventType,
                    attempt=attempts,
                    error=describe(exc),
                )
                if spent >= budget or (cap is not None and attempts >= cap):
                    self.metrics.events_consumed.labels(consumer=self.consumer_name, outcome="dead-lettered").inc()
                    await self._dead_letter(message, describe(exc), attempts=attempts, kind=error_type(exc))
                    return
                self.metrics.consumer_handler_retries.labels(consumer=self.consumer_name).inc()
                await self._wait(
                    min(self._backoff(attempts, self.settings.consumer_retry_backoff_max_seconds), budget - spent)
                )
                continue
            if transient:
                self._resume()
            self.metrics.events_consumed.labels(consumer=self.consumer_name, outcome=outcome).inc()
            return

    async def _handle_once(self, event: DomainEvent, handler: Handler) -> str:
        try:
            async with self.database.unit_of_work() as session:
                if await self._seen(session, [str(event.eventId)]):
                    return "duplicate"
                await session.execute(
                    self.inbox.insert().values(
                        consumer=self.consumer_name,
                        event_id=str(event.eventId),
                        event_type=event.eventType,
                        processed_at=clock.now(),
                    )
                )
                await handler(session, event)
        except IntegrityError as exc:
            if is_transient(exc):
                raise
            if await self._is_duplicate(event):
                return "duplicate"  # another member handled the same event concurrently; its effect stands
            raise
        return "handled"

    async def _is_duplicate(self, event: DomainEvent) -> bool:
        async with self.database.sessions() as session:
            return bool(await self._seen(session, [str(event.eventId)]))

    # -- waiting ----------------------------------------------------------------------------

    async def _until_transient_passes(self, work: Callable[[], Awaitable[Any]]) -> Any:
        failures = 0
        while True:
            try:
                result = await work()
            except Exception as exc:
                if not is_transient(exc):
                    raise
                failures += 1
                await self._wait_out_transient(exc, failures)
                continue
            if failures:
                self._resume()
            return result

    async def _wait_out_transient(self, exc: BaseException, failures: int, **context) -> None:
        delay = self._transient_delay(failures)
        self._pause(describe(exc))
        self.metrics.consumer_transient_failures.labels(consumer=self.consumer_name).inc()
        log.warning(
            "consumer_transient_failure",
            consumer=self.consumer_name,
            error=describe(exc),
            attempt=failures,
            retry_in=round(delay, 3),
            **context,
        )
        await self._wait(delay)

    def _pause(self, reason: str) -> None:
        if self.paused_reason is None:
            log.warning("consumer_paused", consumer=self.consumer_name, reason=reason)
        self.paused_reason = reason
        self.metrics.consumer_paused.labels(consumer=self.consumer_name).set(1)

    def _resume(self) -> None:
        if self.paused_reason is not None:
            log.info("consumer_resumed", consumer=self.consumer_name)
        self.paused_reason = None
        self.metrics.consumer_paused.labels(consumer=self.consumer_name).set(0)

    def _backoff(self, attempt: int, ceiling: float) -> float:
        """Exponential backoff with jitter: half the delay fixed, half random."""
        delay = min(self.settings.consumer_retry_backoff_seconds * 2 ** (attempt - 1), ceiling)
        return delay * (0.5 + 0.5 * self._jitter())

    def _transient_delay(self, failures: int) -> float:
        return self._backoff(failures, self.settings.consumer_transient_backoff_max_seconds)

    async def _wait(self, seconds: float) -> None:
        if self._stopping.is_set():
            raise ConsumerStopping()
        if self._sleep_fn is not None:
            await self._sleep_fn(max(seconds, 0.0))
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), max(seconds, 0.0))
        if self._stopping.is_set():
            raise ConsumerStopping()

    # -- dead letters -----------------------------------------------------------------------

    async def _dead_letter(self, message: ConsumerRecord, error: str, attempts: int, kind: str = "") -> None:
        """Move `message` to the dead-letter topic. `error` must be safe for operators to read: no input values."""
        headers = [(k, v) for k, v in (message.headers or ()) if k not in DLQ_HEADERS] + [
            ("x-original-topic", message.topic.encode()),
            ("x-error", error[:1000].encode()),
            ("x-error-type", kind[:200].encode()),
            ("x-attempts", str(attempts).encode()),
            ("x-consumer", self.consumer_name.encode()),
        ]
        failures = 0
        while True:  # the broker being away is transient too: wait for it, never drop the message
            try:
                producer = self._producer
                if producer is None:
                    producer = make_producer(self.settings)
                    await producer.start()
                    self._producer = producer
                await producer.send_and_wait(
                    self.subscription.dead_letter_topic(self.settings), message.value, key=message.key, headers=headers
                )
                break
            except (KafkaError, OSError) as exc:
                producer, self._producer = self._producer, None
                if producer is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(producer.stop(), 5)
                failures += 1
                await self._wait_out_transient(exc, failures)
        if failures:
            self._resume()
        self.metrics.dead_letters.labels(consumer=self.consumer_name).inc()
        log.error(
            "event_dead_lettered", consumer=self.consumer_name, topic=message.topic, offset=message.offset, error=error
        )

    async def _close(self) -> None:
        for client in (self._consumer, self._producer):
            if client is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.stop(), 5)
        self._consumer = self._producer = None


class _CommitOnRevoke(ConsumerRebalanceListener):
    """When partitions move away mid-batch, commit what is already done so the next owner starts after it."""

    def __init__(self, owner: EventConsumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked) -> None:
        offsets = {tp: offset for tp, offset in self.owner._done.items() if tp in set(revoked)}
        if offsets and self.owner._consumer is not None:
            with contextlib.suppress(Exception):
                await self.owner._consumer.commit(offsets)

    async def on_partitions_assigned(self, assigned) -> None:
        return None


def _parse(message: ConsumerRecord) -> DomainEvent | str:
    """The event, or why it cannot be read (field paths and error types only: never the values)."""
    try:
        return DomainEvent.model_validate_json(message.value)
    except ValidationError as exc:
        return f"unreadable event: {describe(exc)}"
    except (ValueError, TypeError) as exc:
        return f"unreadable event: {error_type(exc)}"


def _headers(message: ConsumerRecord) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in (message.headers or ()) if k in ("traceparent", "tracestate")}


@contextlib.contextmanager
def _event_context(message: ConsumerRecord, event: DomainEvent, consumer: str, links: list | None = None):
    """The event's CONSUMER span (a child of the relay's producer span) and correlation id, for its
    handler's logs, spans and the events it publishes."""
    headers = _headers(message)
    with consumer_span(message.topic, headers, consumer=consumer, event_type=event.eventType, links=links):
        bind_correlation_id(trace_id_of(headers.get("traceparent")) or str(event.eventId))
        try:
            yield
        finally:
            clear_context()
