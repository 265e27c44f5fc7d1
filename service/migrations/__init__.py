"""Alembic migrations for both dialects; `make migrate` applies them."""
