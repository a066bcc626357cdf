"""What went wrong with an event: a transient infrastructure failure, or a failure of its handler.

A transient failure (the database or the broker unavailable, a lost connection, a timeout, a
serialization or deadlock conflict, SQLite busy) says nothing about the event: the consumer pauses
and retries until the infrastructure is back, and never dead-letters for it. Anything else is the
handler's failure: retried for a budget, then dead-lettered.

`describe` gives what may be written where operators read (dead-letter headers, logs): the
exception's type and a bounded message that never carries the values of the input.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from pydantic import ValidationError
from sqlalchemy import exc as sa_exc

from ..errors import Problem

MAX_MESSAGE_CHARS = 300


class TransientFailure(Exception):
    """Raise from a handler to say: not this event's fault, try again later (e.g. a dependency is down)."""


# PostgreSQL SQLSTATEs worth waiting out: connection exceptions (08), insufficient resources (53),
# operator intervention incl. admin shutdown and pg_terminate_backend (57P), serialization failure,
# deadlock, lock not available, statement timeout / cancel, and a database not accepting connections.
_TRANSIENT_SQLSTATE_PREFIXES = ("08", "53", "57P")
_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03", "57014", "55000"}
# SQLite messages that mean "busy or unavailable", not "your SQL is wrong".
_SQLITE_TRANSIENT = (
    "database is locked",
    "database table is locked",
    "disk i/o error",
    "unable to open database",
    "database is busy",
)
# Upstream HTTP calls from a handler (see `http.ServiceHttp.get_json`).
_TRANSIENT_PROBLEM_CODES = {"upstream-unavailable"}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend([getattr(current, "orig", None), current.__cause__, current.__context__])


def is_transient(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) is an infrastructure failure worth retrying without limit."""
    for current in _chain(exc):
        if _is_transient_one(current):
            return True
    return False


def _is_transient_one(exc: BaseException) -> bool:
    if isinstance(exc, TransientFailure):
        return True
    if isinstance(exc, Problem):
        return exc.code in _TRANSIENT_PROBLEM_CODES
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    if isinstance(exc, sa_exc.InterfaceError) and not isinstance(
        exc.orig, sqlite3.Error
    ):  # SQLite's: a binding mistake
        return True
    if isinstance(exc, sqlite3.OperationalError) or (
        isinstance(exc, sa_exc.OperationalError) and isinstance(exc.orig, sqlite3.Error)
    ):
        text = str(exc.orig if isinstance(exc, sa_exc.OperationalError) else exc).lower()
        return any(marker in text for marker in _SQLITE_TRANSIENT)
    if isinstance(exc, OSError):  # ConnectionError, TimeoutError (= asyncio.TimeoutError), refused, reset
        return True
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str) and (
        sqlstate in _TRANSIENT_SQLSTATES or sqlstate.startswith(_TRANSIENT_SQLSTATE_PREFIXES)
    ):
        return True
    if _is_asyncpg_connection_error(exc) or _is_kafka_retriable(exc) or _is_httpx_transport(exc):
        return True
    return False


def _is_asyncpg_connection_error(exc: BaseException) -> bool:
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency of the platform
        return False
    return isinstance(exc, asyncpg.exceptions.PostgresConnectionError | asyncpg.exceptions.InterfaceError)


def _is_kafka_retriable(exc: BaseException) -> bool:
    from aiokafka import errors as kafka_errors

    if isinstance(
        exc, kafka_errors.KafkaConnectionError | kafka_errors.KafkaTimeoutError | kafka_errors.NoBrokersAvailable
    ):
        return True
    return isinstance(exc, kafka_errors.KafkaError) and bool(getattr(exc, "retriable", False))


def _is_httpx_transport(exc: BaseException) -> bool:
    import httpx

    return isinstance(exc, httpx.TransportError)


def error_type(exc: BaseException | None) -> str:  # None: a DBAPIError that wraps no driver error
    kind = type(exc)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def describe(exc: BaseException) -> str:
    """A safe, bounded account of `exc`: its type, plus only what cannot hold input values.

    An exception's own message is not safe in general (a handler may format a date of birth into
    it; an IntegrityError carries the statement's parameters; a validation error its input), so it
    is left out. What is kept: a Problem's stable code, a validation error's field paths and error
    types, a database error's driver class and SQLSTATE.
    """
    parts = [error_type(exc)]
    if isinstance(exc, Problem):
        parts.append(f"code={exc.code} status={exc.status}")
    elif isinstance(exc, ValidationError):
        fields = ", ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())) or '-'} ({e.get('type', '')})" for e in exc.errors()[:10]
        )
        parts.append(f"{exc.error_count()} validation error(s): {fields}")
    elif isinstance(exc, sa_exc.DBAPIError):
        orig = exc.orig
        cause = getattr(orig, "__cause__", None) or orig
        sqlstate = getattr(cause, "sqlstate", None) or getattr(orig, "sqlstate", None)
        parts.append(f"driver={error_type(cause)}" + (f" sqlstate={sqlstate}" if sqlstate else ""))
    cause = exc.__cause__
    if cause is not None and not isinstance(exc, sa_exc.DBAPIError):
        parts.append(f"caused by {error_type(cause)}")
    return "; ".join(parts)[:MAX_MESSAGE_CHARS]
