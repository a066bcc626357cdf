"""The pure rules: where a webhook may go (SSRF), when to retry, what an attempt leads to, signing."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from webhooks.domain.addresses import Refusal, RefusedUrl, classify, numeric_ipv4, parse_allowlist, parse_target, vet
from webhooks.domain.backoff import DEFAULT_SCHEDULE, retry_after_seconds, retry_delay
from webhooks.domain.filters import wants
from webhooks.domain.signing import new_secret, signed_headers
from webhooks.domain.states import (
    TRANSITIONS,
    InvalidTransition,
    MessageStatus,
    Outcome,
    RetryPolicy,
    Trigger,
    decide,
    failing_too_long,
    next_status,
    outcome_of,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POLICY = RetryPolicy((5.0, 300.0, 1800.0), 0.0, 86400)


def refusal(url: str, resolved: list[str] = ()) -> Refusal | None:
    try:
        target = parse_target(url, allow_plain_http=False)
        vet(target, [ipaddress.ip_address(a) for a in resolved])
    except RefusedUrl as exc:
        return exc.reason
    return None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://provider.example/hook", Refusal.NOT_HTTPS),
        ("ftp://provider.example/hook", Refusal.NOT_HTTPS),
        ("https://user:pw@provider.example/h", Refusal.CREDENTIALS),
        ("https:///nohost", Refusal.NO_HOST),
        ("https://127.0.0.1/", Refusal.LOOPBACK),
        ("https://127.8.9.10:8443/x", Refusal.LOOPBACK),
        ("https://2130706433/", Refusal.LOOPBACK),
        ("https://0x7f.1/", Refusal.LOOPBACK),
        ("https://0x7f000001/", Refusal.LOOPBACK),
        ("https://0177.0.0.1/", Refusal.LOOPBACK),
        ("https://127.1/", Refusal.LOOPBACK),
        ("https://[::1]/", Refusal.LOOPBACK),
        ("https://10.0.0.5/", Refusal.PRIVATE),
        ("https://172.16.3.4/", Refusal.PRIVATE),
        ("https://192.168.1.1/", Refusal.PRIVATE),
        ("https://169.254.10.1/", Refusal.LINK_LOCAL),
        ("https://[fe80::1]/", Refusal.LINK_LOCAL),
        ("https://169.254.169.254/latest/meta-data", Refusal.METADATA),
        ("https://[fd00:ec2::254]/", Refusal.METADATA),
        ("https://100.64.0.1/", Refusal.CGNAT),
        ("https://100.127.255.254/", Refusal.CGNAT),
        ("https://[fd12:3456::1]/", Refusal.UNIQUE_LOCAL),
        ("https://[fc00::1]/", Refusal.UNIQUE_LOCAL),
        ("https://[::ffff:127.0.0.1]/", Refusal.IPV4_MAPPED),
        ("https://[::ffff:8.8.8.8]/", Refusal.IPV4_MAPPED),
        ("https://[64:ff9b::a00:1]/", Refusal.TRANSLATED),
        ("https://0.0.0.0/", Refusal.UNSPECIFIED),
        ("https://[::]/", Refusal.UNSPECIFIED),
        ("https://224.0.0.1/", Refusal.MULTICAST),
        ("https://metadata.google.internal/computeMetadata/v1/", Refusal.METADATA),
        ("https://metadata.google.internal./", Refusal.METADATA),
        ("https://localhost/", Refusal.LOCAL_NAME),
        ("https://api.localhost/", Refusal.LOCAL_NAME),
        ("https://intranet/", Refusal.LOCAL_NAME),
        ("https://printer.local/", Refusal.LOCAL_NAME),
    ],
)
def test_every_address_class_inside_a_network_is_refused(url, reason):
    assert refusal(url) == reason


@pytest.mark.parametrize(
    ("resolved", "reason"),
    [
        (["127.0.0.1"], Refusal.LOOPBACK),
        (["10.0.0.5"], Refusal.PRIVATE),
        (["93.184.216.34", "10.0.0.5"], Refusal.PRIVATE),  # one inside address refuses the name
        (["169.254.169.254"], Refusal.METADATA),
        (["::ffff:10.0.0.1"], Refusal.IPV4_MAPPED),
        ([], Refusal.UNRESOLVABLE),
    ],
)
def test_a_name_is_judged_by_every_address_it_resolves_to(resolved, reason):
    assert refusal("https://hooks.provider.example/in", resolved) == reason


def test_a_public_address_passes_and_the_target_keeps_the_hostname_for_sni():
    target = parse_target("https://Hooks.Provider.example:8443/in?x=1", allow_plain_http=False)
    assert (target.host, target.port, target.path) == ("hooks.provider.example", 8443, "/in?x=1")
    assert vet(target, [ipaddress.ip_address("93.184.216.34")]) == [ipaddress.ip_address("93.184.216.34")]


def test_the_development_allowlist_admits_only_what_it_names():
    allow = parse_allowlist(["127.0.0.1/32"])
    target = parse_target("http://127.0.0.1:9000/hook", allow_plain_http=True)
    assert vet(target, [], allow) == [ipaddress.ip_address("127.0.0.1")]
    with pytest.raises(RefusedUrl):
        vet(parse_target("http://10.0.0.1:9000/hook", allow_plain_http=True), [], allow)


PRIVATE_V4 = [
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10")
]


@given(st.sampled_from(PRIVATE_V4), st.integers(min_value=0, max_value=2**32 - 1))
def test_property_every_address_in_an_inside_range_is_refused(network, n):
    address = network[n % network.num_addresses]
    assert classify(address) is not None


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_property_an_admitted_v4_address_is_global_and_mapping_it_into_v6_is_refused(n):
    address = ipaddress.IPv4Address(n)
    if classify(address) is None:
        assert (
            address.is_global
            and not address.is_private
            and not address.is_loopback
            and address not in ipaddress.ip_network("100.64.0.0/10")
        )
    assert classify(ipaddress.IPv6Address(f"::ffff:{address}")) is Refusal.IPV4_MAPPED


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_property_decimal_hex_and_dotted_spellings_mean_the_same_address(n):
    address = ipaddress.IPv4Address(n)
    a, b, c, d = address.packed
    spellings = [
        str(n),
        hex(n),
        f"{a}.{b}.{c * 256 + d}",
        f"{a}.{(b << 16) + (c << 8) + d}",
        f"{hex(a)}.{oct(b).replace('0o', '0')}.{c}.{d}",
    ]
    assert {numeric_ipv4(s) for s in spellings} == {address}
    # and the URL check judges the address, whatever the spelling
    assert refusal(f"https://{hex(n)}/") == classify(address)


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_property_an_admitted_v6_address_is_global(n):
    address = ipaddress.IPv6Address(n)
    if classify(address) is None:
        assert address.is_global and address.ipv4_mapped is None and address not in ipaddress.ip_network("fc00::/7")


# -- retries -------------------------------------------------------------------------------------------


@given(
    st.integers(min_value=1, max_value=len(DEFAULT_SCHEDULE)),
    st.floats(min_value=0, max_value=1, exclude_max=True),
    st.floats(min_value=0, max_value=0.5),
)
def test_property_each_wait_is_within_its_jitter_and_the_schedule_ends(retry, draw, jitter):
    base = DEFAULT_SCHEDULE[retry - 1]
    delay = retry_delay(retry, DEFAULT_SCHEDULE, jitter, draw)
    assert base * (1 - jitter) - 1e-9 <= delay <= base * (1 + jitter) + 1e-9
    assert retry_delay(len(DEFAULT_SCHEDULE) + 1, DEFAULT_SCHEDULE, jitter, draw) is None


@given(
    st.lists(
        st.floats(min_value=0, max_value=1, exclude_max=True),
        min_size=len(DEFAULT_SCHEDULE),
        max_size=len(DEFAULT_SCHEDULE),
    )
)
def test_property_retries_spread_over_about_a_day_and_grow(draws):
    waits = [retry_delay(i + 1, DEFAULT_SCHEDULE, 0.2, d) for i, d in enumerate(draws)]
    assert 18 * 3600 <= sum(waits) <= 32 * 3600
    assert list(DEFAULT_SCHEDULE) == sorted(DEFAULT_SCHEDULE)


def test_jitter_differs_between_draws_so_receivers_are_not_stampeded():
    assert retry_delay(3, DEFAULT_SCHEDULE, 0.2, 0.1) != retry_delay(3, DEFAULT_SCHEDULE, 0.2, 0.9)


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_only_2xx_is_success(code):
    assert decide(1, outcome_of(code), None, NOW, POLICY, 0.5).status is MessageStatus.DELIVERED


@pytest.mark.parametrize("code", [None, 301, 302, 400, 401, 404, 429, 500, 503])
def test_anything_else_is_retried_on_schedule(code):
    decision = decide(2, outcome_of(code), None, NOW, POLICY, 0.5)
    assert decision.status is MessageStatus.PENDING and decision.next_attempt_at == NOW + timedelta(seconds=300)


def test_gone_cancels_and_disables():
    decision = decide(1, outcome_of(410), None, NOW, POLICY, 0.5)
    assert decision.status is MessageStatus.CANCELLED and decision.disable_endpoint


def test_spent_retries_make_a_dead_letter():
    assert decide(3, Outcome.HTTP_ERROR, None, NOW, POLICY, 0.5).status is MessageStatus.PENDING
    assert decide(4, Outcome.HTTP_ERROR, None, NOW, POLICY, 0.5).status is MessageStatus.DEAD
    assert decide(4, Outcome.TIMEOUT, None, NOW, POLICY, 0.5).status is MessageStatus.DEAD


def test_retry_after_is_honoured_for_429_and_503_but_never_beyond_the_cap():
    assert decide(1, outcome_of(429), "120", NOW, POLICY, 0.5).next_attempt_at == NOW + timedelta(seconds=120)
    assert decide(
        1, outcome_of(503), "Mon, 23 Nov 2026 13:00:00 GMT", NOW, POLICY, 0.5
    ).next_attempt_at == NOW + timedelta(hours=1)
    capped = RetryPolicy(POLICY.schedule, 0.0, 600)
    assert decide(1, outcome_of(503), "999999", NOW, capped, 0.5).next_attempt_at == NOW + timedelta(seconds=600)
    assert decide(2, outcome_of(503), "1", NOW, POLICY, 0.5).next_attempt_at == NOW + timedelta(
        seconds=300
    )  # never sooner
    assert decide(1, outcome_of(500), "3600", NOW, POLICY, 0.5).next_attempt_at == NOW + timedelta(
        seconds=5
    )  # only 429/503
    assert retry_after_seconds("soon", NOW) is None


def test_the_transition_table_is_closed_and_refuses_the_rest():
    assert next_status(MessageStatus.HELD, Trigger.ENDPOINT_ENABLED) is MessageStatus.PENDING
    assert next_status(MessageStatus.DEAD, Trigger.REPLAYED) is MessageStatus.PENDING
    with pytest.raises(InvalidTransition):
        next_status(MessageStatus.DELIVERED, Trigger.FAILED)
    assert all(
        isinstance(s, MessageStatus) and isinstance(t, Trigger) and isinstance(n, MessageStatus)
        for (s, t), n in TRANSITIONS.items()
    )


def test_an_endpoint_failing_for_24_hours_is_due_to_be_disabled():
    day = timedelta(hours=24)
    assert not failing_too_long(None, NOW, day)
    assert not failing_too_long(NOW - timedelta(hours=23, minutes=59), NOW, day)
    assert failing_too_long(NOW - day, NOW, day)


def test_event_type_filters():
    assert wants(None, "intervention.referral.assigned")
    assert wants(["intervention.referral.*"], "intervention.referral.assigned")
    assert not wants(["intervention.referral.sent"], "intervention.referral.assigned")
    assert wants(["intervention.referral.sent"], "webhook.test")


# -- signing -------------------------------------------------------------------------------------------


def test_signature_verifies_with_each_secret_during_a_rotation_and_not_otherwise():
    old, new = new_secret(), new_secret()
    body = b'{"type":"x","timestamp":"t","data":{}}'
    headers = signed_headers([new, old], "msg_1", body, datetime.now(UTC))
    assert headers["webhook-signature"].count("v1,") == 2 and " " in headers["webhook-signature"]
    assert Webhook(new).verify(body, headers) == {"type": "x", "timestamp": "t", "data": {}}
    assert Webhook(old).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body.replace(b"x", b"y"), headers)
    single = signed_headers([new], "msg_1", body, datetime.now(UTC))
    assert single["webhook-signature"].count("v1,") == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, single)
