"""Storage composition: the schema, the migrations' metadata and the per-dialect units of work."""
