# Contract fuzzing: schemathesis against the live server (SQLite, and PostgreSQL when TEST_DATABASE_URL is set).
FUZZ_EXAMPLES ?= 50
FUZZ_SEED ?= 20261125
FUZZ_LONG_EXAMPLES ?= 500

.PHONY: fuzz fuzz-long
fuzz: .venv/.synced ## bounded schemathesis run against a live server, every check, stateful (part of make test); FUZZ_SEED=... to reproduce
	TEST_DATABASE_URL= $(HARBOR) fuzz --max-examples $(FUZZ_EXAMPLES) --seed $(FUZZ_SEED)
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
	  echo "$(HARBOR) fuzz --max-examples $(FUZZ_EXAMPLES) --seed $(FUZZ_SEED)  # PostgreSQL"; \
	  $(HARBOR) fuzz --max-examples $(FUZZ_EXAMPLES) --seed $(FUZZ_SEED); \
	fi

fuzz-long: .venv/.synced ## 500 examples per operation plus the stateful phase, on SQLite and (if set) PostgreSQL
	$(MAKE) fuzz FUZZ_EXAMPLES=$(FUZZ_LONG_EXAMPLES)

# Every served version: each release fuzzed with its own Harbor-Version header (docs/versioning.md).
FUZZ_VERSION_EXAMPLES ?= 20
RELEASED_VERSIONS := $(sort $(basename $(notdir $(wildcard spec/releases/*.yaml))))

.PHONY: fuzz-versions
fuzz-versions: .venv/.synced ## fuzz every release in spec/releases with its Harbor-Version header (SQLite, and PostgreSQL when set)
	@for version in $(RELEASED_VERSIONS); do \
	  echo "$(HARBOR) fuzz --api-version $$version --max-examples $(FUZZ_VERSION_EXAMPLES) --seed $(FUZZ_SEED)"; \
	  TEST_DATABASE_URL= $(HARBOR) fuzz --api-version $$version --max-examples $(FUZZ_VERSION_EXAMPLES) --seed $(FUZZ_SEED) || exit $$?; \
	  if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
	    $(HARBOR) fuzz --api-version $$version --max-examples $(FUZZ_VERSION_EXAMPLES) --seed $(FUZZ_SEED) || exit $$?; \
	  fi; \
	done
