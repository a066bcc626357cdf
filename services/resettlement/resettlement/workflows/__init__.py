"""Use cases: orchestration over the repositories in db/, inside the caller's unit of work (never commit)."""
