"""Pure rules and state machines: no SQLAlchemy, FastAPI, httpx or aiokafka here (import-linter checks)."""
