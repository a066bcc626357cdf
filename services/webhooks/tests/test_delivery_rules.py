"""Standard Webhooks delivery rules, as pure functions."""

from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from webhooks.domain.delivery import (
    DELIVERED,
    ENDPOINT_DISABLED,
    FAILED,
    PENDING,
    Attempt,
    InvalidEndpointUrl,
    check_endpoint_url,
    decide,
    new_secret,
    retry_after_seconds,
    signed_headers,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SCHEDULE = [5, 300, 1800]


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_only_2xx_is_success(code):
    assert decide(1, Attempt(code), SCHEDULE, NOW, 86400).status == DELIVERED


@pytest.mark.parametrize("code", [None, 301, 302, 400, 401, 404, 429, 500, 503])
def test_anything_else_is_retried_on_schedule(code):
    decision = decide(2, Attempt(code), SCHEDULE, NOW, 86400)
    assert decision.status == PENDING and decision.next_attempt_at == NOW + timedelta(seconds=300)


def test_gone_disables_the_endpoint():
    decision = decide(1, Attempt(410), SCHEDULE, NOW, 86400)
    assert decision.status == ENDPOINT_DISABLED and decision.disable_endpoint


def test_fails_for_good_after_the_last_scheduled_retry():
    assert decide(3, Attempt(500), SCHEDULE, NOW, 86400).status == PENDING
    assert decide(4, Attempt(500), SCHEDULE, NOW, 86400).status == FAILED


def test_retry_after_is_honoured_in_seconds_or_as_a_date_but_never_beyond_the_cap():
    assert decide(1, Attempt(429, "120"), SCHEDULE, NOW, 86400).next_attempt_at == NOW + timedelta(seconds=120)
    assert decide(1, Attempt(503, "Mon, 23 Nov 2026 13:00:00 GMT"), SCHEDULE, NOW, 86400).next_attempt_at == NOW + timedelta(hours=1)
    assert decide(1, Attempt(503, "999999"), SCHEDULE, NOW, 600).next_attempt_at == NOW + timedelta(seconds=600)
    # A shorter Retry-After than the schedule does not hurry the retry.
    assert decide(2, Attempt(503, "1"), SCHEDULE, NOW, 86400).next_attempt_at == NOW + timedelta(seconds=300)
    assert retry_after_seconds("soon", NOW) is None


def test_default_schedule_spreads_retries_over_about_a_day():
    from webhooks.settings import DEFAULT_RETRY_SCHEDULE

    assert 20 * 3600 <= sum(DEFAULT_RETRY_SCHEDULE) <= 36 * 3600


def test_signature_verifies_with_the_secret_and_not_without_it():
    secret = new_secret()
    body = '{"type":"x","timestamp":"t","data":{}}'
    headers = signed_headers(secret, "msg_1", body, NOW)
    assert headers["webhook-signature"].startswith("v1,")
    fresh = signed_headers(secret, "msg_1", body, datetime.now(UTC))
    assert Webhook(secret).verify(body, fresh) == {"type": "x", "timestamp": "t", "data": {}}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, fresh)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace("x", "y"), fresh)


@pytest.mark.parametrize("url", ["http://provider.example/hook", "ftp://x/y", "https:///nohost", "https://user:pw@provider.example/h"])
def test_endpoint_urls_must_be_https_without_credentials(url):
    with pytest.raises(InvalidEndpointUrl):
        check_endpoint_url(url, allow_insecure=False)


def test_plain_http_only_when_allowed():
    assert check_endpoint_url("http://127.0.0.1:9000/hook", allow_insecure=True)
