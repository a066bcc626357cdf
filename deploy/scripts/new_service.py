"""Create a service in the platform's shape and register it: `make new-service NAME=demo-svc`.

Writes services/<name>/ from deploy/templates/service (api → workflows → domain and db, events,
migrations with the platform tables, a passing test), adds it to services.toml with the next free port,
to deploy/compose.yaml and to the isort first-party list; `make new-service` then installs it and
regenerates the manifests, so `make run` starts it and k8s/ renders it.

    python deploy/scripts/new_service.py NAME [--description TEXT] [--root DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "templates" / "service"
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def placeholders(name: str, port: int, description: str) -> dict[str, str]:
    package = name.replace("-", "_")
    return {
        "{{name}}": name,
        "{{package}}": package,
        "{{Class}}": "".join(part.capitalize() for part in name.split("-")),
        "{{PREFIX}}": package.upper() + "_",
        "{{port}}": str(port),
        "{{description}}": description,
        "{{created}}": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def render(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def create(root: Path, name: str, description: str) -> Path:
    if not NAME.match(name):
        raise SystemExit(f"{name!r}: a service name is lower case words joined by hyphens, e.g. demo-svc")
    registry_file = root / "services.toml"
    registry = tomllib.loads(registry_file.read_text())
    target = root / "services" / name
    if name in registry or target.exists():
        raise SystemExit(f"{name} already exists")
    port = max(int(entry["port"]) for entry in registry.values()) + 1
    values = placeholders(name, port, description)

    for source in sorted(TEMPLATE.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        destination = target / render(str(source.relative_to(TEMPLATE)), values)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(render(source.read_text(), values))

    with registry_file.open("a") as f:
        f.write(f"\n[{name}]\nport = {port}\ncalls = []\n")
    _add_to_compose(root / "deploy" / "compose.yaml", values)
    _add_first_party(root / "pyproject.toml", values["{{package}}"])
    return target


def _add_to_compose(path: Path, values: dict[str, str]) -> None:
    name, package, prefix, port = values["{{name}}"], values["{{package}}"], values["{{PREFIX}}"], values["{{port}}"]
    block = f"""  {name}:
    <<: *service
    build: {{context: .., dockerfile: Dockerfile, args: {{SERVICE: {name}, PORT: "{port}"}}}}
    image: probation-platform/{name}:compose
    command:
      - sh
      - -c
      - python -m {package} migrate && exec python -m {package} serve --host 0.0.0.0 --port {port} --workers inline
    ports: ["127.0.0.1:{port}:{port}"]
    environment:
      {prefix}ENVIRONMENT: compose
      {prefix}DATABASE_URL: postgresql+asyncpg://probation:probation-local-only@postgres:5432/{package}
      {prefix}KAFKA_BOOTSTRAP_SERVERS: broker:9092
      {prefix}KAFKA_IDEMPOTENT_PRODUCER: "true"
      {prefix}AUTH_PUBLIC_KEY_FILE: /keys/dev-public.pem
      {prefix}AUTH_DEV_PRIVATE_KEY_FILE: /keys/dev-private.pem
      {prefix}PUBLIC_BASE_URL: http://{name}:{port}
      {prefix}RUN_WORKERS: "true"

"""
    text = path.read_text()
    text = text.replace("\nconfigs:\n", "\n" + block + "configs:\n", 1)
    marker = "      CREATE DATABASE "
    last = text.rindex(marker)
    end = text.index("\n", last) + 1
    text = text[:end] + f"{marker}{package};\n" + text[end:]
    path.write_text(text)


def _add_first_party(path: Path, package: str) -> None:
    text = path.read_text()
    text = re.sub(r"(known-first-party = \[[^\]]*)\]", lambda m: f'{m.group(1)}, "{package}"]', text, count=1)
    path.write_text(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--description", default="A probation platform service.")
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    target = create(args.root.resolve(), args.name, args.description)
    print(f"created {target.relative_to(args.root.resolve())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
