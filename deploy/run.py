"""The embedded platform: Kafka-protocol broker + all five services on SQLite, seeded, in one command.

    python deploy/run.py up      # start everything, wait until ready, print where it is; Ctrl-C stops it
    python deploy/run.py stop    # stop a platform started by `up` from another terminal
    python deploy/run.py up --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
                                 # the same on PostgreSQL: one database per service, `<prefix>_<service>`,
                                 # created when missing (--database-prefix, default "platform")

State (SQLite files, dev keys, logs, pids) lives under .run/ (git-ignored). Each service can also run
on its own against an external Kafka and PostgreSQL: see README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.registry import SERVICES, Service  # noqa: E402
from probation_shared.devkeys import ensure_dev_keys
from probation_shared.embedded_broker import EmbeddedBroker
from probation_shared.events.kafka import ensure_topics
from probation_shared.events.topics import ALL as ALL_TOPICS

ROOT = Path(__file__).resolve().parent.parent


def port_of(service: Service, base_port: int) -> int:
    """Ports keep the registry's spacing from `base_port` (the first service's port by default)."""
    return base_port + service.port - SERVICES[0].port


def database_name(prefix: str, service: Service) -> str:
    return f"{prefix}_{service.package}"


def database_url(service: Service, state: Path, postgres: str | None, prefix: str) -> str:
    """A SQLite file under the state directory, or the service's own database on the PostgreSQL server."""
    if not postgres:
        return f"sqlite+aiosqlite:///{state / 'data' / service.name}.db"
    return f"{postgres.rsplit('/', 1)[0]}/{database_name(prefix, service)}"


async def create_databases(postgres: str, prefix: str) -> None:
    """Each service's database on the server, created when missing (an existing one is kept, like the SQLite files)."""
    import asyncpg

    admin = await asyncpg.connect(postgres.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        present = {row["datname"] for row in await admin.fetch("SELECT datname FROM pg_database")}
        for service in SERVICES:
            if database_name(prefix, service) not in present:
                await admin.execute(f'CREATE DATABASE "{database_name(prefix, service)}"')
    finally:
        await admin.close()


def service_env(
    service: Service,
    state: Path,
    broker: str,
    base_port: int,
    keys: tuple[Path, Path],
    postgres: str | None = None,
    database_prefix: str = "platform",
) -> dict[str, str]:
    private_key, public_key = keys
    urls = {s.name: f"http://127.0.0.1:{port_of(s, base_port)}" for s in SERVICES}
    values = {
        "DATABASE_URL": database_url(service, state, postgres, database_prefix),
        "KAFKA_BOOTSTRAP_SERVERS": broker,
        "AUTH_PUBLIC_KEY_FILE": str(public_key),
        "AUTH_DEV_PRIVATE_KEY_FILE": str(private_key),
        "PUBLIC_BASE_URL": urls[service.name],
        "LOG_LEVEL": "INFO",
        # Where this service finds the others (used by those that call another's API).
        **{f"{s.package.upper()}_URL": urls[s.name] for s in SERVICES if s != service},
    }
    if service.name == "resettlement":
        # The pack job every few seconds (300 s in a deployment), so a pack due today is seen being made.
        values["PACK_JOB_INTERVAL_SECONDS"] = os.environ.get("RESETTLEMENT_PACK_JOB_INTERVAL_SECONDS", "5")
    if service.name == "webhooks":
        # Loopback only, as everything here: a provider's receiver on this machine (`make demo`'s, a
        # developer's) may be plain http. The settings refuse both outside local and test environments.
        values["ALLOW_INSECURE_ENDPOINTS"] = "true"
        values["ENDPOINT_ALLOWLIST"] = '["127.0.0.1/32"]'
    env = dict(os.environ)
    env.update({service.env_prefix + k: v for k, v in values.items()})
    return env


def run_step(service: Service, command: str, env: dict[str, str], log) -> None:
    result = subprocess.run(
        [sys.executable, "-m", service.package, command], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    if result.returncode != 0:
        raise SystemExit(f"{service.name} {command} failed (exit {result.returncode}); see {log.name}")


async def wait_ready(urls: dict[str, str], timeout: float) -> dict[str, bool]:
    deadline = time.monotonic() + timeout
    ready = {name: False for name in urls}
    async with httpx.AsyncClient(timeout=2.0) as client:
        while not all(ready.values()) and time.monotonic() < deadline:
            for name, url in urls.items():
                if not ready[name]:
                    try:
                        healthy = (await client.get(f"{url}/health/readiness")).status_code == 200
                        # Also wait for each consumer to join its group, so the first event is not left waiting.
                        consumers = (await client.get(f"{url}/info")).json().get("consumers", {}) if healthy else {}
                        ready[name] = healthy and all(state == "assigned" for state in consumers.values())
                    except (httpx.HTTPError, ValueError):
                        pass
            await asyncio.sleep(0.2)
    return ready


def up(args) -> int:
    state: Path = args.state_dir.resolve()
    for folder in ("data", "logs"):
        (state / folder).mkdir(parents=True, exist_ok=True)
    pid_file = state / "pids.json"
    if pid_file.exists():
        print(
            f"A platform may already be running ({pid_file}); run `python deploy/run.py stop` first.", file=sys.stderr
        )
        return 1
    keys = ensure_dev_keys(state / "keys")
    children: list[subprocess.Popen] = []

    def stop_all(*_):
        for child in reversed(children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        broker.stop()
        pid_file.unlink(missing_ok=True)

    broker = EmbeddedBroker(port=args.broker_port, log_file=state / "logs" / "broker.log")
    try:
        broker.start()
        print(f"broker      kafka://{broker.bootstrap_servers} (Tansu, memory storage)", flush=True)
        asyncio.run(ensure_topics(broker.bootstrap_servers, list(ALL_TOPICS)))
        if args.postgres:
            asyncio.run(create_databases(args.postgres, args.database_prefix))
        urls: dict[str, str] = {}
        for service in SERVICES:
            env = service_env(
                service, state, broker.bootstrap_servers, args.base_port, keys, args.postgres, args.database_prefix
            )
            port = port_of(service, args.base_port)
            log = open(state / "logs" / f"{service.name}.log", "ab")
            run_step(service, "migrate", env, log)
            run_step(service, "seed", env, log)
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        service.package,
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--workers",
                        "inline",
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            urls[service.name] = f"http://127.0.0.1:{port}"
        pid_file.write_text(json.dumps({"broker": broker.process.pid, "services": [c.pid for c in children]}))
        ready = asyncio.run(wait_ready(urls, args.ready_timeout))
        if not all(ready.values()):
            print(
                "Not ready in time: "
                + ", ".join(n for n, ok in ready.items() if not ok)
                + f" (logs in {state / 'logs'})",
                file=sys.stderr,
            )
            stop_all()
            return 1
    except BaseException:
        stop_all()
        raise

    for name, url in urls.items():
        print(f"{name:<16}{url}   docs {url}/docs", flush=True)
    key_dir = "" if state == (ROOT / ".run").resolve() else f" --key-dir {state / 'keys'}"
    print(
        "\nAll services ready. A token for the APIs (roles and scope claims: see README):\n"
        f"  .venv/bin/platform token --role PROBATION_PRACTITIONER{key_dir}\n"
        "Ctrl-C (or `make stop`) stops everything.",
        flush=True,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while all(child.poll() is None for child in children) and broker.process and broker.process.poll() is None:
            time.sleep(0.5)
        print("A process of the platform exited; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        stop_all()


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def stop(args) -> int:
    pid_file = args.state_dir.resolve() / "pids.json"
    if not pid_file.exists():
        print("Nothing to stop.")
        return 0
    pids = json.loads(pid_file.read_text())
    for pid in [*pids.get("services", []), pids.get("broker")]:
        if pid:
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    pid_file.unlink(missing_ok=True)
    print("Stopped.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the whole probation platform locally")
    parser.add_argument("command", choices=["up", "stop"])
    parser.add_argument("--state-dir", type=Path, default=ROOT / ".run")
    parser.add_argument("--base-port", type=int, default=8001)
    parser.add_argument("--broker-port", type=int, default=9092)
    parser.add_argument("--ready-timeout", type=float, default=90.0)
    parser.add_argument(
        "--postgres", help="a PostgreSQL server URL (postgresql+asyncpg://...): one database per service on it"
    )
    parser.add_argument("--database-prefix", default="platform", help="with --postgres: databases <prefix>_<service>")
    args = parser.parse_args(argv)
    return up(args) if args.command == "up" else stop(args)


if __name__ == "__main__":
    sys.exit(main())
