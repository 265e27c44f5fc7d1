# The breaking-change gate: the spec against the newest release, and cutting releases (docs/breaking-changes.md).
RELEASES := spec/releases

.PHONY: breaking release
breaking: .venv/.synced ## check spec/openapi.yaml against the newest release
	$(PY) -m scripts.breaking gate $(SPEC) $(RELEASES)

release: .venv/.synced ## cut spec/releases/VERSION.yaml from the spec: make release VERSION=x.y.z
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z" >&2; exit 2; }
	$(MAKE) lint
	$(PY) -m scripts.breaking release $(SPEC) $(RELEASES) $(VERSION)
