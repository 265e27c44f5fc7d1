# Lint of the spec (Spectral + openapi-spec-validator) and of the code (ruff, mypy).
SPECTRAL := node_modules/.bin/spectral

.PHONY: lint lint-spec lint-code typecheck fmt
lint: lint-spec lint-code ## lint the spec (Spectral, openapi-spec-validator) and the code (ruff)

lint-spec: .venv/.synced node_modules/.installed ## lint spec/openapi.yaml only; FILE=... lints another spec
	$(HARBOR) lint $(or $(FILE),$(SPEC))

lint-code: .venv/.synced
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: .venv/.synced ## mypy --strict over service/, generated/ and scripts/
	$(PY) -m mypy

fmt: .venv/.synced ## format the code with ruff (fixes what it safely can)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# The pre-commit hooks (.pre-commit-config.yaml) run `harbor` from PATH: here, .venv's.
.PHONY: pre-commit
pre-commit: .venv/.synced node_modules/.installed ## run the pre-commit hooks (harbor-lint, harbor-generate-check) over every file
	PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/pre-commit run --all-files
