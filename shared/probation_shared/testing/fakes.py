"""In-memory stand-ins for the unit of work, the repositories and the event publisher, so a service's workflows
run in its fast tier (`tests/unit`, `make test-fast`) without a database or a broker."""

from __future__ import annotations

import itertools
from types import SimpleNamespace


class FakeSession:
    """The unit of work: remembers what was added or deleted and numbers new rows on flush."""

    def __init__(self) -> None:
        self.added: list = []
        self.deleted: list = []
        self.info: dict = {}  # what the database context puts in every real session's info
        self._ids = itertools.count(1)

    def add(self, row) -> None:
        self.added.append(row)

    def add_all(self, rows) -> None:
        self.added.extend(rows)

    async def flush(self) -> None:
        for row in self.added:
            if hasattr(row, "id") and row.id is None:
                row.id = next(self._ids)

    async def delete(self, row) -> None:
        self.deleted.append(row)

    def of(self, cls) -> list:
        return [r for r in self.added if isinstance(r, cls)]


class FakePublisher:
    """Records every event a workflow publishes as (name, keyword arguments)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []

    def __getattr__(self, name: str):
        async def publish(session, person, *args, **kwargs):
            self.events.append((name, {"crn": person.crn, **kwargs}))

        return publish


def repository(sync: tuple[str, ...] = (), **functions) -> SimpleNamespace:
    """A repository module's stand-in: each function is given as a plain callable and answers as the
    repository's async function would (awaitable), except those named in `sync`, which stay plain."""

    def wrap(fn):
        async def call(*args, **kwargs):
            return fn(*args, **kwargs)

        return call

    return SimpleNamespace(**{name: (fn if name in sync else wrap(fn)) for name, fn in functions.items()})
