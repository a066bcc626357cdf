# The two commands a newcomer needs: `make run` (start everything) and `make test` (run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SERVICES := $(shell $(PYTHON) deploy/registry.py names)  # services.toml
STAMP := $(VENV)/.installed

.PHONY: install run stop demo test test-fast test-sqlite test-postgres bench lint types clean new-service migration load

$(STAMP): constraints.txt requirements-dev.txt shared/pyproject.toml $(foreach s,$(SERVICES),services/$(s)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-dev.txt \
		-e shared $(foreach s,$(SERVICES),-e services/$(s))
	touch $(STAMP)

install: $(STAMP)

run: install  ## broker + all five services on SQLite, seeded; Ctrl-C stops everything
	$(BIN)/python deploy/run.py up

stop:
	$(BIN)/python deploy/run.py stop

demo: install  ## against a running `make run`: one person from sentence to providers, what each role sees (deploy/demo.py)
	$(BIN)/python deploy/demo.py

test: install  ## every test on SQLite, then the database-backed ones on PostgreSQL when PLATFORM_TEST_POSTGRES_URL is set
	env -u PLATFORM_TEST_POSTGRES_URL $(BIN)/python -m pytest
	@if [ -n "$$PLATFORM_TEST_POSTGRES_URL" ]; then \
		echo "== again on PostgreSQL ($$PLATFORM_TEST_POSTGRES_URL) =="; \
		$(BIN)/python -m pytest services tests/integration tests/journey -m "not sqlite_only and not e2e"; \
	else echo "PLATFORM_TEST_POSTGRES_URL not set: PostgreSQL pass skipped"; fi

test-fast: install  ## the fast tier in seconds: pure rules and workflows over in-memory fakes, no database or broker
	$(BIN)/python -m pytest shared/tests $(wildcard services/*/tests/unit)

bench: install  ## ratios against baselines measured in the same run; writes docs/benchmarks.{md,json} and the README table (BENCH_QUICK=1: short; BENCH_POSTGRES_URL: HTTP figures on PostgreSQL too)
	$(BIN)/python -m tests.bench

load: install  ## against a running `make run`: make load RATE=20 DURATION=120 (loopback only, bounded; not a test)
	$(BIN)/python deploy/load.py --rate $(or $(RATE),20) --duration $(or $(DURATION),120)

MYPY := $(BIN)/mypy -p probation_shared $(foreach s,$(SERVICES),-p $(subst -,_,$(s)))

lint: install  ## style, format, the layering contracts and types (pyproject: [tool.ruff], [tool.importlinter], [tool.mypy])
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MYPY)

types: install  ## mypy alone (pyproject [tool.mypy]); also part of `make lint`
	$(MYPY)

clean:
	rm -rf $(VENV) .run

new-service:  ## make new-service NAME=demo-svc: a service in the platform's shape, registered, installed, in the manifests
	@test -n "$(NAME)" || (echo 'usage: make new-service NAME=demo-svc' >&2; exit 2)
	$(PYTHON) deploy/scripts/new_service.py $(NAME)
	$(MAKE) install
	$(BIN)/python k8s/generate.py

migration: install  ## make migration SERVICE=case-allocation MSG="add sentences"
	$(BIN)/python deploy/scripts/new_migration.py $(SERVICE) "$(MSG)"
