# Installing the pinned toolchains: uv (from PyPI) then the locked Python env; npm ci for Node tools.
UV := $(shell command -v uv 2>/dev/null || echo .venv-uv/bin/uv)

$(UV):
	python3 -m venv .venv-uv
	.venv-uv/bin/pip install --quiet uv==$(UV_VERSION)

# Bytecode compiled at install: where PYTHONDONTWRITEBYTECODE is set (this machine, many CI
# images) no .pyc is ever written, and every run of the generator compiled the ~600 modules it
# imports again, 1.4 of its 2.3 seconds on a small spec. Every uv sync (bench's venv too) does it.
export UV_COMPILE_BYTECODE ?= 1

# This file is a prerequisite so that a change to how the venv is made (above) remakes it.
.venv/.synced: pyproject.toml uv.lock clients/python/pyproject.toml scripts/pyproject.toml mk/00-setup.mk | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: install
install: .venv/.synced node_modules/.installed ## install the locked Python and Node toolchains

.PHONY: clean
clean: ## remove what runs leave behind (var/: SQLite database, caches, reports; tool caches); keeps .venv and node_modules
	rm -rf var .mypy_cache .ruff_cache .pytest_cache .hypothesis .schemathesis
	find . -name __pycache__ -type d -not -path './.venv/*' -not -path './node_modules/*' -prune -exec rm -rf {} +
