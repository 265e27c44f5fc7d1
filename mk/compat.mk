# The SDK compatibility matrix: each released Python client (built by today's generator, in its own
# venv) and each released TypeScript client run the smoke scenario (tests/compat/) against
# today's server, as answered and with fuzzed responses.
# COMPAT_RELEASES: how many of the newest releases `compat-test` (part of `make test`) covers.
COMPAT_RELEASES ?= 2

.PHONY: compat compat-test
RELEASE_COUNT := $(words $(wildcard $(RELEASES)/*.yaml))

compat: .venv/.synced node_modules/.installed | $(UV) ## every released Python and TypeScript client against today's server: prints the matrix (var/compat/matrix.md)
	$(PY) -m harbor_pipeline.compat --uv $(UV) --typescript-releases $(RELEASE_COUNT)

compat-test: .venv/.synced node_modules/.installed | $(UV) ## the compatibility matrix for the newest COMPAT_RELEASES releases (in make test)
	$(PY) -m harbor_pipeline.compat --uv $(UV) --releases $(COMPAT_RELEASES) --typescript-releases $(COMPAT_RELEASES)
