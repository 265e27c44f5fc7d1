"""The Harbor generator: OpenAPI document in, typed FastAPI stubs, models and clients out."""
