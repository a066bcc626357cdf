"""Domain events: envelope, transactional outbox and relay, idempotent consumer, dead letters."""

from .envelope import DomainEvent, PersonIdentifier, PersonReference, new_event
from .outbox import add_event, detail_url, platform_tables

__all__ = [
    "DomainEvent",
    "PersonReference",
    "PersonIdentifier",
    "new_event",
    "add_event",
    "detail_url",
    "platform_tables",
]
