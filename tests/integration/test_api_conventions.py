"""What every endpoint of every service gets from the platform: authentication, authorisation and
problem+json for bad input, never a 500."""

from __future__ import annotations

import time

import jwt
import pytest

from probation_shared.auth import Role, mint_token
from probation_shared.devkeys import generate_key_pair

from . import probe_service
from .probe_service import effects

OTHER_KEY, _ = generate_key_pair()
GOOD = {"name": "lamp", "count": 2, "colour": "RED"}


@pytest.fixture
async def probe(start_service):
    return await start_service(probe_service.SPEC, max_body_bytes=2048)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["title"]
    return body


def claims(**overrides) -> dict:
    now = int(time.time())
    return {
        "sub": "u",
        "roles": ["PROBATION_PRACTITIONER"],
        "aud": "probation-platform",
        "iss": "probation-platform",
        "iat": now,
        "exp": now + 60,
        **overrides,
    }


async def test_no_token_is_401(probe):
    body = assert_problem(await probe.client.get("/things/x"), 401, "unauthenticated")
    assert "bearer" in body["detail"].lower()


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(
            lambda private: mint_token(private, subject="u", roles=["PROBATION_PRACTITIONER"], lifetime_seconds=-300),
            id="expired",
        ),
        pytest.param(
            lambda private: mint_token(private, subject="u", roles=["PROBATION_PRACTITIONER"], audience="other"),
            id="wrong-audience",
        ),
        pytest.param(
            lambda private: mint_token(OTHER_KEY, subject="u", roles=["PROBATION_PRACTITIONER"]), id="wrong-signature"
        ),
        pytest.param(lambda private: jwt.encode(claims(), key=None, algorithm="none"), id="alg-none"),
    ],
)
async def test_bad_tokens_are_401_problems(probe, dev_keys, make_token):
    token = make_token(dev_keys[0])
    response = await probe.client.get("/things/x", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_wrong_role_is_403_and_right_role_passes(probe, tokens):
    assert_problem(
        await probe.client.get("/things/x", headers=tokens.headers(Role.PROVIDER_CASEWORKER)), 403, "forbidden"
    )
    assert (await probe.client.get("/things/x", headers=tokens.headers(Role.AUDITOR))).status_code == 200


async def test_domain_problems_keep_their_stable_code(probe, tokens):
    assert_problem(
        await probe.client.get("/things/missing", headers=tokens.headers(Role.AUDITOR)), 404, "thing-not-found"
    )
    assert_problem(await probe.client.get("/nowhere", headers=tokens.headers(Role.AUDITOR)), 404, "not-found")


@pytest.mark.parametrize(
    ("content", "status", "code", "fields"),
    [
        pytest.param(b'{"name": "lamp", "count": ', 400, "malformed-json", None, id="malformed-json"),
        pytest.param(
            b'{"name": "lamp", "count": "many", "colour": "RED"}', 422, "validation-failed", {"count"}, id="wrong-type"
        ),
        pytest.param(
            b'{"name": "lamp", "count": 1, "colour": "GREEN"}', 422, "validation-failed", {"colour"}, id="unknown-enum"
        ),
        pytest.param(b'{"count": 1}', 422, "validation-failed", {"name", "colour"}, id="missing-fields"),
        pytest.param(b"[1, 2]", 422, "validation-failed", None, id="not-an-object"),
        pytest.param(
            b'{"name": "' + b"x" * 4096 + b'", "count": 1, "colour": "RED"}',
            413,
            "payload-too-large",
            None,
            id="oversized",
        ),
    ],
)
async def test_bad_input_is_a_4xx_problem_and_stores_nothing(probe, tokens, content, status, code, fields):
    headers = {**tokens.headers(Role.PRACTITIONER), "content-type": "application/json"}
    body = assert_problem(await probe.client.post("/things", content=content, headers=headers), status, code)
    if fields:
        assert {e["field"] for e in body["errors"]} == fields
    assert await effects(probe) == 0


async def test_good_input_is_stored_once(probe, tokens):
    response = await probe.client.post("/things", json=GOOD, headers=tokens.headers(Role.PRACTITIONER))
    assert response.status_code == 201
    assert await effects(probe, "thing:lamp") == 1


async def test_responses_carry_a_correlation_id_and_echo_the_callers(probe):
    response = await probe.client.get("/health/liveness", headers={"x-correlation-id": "abc-123"})
    assert response.headers["x-correlation-id"] == "abc-123"
    assert (await probe.client.get("/health/liveness")).headers["x-correlation-id"]


async def test_health_info_and_metrics(probe):
    assert (await probe.client.get("/health/liveness")).json() == {"status": "UP"}
    ready = await probe.client.get("/health/readiness")
    assert ready.status_code == 200 and ready.json()["components"] == {
        "db": {"status": "UP"},
        "broker": {"status": "UP"},
        "consumers": {"status": "UP"},
    }
    assert (await probe.client.get("/info")).json()["service"] == "probe"
    metrics = (await probe.client.get("/metrics")).text
    assert "outbox_backlog" in metrics and "consumer_lag" in metrics and "http_requests_total" in metrics


async def test_readiness_is_503_when_the_broker_is_unreachable(start_service):
    from probation_shared.embedded_broker import free_port

    probe = await start_service(
        probe_service.SPEC, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}", run_workers=False
    )
    response = await probe.client.get("/health/readiness")
    assert response.status_code == 503
    assert response.json()["components"]["broker"]["status"] == "DOWN"
    assert response.json()["components"]["db"]["status"] == "UP"


async def test_reads_are_audited_with_who_whom_what_and_why(probe, tokens):
    from sqlalchemy import select

    headers = {**tokens.headers(Role.AUDITOR, subject="auditor-7"), "x-correlation-id": "corr-1"}
    assert (await probe.client.get("/things/lamp", headers=headers)).status_code == 200
    assert (await probe.client.get("/things/lamp", headers=tokens.headers(Role.SERVICE))).status_code == 403
    async with probe.database.sessions() as session:
        rows = (await session.execute(select(probe_service.PLATFORM.audit_log))).mappings().all()
    assert [
        (r["actor"], r["actor_roles"], r["subject_crn"], r["action"], r["resource"], r["correlation_id"]) for r in rows
    ] == [("auditor-7", "AUDITOR", "X000001", "read", "/things/lamp", "corr-1")]


async def test_a_read_only_unit_of_work_is_not_held_up_by_a_writer(probe):
    import asyncio

    from sqlalchemy import func, select

    async with probe.database.unit_of_work() as writer:
        await writer.execute(probe_service.EFFECTS.insert().values(event_id="w", kind="pending"))
        async with probe.database.unit_of_work(read_only=True) as reader:
            # The writer holds the lock and has not committed: the reader sees the committed state.
            seen = await asyncio.wait_for(reader.scalar(select(func.count()).select_from(probe_service.EFFECTS)), 5)
    assert seen == 0
    assert await effects(probe) == 1


async def test_a_read_only_unit_of_work_cannot_write_on_sqlite(probe):
    from sqlalchemy.exc import OperationalError

    if not probe.database.url.startswith("sqlite"):
        pytest.skip("query_only is SQLite's guard; PostgreSQL read units are ordinary transactions")
    with pytest.raises(OperationalError, match="readonly"):
        async with probe.database.unit_of_work(read_only=True) as reader:
            await reader.execute(probe_service.EFFECTS.insert().values(event_id="x", kind="sneaky"))
    async with probe.database.unit_of_work() as writer:  # the same pooled connection writes again afterwards
        await writer.execute(probe_service.EFFECTS.insert().values(event_id="y", kind="fine"))
    assert await effects(probe) == 1
