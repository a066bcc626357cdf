"""An example webhook receiver for providers: verifies every delivery, ignores duplicates, answers fast.

Run it:

    pip install standardwebhooks
    python receiver.py --secret whsec_... [--secret whsec_old...] [--port 9000]

then register `https://<your host>/webhooks/probation` (behind your TLS proxy) as your endpoint. It
verifies the Standard Webhooks signature (with the `standardwebhooks` package, and shows the same check
in plain HMAC), rejects anything unsigned, tampered or older than five minutes, and records each
`webhook-id` so a retried or replayed message is acknowledged without being processed twice.

The platform's own tests start it on loopback (`VerifyingReceiver`), so this file is known to work.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

TOLERANCE_SECONDS = 5 * 60


def verify_with_hmac(secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> dict:
    """The same check as `Webhook(secret).verify`, in plain HMAC-SHA256 (for any language without the library)."""
    message_id, timestamp, signatures = (
        headers["webhook-id"],
        headers["webhook-timestamp"],
        headers["webhook-signature"],
    )
    if abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("timestamp outside the five-minute tolerance")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(
        hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    # During a secret rotation there are two signatures, space-separated: any one matching is enough.
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return json.loads(body)
    raise ValueError("no signature matches")


class VerifyingReceiver:
    """A receiver on `host:port` (0: any free port). `answer(headers, body)` may return a status to send
    instead of accepting (the tests use it to play a failing receiver); None accepts."""

    def __init__(
        self,
        secrets: list[str],
        host: str = "127.0.0.1",
        port: int = 0,
        answer: Callable[[dict, bytes], int | tuple[int, dict] | None] | None = None,
        path: str = "/webhooks/probation",
    ) -> None:
        self.secrets = list(secrets)
        self.answer = answer
        self.accepted: list[tuple[str, dict]] = []  # (webhook-id, payload), first time each id is seen
        self.duplicates: list[str] = []
        self.rejected: list[str] = []
        self.requests: list[tuple[dict, bytes]] = []  # everything that arrived, verified or not
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra = receiver.handle(headers, body)
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://{host}:{self.server.server_port}{path}"

    def verify(self, headers: dict, body: bytes) -> dict:
        for secret in self.secrets:
            try:
                return Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
        raise WebhookVerificationError("no secret verifies this delivery")

    def handle(self, headers: dict, body: bytes) -> tuple[int, dict]:
        with self._lock:
            self.requests.append((headers, body))
        if self.answer is not None:
            scripted = self.answer(headers, body)
            if scripted is not None:
                return scripted if isinstance(scripted, tuple) else (scripted, {})
        try:
            payload = self.verify(headers, body)
        except (WebhookVerificationError, KeyError, ValueError) as exc:
            with self._lock:
                self.rejected.append(str(exc))
            return 401, {}
        with self._lock:
            message_id = headers["webhook-id"]
            if message_id in self._seen:
                self.duplicates.append(message_id)  # a retry or replay of something already handled
            else:
                self._seen.add(message_id)
                self.accepted.append((message_id, payload))
        return 204, {}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secret", action="append", required=True, help="whsec_... (twice during a rotation)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    args = parser.parse_args()
    receiver = VerifyingReceiver(args.secret, args.host, args.port)
    print(f"listening on {receiver.url}", flush=True)
    try:
        while True:
            time.sleep(1)
            while receiver.accepted:
                message_id, payload = receiver.accepted.pop(0)
                print(
                    json.dumps({"webhook-id": message_id, "type": payload.get("type"), "data": payload.get("data")}),
                    flush=True,
                )
    except KeyboardInterrupt:
        receiver.close()


if __name__ == "__main__":
    main()
