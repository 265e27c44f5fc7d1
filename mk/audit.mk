# Supply chain: known vulnerabilities in the locked dependencies (pip-audit, npm audit).
.PHONY: audit
audit: .venv/.synced node_modules/.installed ## audit uv.lock and package-lock.json; says NOT CHECKED (never passes silently) when offline; AUDIT_STRICT=1 fails then
	PATH="$(dir $(UV)):$$PATH" $(PY) -m harbor_pipeline.audit $(if $(AUDIT_STRICT),--strict)
