"""Which event types an endpoint wants: exact names, or a prefix ending in `.*`."""

from __future__ import annotations

import re

EVENT_TYPE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?$")


def wants(event_types: list[str] | None, event_type: str) -> bool:
    """None or empty: every event type. The test event always arrives."""
    if not event_types or event_type == TEST_EVENT_TYPE:
        return True
    return any(event_type == t or (t.endswith(".*") and event_type.startswith(t[:-1])) for t in event_types)


TEST_EVENT_TYPE = "webhook.test"
