# Harbor: contract-first API pipeline. `make` lists the targets.
# Targets live in mk/*.mk, one file per part of the pipeline; every target has a `## help` line.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.SHELLFLAGS := -eu -o pipefail -c

UV_VERSION := 0.13.8
# uv trusts the system's certificate store, as pip and npm do here (some networks add their own CA).
export UV_NATIVE_TLS ?= 1
PY := .venv/bin/python
# The pipeline's one command: scripts/ is the harbor-pipeline distribution, installed into .venv.
HARBOR := .venv/bin/harbor
SPEC := spec/openapi.yaml

include $(sort $(wildcard mk/*.mk))

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort -u | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'
