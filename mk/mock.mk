# The mock server for partners (scripts/harbor_pipeline/mock): every operation of SPEC answered from the spec
# alone, from its examples or its schemas, with requests validated; no database, no service/.
MOCK_HOST ?= 127.0.0.1
MOCK_PORT ?= 4010

.PHONY: mock
mock: .venv/.synced ## serve a mock of SPEC (default spec/openapi.yaml) on MOCK_HOST:MOCK_PORT (127.0.0.1:4010); Prefer: code=404 / example=NAME
	@exec $(HARBOR) mock $(SPEC) --host $(MOCK_HOST) --port $(MOCK_PORT)
