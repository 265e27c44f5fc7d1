# The breaking-change gate: the spec against the newest release, and cutting releases (docs/breaking-changes.md).
RELEASES := spec/releases
# sort -V: release 1.10.0 is newer than 1.9.0, which a plain sort gets wrong.
NEWEST_RELEASE = $(shell ls $(RELEASES)/*.yaml 2>/dev/null | sort -V | tail -n 1)
FORMAT ?= text
# Deliberate breaks accepted without a new version (docs/breaking-changes.md), when there are any.
ACCEPTED := spec/accepted-changes.yaml
ACCEPTED_OPTION = $(if $(wildcard $(ACCEPTED)), --accepted $(ACCEPTED))

.PHONY: breaking changelog release
breaking: .venv/.synced ## check the spec against the newest release; FORMAT=markdown|json|github for review or CI; USAGE=usage.json checks removed deprecated operations' callers
	$(HARBOR) breaking gate $(SPEC) $(RELEASES) --format $(FORMAT)$(if $(USAGE), --usage $(USAGE))$(ACCEPTED_OPTION)

changelog: .venv/.synced ## changelog section of the spec against the newest release; BASE=git:REF:PATH or a file
	@test -n "$(or $(BASE),$(NEWEST_RELEASE))" || { echo "changelog: no release in $(RELEASES); pass BASE=..." >&2; exit 2; }
	$(HARBOR) changelog $(or $(BASE),$(NEWEST_RELEASE)) $(SPEC)

release: .venv/.synced ## cut spec/releases/VERSION.yaml from the spec: make release VERSION=x.y.z
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z" >&2; exit 2; }
	$(MAKE) lint
	$(HARBOR) release $(SPEC) $(RELEASES) $(VERSION)$(ACCEPTED_OPTION)
