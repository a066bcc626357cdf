"""Autogenerate the next Alembic migration of a service from its models.

Usage: python deploy/scripts/new_migration.py SERVICE "what changed"
"""

import importlib
import sys
import tempfile

from alembic import command
from alembic.script import ScriptDirectory

from probation_shared.migrations import alembic_config


def main(service: str, message: str) -> None:
    spec = importlib.import_module(f"{service.replace('-', '_')}.service").SPEC
    with tempfile.TemporaryDirectory() as scratch:
        config = alembic_config(spec.migrations_dir, f"sqlite+aiosqlite:///{scratch}/scratch.db")
        command.upgrade(config, "head")
        head = ScriptDirectory.from_config(config).get_current_head()
        next_id = f"{int(head or 0) + 1:04d}"
        command.revision(config, message=message, autogenerate=True, rev_id=next_id)


if __name__ == "__main__":
    main(*sys.argv[1:3])
