# The generator: spec -> generated/ (server package); clients come with the clients issue.
GENERATED := generated

.PHONY: generate generate-check verify regen-golden
generate: .venv/.synced ## generate generated/ (models, Protocols, routers) from spec/openapi.yaml
	$(PY) -m scripts.codegen generate $(SPEC) $(GENERATED) --cache-dir var/cache/codegen

generate-check: .venv/.synced ## fail when generated/ differs from a fresh generation
	$(PY) -m scripts.codegen generate $(SPEC) $(GENERATED) --check

verify: .venv/.synced ## check that the app built from the spec serves exactly the spec's operations
	$(PY) -m scripts.codegen verify $(SPEC)

regen-golden: .venv/.synced ## refresh the generator's golden files in tests/codegen/golden (review the diff!)
	$(PY) -m tests.codegen.regen
