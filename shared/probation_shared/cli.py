"""Command lines: `platform token` for everyone, and `python -m <service> ...` for each service."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from .auth import Role, mint_token
from .devkeys import PRIVATE_NAME, ensure_dev_keys

DEFAULT_KEY_DIR = Path(os.environ.get("PLATFORM_DEV_KEY_DIR", ".run/keys"))


def main(argv: list[str] | None = None) -> int:
    """`platform token --role ROLE [scope...]`: mint a dev token; `platform dev-keys`: make the key pair."""
    parser = argparse.ArgumentParser(prog="platform", description="Probation platform tools")
    sub = parser.add_subparsers(dest="command", required=True)

    token = sub.add_parser("token", help="mint a bearer token signed with the local dev key")
    token.add_argument(
        "--role", action="append", required=True, choices=[r.value for r in Role], help="repeat for several roles"
    )
    token.add_argument("--sub", default="dev-user")
    token.add_argument("--provider-id")
    token.add_argument(
        "--contract", action="append", dest="contract_refs", help="contract reference; repeat for several"
    )
    token.add_argument("--region")
    token.add_argument("--pdu")
    token.add_argument("--staff-code")
    token.add_argument("--crn", help="the person's own CRN, for a PERSON_ON_PROBATION token")
    token.add_argument("--prison", help="the prison code of a PRISON_OFFENDER_MANAGER")
    token.add_argument("--force-id", help="the police force of a POLICE_PARTNER (its webhook endpoints)")
    token.add_argument("--lifetime", type=int, default=3600, help="seconds")
    token.add_argument("--key-dir", type=Path, default=DEFAULT_KEY_DIR)
    token.add_argument("--issuer", default="probation-platform")
    token.add_argument("--audience", default="probation-platform")

    keys = sub.add_parser("dev-keys", help="create the local dev key pair if missing and print its folder")
    keys.add_argument("--key-dir", type=Path, default=DEFAULT_KEY_DIR)

    args = parser.parse_args(argv)
    if args.command == "dev-keys":
        private, public = ensure_dev_keys(args.key_dir)
        print(public)
        return 0
    private_path = args.key_dir / PRIVATE_NAME
    if not private_path.exists():
        print(
            f"No dev key at {private_path}: start the platform first (make run) or run `platform dev-keys`.",
            file=sys.stderr,
        )
        return 2
    print(
        mint_token(
            private_path.read_bytes(),
            subject=args.sub,
            roles=args.role,
            issuer=args.issuer,
            audience=args.audience,
            lifetime_seconds=args.lifetime,
            provider_id=args.provider_id,
            contract_refs=args.contract_refs,
            region=args.region,
            pdu=args.pdu,
            staff_code=args.staff_code,
            crn=args.crn,
            prison=args.prison,
            force_id=args.force_id,
        )
    )
    return 0


def service_main(spec, argv: list[str] | None = None) -> int:
    """`python -m <service> serve|worker|migrate|seed`."""
    from . import migrations

    parser = argparse.ArgumentParser(prog=spec.name, description=spec.description)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        choices=["inline", "none"],
        default="inline",
        help="inline: relay and consumers run in this process; none: run them with `worker`",
    )
    worker = sub.add_parser("worker", help="run the outbox relay and the event consumers only")
    worker.add_argument(
        "--metrics-port",
        type=int,
        default=9100,
        help="the worker's HTTP port: /metrics, /health/liveness, /health/readiness, /info (0: none)",
    )
    sub.add_parser("migrate", help="upgrade the database to the latest migration")
    sub.add_parser("seed", help="load reference data")
    args = parser.parse_args(argv)

    settings = spec.settings()
    if args.command == "migrate":
        migrations.upgrade(spec.migrations_dir, settings.database_url)
        return 0
    if args.command == "seed":
        if spec.seed:
            asyncio.run(_seed(spec, settings))
        return 0
    if args.command == "worker":
        asyncio.run(_run_workers(spec, settings, args.metrics_port))
        return 0

    import uvicorn

    from .service import create_app

    settings = spec.settings(run_workers=args.workers == "inline")
    app = create_app(spec, settings)
    # uvloop and httptools (`uvicorn[standard]`, a dependency): the production server, several times the
    # requests per second of asyncio + h11 on a core. Named outright, so a missing one fails at start.
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", access_log=False, loop="uvloop", http="httptools"
    )
    return 0


async def _seed(spec, settings) -> None:
    from .service import make_database

    database = make_database(settings)
    try:
        await spec.seed(database, settings)
    finally:
        await database.dispose()


async def _run_workers(spec, settings, metrics_port: int) -> None:
    from .logging import configure_logging
    from .metrics import ServiceMetrics, watch_pool
    from .service import Workers, make_database, worker_app
    from .tracing import configure_tracing

    configure_logging(settings.log_level, settings.log_json)
    configure_tracing(settings.service_name)
    database = make_database(settings)
    metrics = ServiceMetrics(settings.service_name)
    watch_pool(metrics, database.engine)
    workers = Workers(spec, settings, database, metrics)
    server_task = None
    if metrics_port:
        import uvicorn

        app = worker_app(settings, database, metrics, workers)
        config = uvicorn.Config(
            app,
            host="0.0.0.0",
            port=metrics_port,
            log_level="warning",
            access_log=False,
            http="httptools",
        )
        server = uvicorn.Server(config)
        # uvicorn catches SIGINT/SIGTERM while it serves, then restores the handlers below and raises the
        # signal again on its way out: so a signal stops the metrics server first, then the workers.
        server_task = asyncio.create_task(server.serve())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    workers.start()
    await stop.wait()
    await workers.stop()
    if server_task is not None:
        server.should_exit = True
        await server_task
        await app.state.broker_probe.close()
    await database.context["http"].close()
    await database.dispose()
