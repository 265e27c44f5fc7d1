"""`harbor docs SPEC`: Swagger UI and ReDoc for a spec from local assets, following its saves.

preview   the state: the last good bundled document, the problems of the last save
findings  those problems, read from the lines `harbor lint` prints (validator, Spectral)
worker    the background thread that lints, the newest save first
watch     polls the spec's files (its `$ref`s' too) and reloads once a save has settled
app       the Starlette app: pages, /openapi.json, /status (polled with an ETag), assets
"""
