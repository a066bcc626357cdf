"""Endpoints: refused URLs (422, naming the reason), secrets shown once and encrypted at rest, rotation
with both secrets valid, PATCH, disable/enable, delete; and provider B gets 404 on all of provider A's."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from standardwebhooks import Webhook

from probation_shared.auth import Role
from probation_shared.testing.plugin import eventually
from webhooks.db.models import Endpoint
from webhooks.service import SPEC
from webhooks.settings import DEV_ENCRYPTION_KEY, WebhooksSettings
from webhooks.vault import SecretVault

from .conftest import Resolver, example

PUBLIC = Resolver(
    {
        "hooks.charity.example": ["93.184.216.34"],
        "inside.charity.example": ["10.0.0.5"],
        "both.charity.example": ["93.184.216.34", "127.0.0.1"],
        "cgnat.charity.example": ["100.64.1.1"],
        "v6.charity.example": ["2606:2800:220:1:248:1893:25c8:1946"],
        "ula.charity.example": ["fd00::5"],
        "mapped.charity.example": ["::ffff:169.254.169.254"],
    }
)


@pytest.fixture
async def production_like(start_service):
    """The production default: https only, no development allowlist, DNS as the test says."""
    service = await start_service(SPEC)
    service.database.context["resolver"] = PUBLIC
    return service


REFUSED = [
    ("http://hooks.charity.example/in", "not-https"),
    ("https://127.0.0.1/", "loopback"),
    ("https://10.0.0.5/", "private"),
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://[::1]/", "loopback"),
    ("https://localhost/", "local-name"),
    ("https://2130706433/", "loopback"),
    ("https://0x7f.1/", "loopback"),
    ("https://[::ffff:127.0.0.1]/", "ipv4-mapped"),
    ("https://metadata.google.internal/", "metadata"),
    ("https://100.64.0.7/", "cgnat"),
    ("https://[fd12::1]/", "unique-local"),
    ("https://[fe80::1]/", "link-local"),
    ("https://169.254.3.4/", "link-local"),
    ("https://inside.charity.example/in", "private"),
    ("https://both.charity.example/in", "loopback"),
    ("https://cgnat.charity.example/in", "cgnat"),
    ("https://ula.charity.example/in", "unique-local"),
    ("https://mapped.charity.example/in", "ipv4-mapped"),
    ("https://nowhere.charity.example/in", "unresolvable"),
    ("https://user:pw@hooks.charity.example/in", "credentials-in-url"),
]


async def test_urls_inside_a_network_are_refused_with_422_naming_the_reason(production_like, tokens):
    headers = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
    for url, reason in REFUSED:  # one service for all of them (starting one per case is slow on a small machine)
        response = await production_like.client.post("/providers/P1/endpoints", json={"url": url}, headers=headers)
        assert response.status_code == 422, (url, response.text)
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert (problem["code"], problem["reason"], problem["errors"][0]["field"]) == (
            "endpoint-url-refused",
            reason,
            "url",
        ), url
    assert (await production_like.client.get("/providers/P1/endpoints", headers=headers)).json() == []
    ok = await production_like.client.post(
        "/providers/P1/endpoints", json={"url": "https://v6.charity.example/in"}, headers=headers
    )
    assert ok.status_code == 201, ok.text


async def test_the_secret_is_shown_once_and_stored_only_encrypted(production_like, tokens):
    headers = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
    body = {
        "url": "https://hooks.charity.example/in",
        "description": "case system",
        "event_types": ["intervention.referral.*"],
    }
    created = await production_like.client.post("/providers/P1/endpoints", json=body, headers=headers)
    assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    assert secret.startswith("whsec_") and created.json()["event_types"] == ["intervention.referral.*"]
    listed = (await production_like.client.get("/providers/P1/endpoints", headers=headers)).json()
    one = (await production_like.client.get(f"/providers/P1/endpoints/{created.json()['id']}", headers=headers)).json()
    assert "secret" not in listed[0] and "secret" not in one
    async with production_like.database.unit_of_work(read_only=True) as session:
        stored = (await session.scalars(select(Endpoint))).one()
    assert secret not in stored.secret_encrypted and secret.removeprefix("whsec_") not in stored.secret_encrypted
    assert Fernet(DEV_ENCRYPTION_KEY.encode()).decrypt(stored.secret_encrypted.encode()).decode() == secret


def test_the_encryption_key_rotates_old_tokens_still_open_and_re_encryption_moves_them_to_the_new_key():
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = SecretVault([old_key]).encrypt("whsec_abc")
    rotated = SecretVault([new_key, old_key])
    assert rotated.decrypt(token) == "whsec_abc"
    assert SecretVault([new_key]).decrypt(rotated.reencrypt(token)) == "whsec_abc"


def test_outside_local_development_the_allowlist_is_refused_and_a_key_is_required():
    with pytest.raises(ValueError, match="local development"):
        WebhooksSettings(
            environment="prod", endpoint_allowlist=["127.0.0.1/32"], secret_encryption_keys=DEV_ENCRYPTION_KEY
        )
    with pytest.raises(ValueError, match="SECRET_ENCRYPTION_KEYS"):
        WebhooksSettings(environment="prod")
    with pytest.raises(ValueError, match="lease"):
        WebhooksSettings(delivery_timeout_seconds=30, claim_lease_seconds=20)


async def test_rotation_signs_with_both_secrets_for_24_hours_then_only_the_new_one(hooks, tokens, receivers):
    h = await hooks()
    receiver = receivers()
    endpoint = await h.register(tokens, "P1", receiver.url)
    old = endpoint["secret"]
    headers = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
    rotated = await h.client.post(f"/providers/P1/endpoints/{endpoint['id']}/rotate-secret", headers=headers)
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != old and new.startswith("whsec_")
    receiver.secrets.extend([new])
    await h.notify("P1", payload={"n": 1})

    async def got(n) -> bool:
        return len(receiver.requests) >= n

    await eventually(lambda: got(1), timeout=30)
    during_headers, during_body = receiver.requests[0]
    assert during_headers["webhook-signature"].count("v1,") == 2
    assert Webhook(old).verify(during_body, during_headers) and Webhook(new).verify(during_body, during_headers)

    # 24 hours on (the test's clock; the receiver checks only the signature here).
    h.clock.advance(hours=24, seconds=1)
    await h.notify("P1", payload={"n": 2})
    await eventually(lambda: got(2), timeout=30)
    after_headers, after_body = receiver.requests[1]
    assert after_headers["webhook-signature"].count("v1,") == 1
    ts = int(after_headers["webhook-timestamp"])
    assert example.verify_with_hmac(new, after_headers, after_body, now=ts)["data"] == {"n": 2}
    with pytest.raises(ValueError):
        example.verify_with_hmac(old, after_headers, after_body, now=ts)
    assert example.verify_with_hmac(old, during_headers, during_body, now=int(during_headers["webhook-timestamp"]))


async def test_patch_disable_enable_and_delete(hooks, tokens, receivers):
    h = await hooks()
    receiver = receivers()
    endpoint = await h.register(tokens, "P1", receiver.url)
    receiver.secrets.append(endpoint["secret"])
    headers = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
    base = f"/providers/P1/endpoints/{endpoint['id']}"

    patched = await h.client.patch(
        base,
        json={"description": "new", "event_types": ["intervention.referral.withdrawn"], "contact_email": "a@b.example"},
        headers=headers,
    )
    assert (
        patched.status_code == 200
        and patched.json()["description"] == "new"
        and patched.json()["contact_email"] == "a@b.example"
    )
    assert (await h.client.patch(base, json={"url": "https://10.1.1.1/"}, headers=headers)).json()[
        "reason"
    ] == "private"
    assert (await h.client.patch(base, json={"nope": 1}, headers=headers)).status_code == 422
    await h.notify("P1", notification_type="intervention.referral.assigned")  # filtered out
    assert await h.messages(tokens, "P1") == []

    assert (await h.client.patch(base, json={"event_types": None}, headers=headers)).json()["event_types"] is None
    disabled = await h.client.post(f"{base}/disable", headers=headers)
    assert disabled.json()["enabled"] is False and disabled.json()["disabled_reason"] == "disabled by the provider"
    await h.notify("P1")
    assert await h.statuses(tokens, "P1") == ["HELD"]
    assert (await h.client.post(f"{base}/test", headers=headers)).status_code == 409
    enabled = await h.client.post(f"{base}/enable", json={"replay_held": True}, headers=headers)
    assert enabled.json()["enabled"] is True and enabled.json()["released"] == 1

    async def delivered() -> bool:
        return await h.statuses(tokens, "P1") == ["DELIVERED"]

    await eventually(delivered, timeout=30)
    assert (await h.client.delete(base, headers=headers)).status_code == 204
    assert (await h.client.get(base, headers=headers)).status_code == 404
    assert await h.messages(tokens, "P1") == []


async def test_provider_b_gets_404_on_everything_of_provider_a(hooks, tokens, receivers):
    h = await hooks()
    receiver = receivers()
    endpoint = await h.register(tokens, "PA", receiver.url)
    receiver.secrets.append(endpoint["secret"])
    await h.notify("PA")

    async def delivered() -> bool:
        return await h.statuses(tokens, "PA") == ["DELIVERED"]

    await eventually(delivered, timeout=30)
    [message] = await h.messages(tokens, "PA")
    b = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="PB")
    ep, msg = endpoint["id"], message["id"]
    attempts = [
        ("GET", "/providers/PA/endpoints", None),
        ("POST", "/providers/PA/endpoints", {"url": receiver.url}),
        ("GET", f"/providers/PA/endpoints/{ep}", None),
        ("PATCH", f"/providers/PA/endpoints/{ep}", {"description": "mine now"}),
        ("DELETE", f"/providers/PA/endpoints/{ep}", None),
        ("POST", f"/providers/PA/endpoints/{ep}/rotate-secret", None),
        ("POST", f"/providers/PA/endpoints/{ep}/disable", None),
        ("POST", f"/providers/PA/endpoints/{ep}/enable", None),
        ("POST", f"/providers/PA/endpoints/{ep}/test", None),
        ("POST", f"/providers/PA/endpoints/{ep}/replay", {"since": "2020-01-01T00:00:00Z"}),
        ("GET", "/providers/PA/messages", None),
        ("GET", f"/providers/PA/messages/{msg}", None),
        ("GET", f"/providers/PA/messages/{msg}/attempts", None),
        ("POST", f"/providers/PA/messages/{msg}/replay", None),
        ("GET", "/providers/PA/notices", None),
        # and through its own provider path, naming A's ids
        ("GET", f"/providers/PB/endpoints/{ep}", None),
        ("DELETE", f"/providers/PB/endpoints/{ep}", None),
        ("POST", f"/providers/PB/endpoints/{ep}/test", None),
        ("GET", f"/providers/PB/messages/{msg}", None),
        ("POST", f"/providers/PB/messages/{msg}/replay", None),
    ]
    for method, path, body in attempts:
        response = await h.client.request(method, path, json=body, headers=b)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
    assert (await h.client.get("/providers/PB/messages", headers=b)).json() == []
    assert (await h.client.get("/admin/webhooks/endpoints", headers=b)).status_code == 403
    assert (await h.client.get("/admin/webhooks/dead-letters", headers=b)).status_code == 403
    # nothing of A's changed
    a = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="PA")
    shown = (await h.client.get(f"/providers/PA/endpoints/{ep}", headers=a)).json()
    assert shown["enabled"] is True and shown["description"] is None and shown["previous_secret_expires_at"] is None
    assert len(receiver.requests) == 1


async def test_callers_need_a_token_and_a_provider_role(start_service, tokens):
    service = await start_service(SPEC)
    body = {"url": "https://hooks.charity.example/in"}
    assert (await service.client.post("/providers/P1/endpoints", json=body)).status_code == 401
    assert (
        await service.client.post("/providers/P1/endpoints", json=body, headers=tokens.headers(Role.PRACTITIONER))
    ).status_code == 403
    bad = await service.client.get(
        "/providers/P1/messages?status=NOPE", headers=tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
    )
    assert bad.status_code == 422
