# The generator: spec -> generated/ (the server package) and clients/ (see mk/clients.mk).
GENERATED := generated

.PHONY: generate generate-server generate-check generate-server-check verify regen-golden
generate: var/cache/generate.stamp ## generate generated/ and clients/ from spec/openapi.yaml (a no-op when nothing changed)

# make itself answers "nothing changed" in milliseconds: the stamp is newer than the spec, every
# generator file and every output file (a hand edit to an output makes it older, so it reruns).
# Each step below also keeps a content-hash cache, for when timestamps lie (a fresh checkout).
GENERATOR_FILES := $(shell find scripts/harbor_pipeline/codegen scripts/harbor_pipeline/bundle -type f -not -path '*/__pycache__/*')
# Every file the spec pulls in through `$ref`s, as the last generation found them.
SPEC_FILES_MK := var/cache/spec-files.mk
-include $(SPEC_FILES_MK)
GENERATED_FILES := $(shell find $(GENERATED) clients -type f -not -path '*/__pycache__/*' -not -path '*/node_modules/*' 2>/dev/null)
var/cache/generate.stamp: $(SPEC) $(SPEC_FILES) $(wildcard $(RELEASES)/*.yaml) $(wildcard scripts/harbor_pipeline/breaking/*.py) $(GENERATOR_FILES) $(GENERATED_FILES) uv.lock package-lock.json
	$(MAKE) --no-print-directory generate-server generate-clients
	@mkdir -p $(@D) && touch $@
	@# A new operation has no handler yet: name it, with the stub to paste (never fails generate).
	@$(PY) -m service --check >/dev/null || true

generate-server: .venv/.synced
	$(HARBOR) generate $(SPEC) $(GENERATED) --releases $(RELEASES) --cache-dir var/cache/codegen --spec-files $(SPEC_FILES_MK)

generate-check: generate-server-check generate-clients-check ## fail when generated/ or clients/ differ from a fresh generation

generate-server-check: .venv/.synced
	$(HARBOR) generate $(SPEC) $(GENERATED) --releases $(RELEASES) --check

verify: .venv/.synced ## check that the app built from the spec serves exactly the spec's operations
	$(HARBOR) verify $(SPEC)

regen-golden: .venv/.synced ## refresh the generator's golden files in tests/codegen/golden (review the diff!)
	$(PY) -m tests.codegen.regen
