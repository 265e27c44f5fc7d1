# What CI runs: `make test` (bounded, < 15 min on 2 cores) and the long suites.
PYTEST := $(PY) -m pytest

.PHONY: test pytest
test: install lint generate-check breaking typecheck verify pytest test-clients-ts compat-test fuzz fuzz-versions audit ## everything CI checks: lint, generate-check, breaking, mypy, verify, pytest, TS client, SDK compat matrix, bounded fuzz of every served version, audit

pytest: .venv/.synced ## the pytest suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
	$(PYTEST) -q -m "not slow"
