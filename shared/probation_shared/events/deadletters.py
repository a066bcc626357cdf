"""Replay of dead letters: each one goes back to the topic it came from.

Every consumer of that topic sees it again; those that already handled it skip it through their
inbox, so only the consumer that failed it acts on it.
"""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import TopicPartition

from ..settings import PlatformSettings
from .consumer import DLQ_HEADERS, Subscription
from .kafka import make_consumer, make_producer


async def replay_dead_letters(
    settings: PlatformSettings, subscription: Subscription, timeout_seconds: float = 10.0
) -> int:
    """Re-publish every dead letter not replayed before; returns how many were replayed."""
    dlq = subscription.dead_letter_topic(settings)
    consumer = make_consumer(settings, f"{subscription.group_id(settings)}.replay")
    producer = make_producer(settings)
    await producer.start()
    replayed = 0
    try:
        await consumer.start()
        if dlq not in await consumer.topics():  # also refreshes the metadata read below
            return 0
        partitions = consumer.partitions_for_topic(dlq) or set()
        tps = [TopicPartition(dlq, p) for p in partitions]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        for tp in tps:
            committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
        deadline = asyncio.get_running_loop().time() + timeout_seconds
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"replay of {dlq} did not reach the end of the topic")
            batches = await consumer.getmany(timeout_ms=500)
            for tp, messages in batches.items():
                for message in messages:
                    headers = dict(message.headers or ())
                    original = headers.get("x-original-topic", b"").decode()
                    if not original:
                        continue
                    kept = [(k, v) for k, v in (message.headers or ()) if k not in DLQ_HEADERS]
                    kept.append(("x-replay-id", str(uuid.uuid4()).encode()))
                    await producer.send_and_wait(original, message.value, key=message.key, headers=kept)
                    replayed += 1
                if messages:
                    await consumer.commit({tp: messages[-1].offset + 1})
    finally:
        await consumer.stop()
        await producer.stop()
    return replayed
