"""The idempotent consumer: inbox row and handler effect in one transaction, offsets committed after.

Each message is handled in its own unit of work. The inbox (consumer, eventId) makes a redelivered
event a no-op. A handler that keeps failing is retried a bounded number of times, then the message
moves to the consumer's dead-letter topic and the consumer goes on with the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import Database
from ..logging import bind_correlation_id, clear_context, get_logger
from ..metrics import ServiceMetrics
from ..settings import PlatformSettings
from ..tracing import current_traceparent, trace_id_of
from .envelope import DomainEvent
from .kafka import make_consumer, make_producer
from .outbox import PlatformTables

log = get_logger(__name__)

Handler = Callable[[AsyncSession, DomainEvent], Awaitable[None]]
# Handles a run of consecutive events of one type in one go (e.g. to load what they need in bulk).
BatchHandler = Callable[[AsyncSession, list[DomainEvent]], Awaitable[None]]

# Headers added to a dead letter; stripped again when it is replayed.
DLQ_HEADERS = ("x-original-topic", "x-error", "x-attempts", "x-consumer")


@dataclass
class Subscription:
    """What one consumer group listens to: logical topic names and a handler per event type."""

    name: str
    topics: list[str]
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    # Optional: for these event types, a batch of consecutive events goes to one call. The
    # per-event handler of the same type must still exist: it is used when a batch is retried
    # one message at a time.
    batch_handlers: Mapping[str, BatchHandler] = field(default_factory=dict)

    def group_id(self, settings: PlatformSettings) -> str:
        return f"{settings.kafka_topic_prefix}{settings.service_name}.{self.name}"

    def dead_letter_topic(self, settings: PlatformSettings) -> str:
        return settings.topic(f"dlq.{settings.service_name}.{self.name}")


class EventConsumer:
    def __init__(
        self,
        settings: PlatformSettings,
        database: Database,
        tables: PlatformTables,
        metrics: ServiceMetrics,
        subscription: Subscription,
    ) -> None:
        self.settings = settings
        self.database = database
        self.inbox = tables.inbox
        self.metrics = metrics
        self.subscription = subscription
        self.consumer_name = f"{settings.service_name}.{subscription.name}"
        self._stopping = asyncio.Event()
        self._consumer = None
        self._producer = None

    async def run(self) -> None:
        backoff = 0.5
        try:
            while not self._stopping.is_set():
                try:
                    await self._consume()
                    backoff = 0.5
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # broker gone: rebuild the clients and carry on
                    log.warning("consumer_failed", consumer=self.consumer_name, error=repr(exc), retry_in=backoff)
                    await self._close()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), backoff)
                    backoff = min(backoff * 2, 5.0)
        finally:
            await asyncio.shield(self._close())

    async def stop(self) -> None:
        self._stopping.set()

    @property
    def state(self) -> str:
        """`assigned` once the group has given this member partitions; `joining` before."""
        return "assigned" if self._consumer is not None and self._consumer.assignment() else "joining"

    async def _consume(self) -> None:
        topics = [self.settings.topic(t) for t in self.subscription.topics]
        self._consumer = make_consumer(self.settings, self.subscription.group_id(self.settings), *topics)
        await self._consumer.start()
        log.info("consumer_started", consumer=self.consumer_name, topics=topics)
        while not self._stopping.is_set():
            batches = await self._consumer.getmany(timeout_ms=200, max_records=self.settings.consumer_batch_size)
            messages = [message for batch in batches.values() for message in batch]
            if messages:
                await self.handle_batch(messages)
                # Offsets only once every message of the batch is committed to the database.
                await self._consumer.commit({tp: batch[-1].offset + 1 for tp, batch in batches.items() if batch})
            await self._record_lag()

    async def _record_lag(self) -> None:
        lag = 0
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)
            if highwater is not None:
                lag += max(highwater - await self._consumer.position(tp), 0)
        self.metrics.consumer_lag.labels(consumer=self.consumer_name).set(lag)

    async def handle_batch(self, messages: list[ConsumerRecord]) -> None:
        """Handle a fetched batch in one unit of work (one commit for all, in order). If any of it
        fails, the whole batch rolls back and each message is handled on its own, with retries and
        dead letters, so one poison message costs only itself."""
        if len(messages) > 1:
            parsed = [(message, _parse(message)) for message in messages]
            try:
                fresh, duplicates = await self._handle_together(
                    [(m, e) for m, e in parsed if isinstance(e, DomainEvent) and e.eventType in self.subscription.handlers]
                )
            except Exception as exc:
                log.info("batch_failed_handling_one_by_one", consumer=self.consumer_name, size=len(messages), error=repr(exc))
            else:
                self.metrics.events_consumed.labels(consumer=self.consumer_name, outcome="handled").inc(fresh)
                self.metrics.events_consumed.labels(consumer=self.consumer_name, outcome="duplicate").inc(duplicates)
                for message, event in parsed:
                    if isinstance(event, str):
                        await self._dead_letter(message, event, attempts=0)
                return
        for message in messages:
            await self.handle_message(message)

    async def _handle_together(self, pairs: list[tuple[ConsumerRecord, DomainEvent]]) -> tuple[int, int]:
        async with self.database.unit_of_work() as session:
            ids = [str(event.eventId) for _, event in pairs]
            seen = set((await session.scalars(
                select(self.inbox.c.event_id).where(self.inbox.c.consumer == self.consumer_name, self.inbox.c.event_id.in_(ids))
            )).all()) if ids else set()
            fresh = []
            for message, event in pairs:
                if str(event.eventId) not in seen:
                    seen.add(str(event.eventId))
                    fresh.append((message, event))
            if fresh:
                now = datetime.now(UTC)
                await session.execute(self.inbox.insert(), [
                    {"consumer": self.consumer_name, "event_id": str(e.eventId), "event_type": e.eventType, "processed_at": now} for _, e in fresh
                ])
            for run in _runs_of_one_type(fresh):
                batch_handler = self.subscription.batch_handlers.get(run[0][1].eventType)
                if batch_handler is not None and len(run) > 1:
                    with _event_context(*run[0]):
                        await batch_handler(session, [event for _, event in run])
                    continue
                for message, event in run:
                    with _event_context(message, event):
                        await self.subscription.handlers[event.eventType](session, event)
        return len(fresh), len(pairs) - len(fresh)

    async def handle_message(self, message: ConsumerRecord) -> None:
        """Handle one message: parse, dedupe through the inbox, run the handler, retry, dead-letter."""
        event = _parse(message)
        if isinstance(event, str):
            await self._dead_letter(message, event, attempts=0)
            return
        handler = self.subscription.handlers.get(event.eventType)
        if handler is None:
            return
        with _event_context(message, event):
            await self._handle_with_retries(message, event, handler)

    async def _handle_with_retries(self, message: ConsumerRecord, event: DomainEvent, handler: Handler) -> None:
        attempts = max(self.settings.consumer_max_attempts, 1)
        for attempt in range(1, attempts + 1):
            try:
                outcome = await self._handle_once(event, handler)
                self.metrics.events_consumed.labels(consumer=self.consumer_name, outcome=outcome).inc()
                return
            except Exception as exc:
                log.warning("event_handler_failed", consumer=self.consumer_name, event_id=str(event.eventId),
                            event_type=event.eventType, attempt=attempt, error=repr(exc))
                if attempt == attempts:
                    self.metrics.events_consumed.labels(consumer=self.consumer_name, outcome="dead-lettered").inc()
                    await self._dead_letter(message, repr(exc), attempts=attempts)
                    return
                await asyncio.sleep(self.settings.consumer_retry_backoff_seconds * 2 ** (attempt - 1))

    async def _handle_once(self, event: DomainEvent, handler: Handler) -> str:
        try:
            async with self.database.unit_of_work() as session:
                seen = await session.scalar(
                    select(self.inbox.c.event_id).where(self.inbox.c.consumer == self.consumer_name, self.inbox.c.event_id == str(event.eventId))
                )
                if seen:
                    return "duplicate"
                await session.execute(
                    self.inbox.insert().values(
                        consumer=self.consumer_name, event_id=str(event.eventId), event_type=event.eventType, processed_at=datetime.now(UTC)
                    )
                )
                await handler(session, event)
        except IntegrityError:
            # Another member handled the same event concurrently; its effect stands.
            return "duplicate"
        return "handled"

    async def _dead_letter(self, message: ConsumerRecord, error: str, attempts: int) -> None:
        headers = [(k, v) for k, v in (message.headers or ()) if k not in DLQ_HEADERS] + [
            ("x-original-topic", message.topic.encode()),
            ("x-error", error[:1000].encode()),
            ("x-attempts", str(attempts).encode()),
            ("x-consumer", self.consumer_name.encode()),
        ]
        if self._producer is None:
            self._producer = make_producer(self.settings)
            await self._producer.start()
        await self._producer.send_and_wait(self.subscription.dead_letter_topic(self.settings), message.value, key=message.key, headers=headers)
        self.metrics.dead_letters.labels(consumer=self.consumer_name).inc()
        log.error("event_dead_lettered", consumer=self.consumer_name, topic=message.topic, offset=message.offset, error=error)

    async def _close(self) -> None:
        for client in (self._consumer, self._producer):
            if client is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.stop(), 5)
        self._consumer = self._producer = None



def _runs_of_one_type(pairs: list[tuple[ConsumerRecord, DomainEvent]]) -> list[list[tuple[ConsumerRecord, DomainEvent]]]:
    """Consecutive events of the same type, in their original order (order per person is kept)."""
    runs: list[list[tuple[ConsumerRecord, DomainEvent]]] = []
    for pair in pairs:
        if runs and runs[-1][0][1].eventType == pair[1].eventType:
            runs[-1].append(pair)
        else:
            runs.append([pair])
    return runs


def _parse(message: ConsumerRecord) -> DomainEvent | str:
    """The event, or why it cannot be read."""
    try:
        return DomainEvent.model_validate_json(message.value)
    except (ValidationError, ValueError, TypeError) as exc:
        return f"unreadable event: {exc}"


@contextlib.contextmanager
def _event_context(message: ConsumerRecord, event: DomainEvent):
    """Trace context and correlation id of the event, for its handler's logs and published events."""
    traceparent = next((v.decode(errors="replace") for k, v in (message.headers or ()) if k == "traceparent"), None)
    token = current_traceparent.set(traceparent)
    bind_correlation_id(trace_id_of(traceparent) or str(event.eventId))
    try:
        yield
    finally:
        current_traceparent.reset(token)
        clear_context()
