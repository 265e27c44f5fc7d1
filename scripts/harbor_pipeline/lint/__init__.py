"""`make lint`: Spectral's rules and the OpenAPI meta-schema over a spec, reported as file:line."""
