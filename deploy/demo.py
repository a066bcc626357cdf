"""`make demo`: the platform's journey against the running embedded platform (`make run` in another terminal),
printing what each role sees at each step: practitioner, SPO, POM, both providers, the person.

    .venv/bin/python deploy/demo.py                      # against `make run` (ports from 8001, keys in .run/keys)
    .venv/bin/python deploy/demo.py --state-dir DIR --base-port PORT

The steps and their checks are deploy/journey.py's (tests/journey runs the same against a platform it starts).
Tokens are minted with the platform's dev private key, as its dev mode allows. Loopback only. Exit status 0 when
every step showed what it should, 1 with the step that did not.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy import registry  # noqa: E402
from deploy.journey import Journey, JourneyFailed, Platform  # noqa: E402
from probation_shared.devkeys import PRIVATE_NAME  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def printer(line_width: int = 16):
    def say(role: str, line: str) -> None:
        if not role:
            print(f"\n{line}", flush=True)
        else:
            print(f"  {role + ':':<{line_width}} {line}", flush=True)

    return say


async def ready(urls: dict[str, str]) -> list[str]:
    """The services that do not answer their readiness probe."""
    down = []
    async with httpx.AsyncClient(timeout=3) as client:
        for name, url in urls.items():
            try:
                if (await client.get(f"{url}/health/readiness")).status_code != 200:
                    down.append(name)
            except httpx.HTTPError:
                down.append(name)
    return down


async def demo(urls: dict[str, str], private_key: bytes, timeout: float) -> int:
    down = await ready(urls)
    if down:
        print(f"Not running: {', '.join(down)}. Start the platform first: `make run` (another terminal).")
        return 1
    async with httpx.AsyncClient(timeout=30) as client:
        journey = Journey(Platform(urls, private_key), printer(), client, timeout=timeout)
        try:
            await journey.run()
        except JourneyFailed as failed:
            print(f"\nFAILED: {failed}", file=sys.stderr)
            return 1
        finally:
            journey.close()
    print(f"\nDone: {journey.crn} went from sentence to release with enhanced support; every role saw what it should.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Walk one person through the running platform, role by role")
    parser.add_argument("--state-dir", type=Path, default=ROOT / ".run", help="the platform's (for its dev key)")
    parser.add_argument("--base-port", type=int, default=8001)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each effect of an event")
    args = parser.parse_args(argv)
    if args.host not in LOOPBACK:
        parser.error("the demo talks to a local platform only (--host 127.0.0.1)")
    key = args.state_dir / "keys" / PRIVATE_NAME
    if not key.exists():
        print(f"No dev key at {key}: start the platform with `make run` first.")
        return 1
    urls = {
        s.name: f"http://{args.host}:{args.base_port + s.port - registry.SERVICES[0].port}" for s in registry.SERVICES
    }
    return asyncio.run(demo(urls, key.read_bytes(), args.timeout))


if __name__ == "__main__":
    sys.exit(main())
