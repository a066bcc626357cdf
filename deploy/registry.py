"""The service registry (services.toml at the repository root), read by every tool that lists services.

Standard library only, so the Makefile can ask it before anything is installed:

    python3 deploy/registry.py names      # case-allocation risk-assessment ...
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "services.toml"


@dataclass(frozen=True)
class Service:
    name: str  # case-allocation
    port: int
    calls: tuple[str, ...] = ()

    @property
    def package(self) -> str:
        return self.name.replace("-", "_")

    @property
    def env_prefix(self) -> str:  # the settings' env_prefix
        return self.package.upper() + "_"


def load(path: Path = REGISTRY) -> list[Service]:
    entries = tomllib.loads(path.read_text())
    services = [Service(name, int(entry["port"]), tuple(entry.get("calls", []))) for name, entry in entries.items()]
    known = {s.name for s in services}
    for service in services:
        unknown = set(service.calls) - known
        if unknown:
            raise ValueError(f"{service.name} calls unknown services {sorted(unknown)} (services.toml)")
    return services


SERVICES = load()
BY_NAME = {s.name: s for s in SERVICES}

if __name__ == "__main__":
    if sys.argv[1:] == ["names"]:
        print(" ".join(s.name for s in SERVICES))
    elif sys.argv[1:] == ["packages"]:
        print(" ".join(s.package for s in SERVICES))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
