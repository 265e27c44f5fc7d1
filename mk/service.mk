# The Harbor Payments service: migrate, serve, and mint development tokens.
# DATABASE_URL picks the database (default: SQLite in var/harbor.db); HARBOR_* set the rest.
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
CUSTOMER ?= cus_123
ifdef DATABASE_URL
export DATABASE_URL
endif

.PHONY: run migrate token

run: .venv/.synced generate migrate ## serve the API on HOST:PORT (default 127.0.0.1:8000) with WORKERS processes
	@echo "Harbor Payments API: http://$(HOST):$(PORT)"
	@echo "  docs:     http://$(HOST):$(PORT)/docs (Swagger UI), http://$(HOST):$(PORT)/redoc (ReDoc)"
	@echo "  contract: http://$(HOST):$(PORT)/openapi.json (each served version's: /openapi/1.1.0.json)"
	@echo "  a token:  make token CUSTOMER=cus_123, then send 'Authorization: Bearer <token>'"
	@exec $(PY) -m service --host $(HOST) --port $(PORT) --workers $(WORKERS)

migrate: .venv/.synced ## apply the database migrations to DATABASE_URL (default var/harbor.db)
	@$(PY) -m service.db.migrate upgrade head

# Only the token goes to stdout (TOKEN=$$(make token) works): setting up the venv talks to stderr.
token: ## print a development JWT for CUSTOMER (make token CUSTOMER=cus_123)
	@$(MAKE) --no-print-directory -s .venv/.synced 1>&2
	@$(PY) -m service.auth.devtoken $(CUSTOMER)
