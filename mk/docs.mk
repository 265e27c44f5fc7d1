# The docs preview for designers (scripts/harbor_pipeline/docs): Swagger UI and ReDoc for SPEC from
# local assets, following every save, with the lint problems in the page; no server needed.
DOCS_HOST ?= 127.0.0.1
DOCS_PORT ?= 4020

.PHONY: docs
docs: .venv/.synced ## preview SPEC (default spec/openapi.yaml) in Swagger UI and ReDoc on DOCS_HOST:DOCS_PORT (127.0.0.1:4020), reloading on save
	@exec $(HARBOR) docs $(SPEC) --host $(DOCS_HOST) --port $(DOCS_PORT)
